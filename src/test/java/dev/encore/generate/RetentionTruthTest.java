package dev.encore.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.generate.Discoveries.Discovery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ground truth in {@code _truth.json} against the written logs, read back independently ({@link
 * Discoveries}: no generator code). The seed is fixed, so every statistical check below is deterministic; the
 * bounds are the ones a correct model passes with probability above 0.999 (and a wrong θ does not: the
 * discoveries are many).
 */
class RetentionTruthTest {
  private static final int LATENESS = 3;
  private static final int MIN_PER_ENTITY = 6;

  @TempDir static Path shared;
  private static Discoveries found;
  private static JsonNode truth;
  /** (level, entity id) -> θ. */
  private static final Map<String, double[]> theta = new HashMap<>();
  /** Mature, lookback-complete discoveries by humans: trace fully observed and final. */
  private static final List<Discovery> mature = new ArrayList<>();

  @BeforeAll
  static void generate() throws IOException {
    Path output = shared.resolve("logs");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = GenerateCommand.run(new String[] {
      "--output=" + output, "--from=2024-01-01", "--days=150", "--users=400", "--plays=100000", "--seed=5",
      "--allowedLatenessDays=" + LATENESS},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8), code, is(0));
    WrittenLogs logs = new WrittenLogs(output);
    found = new Discoveries(logs, LATENESS);
    truth = new ObjectMapper().readTree(output.resolve("_truth.json").toFile());
    for (JsonNode e : truth.get("entities")) {
      double[] t = new double[Discoveries.TRACE];
      for (int k = 0; k < t.length; k++) {
        t[k] = e.get("theta").get(k).asDouble();
      }
      theta.put(e.get("level").asText() + "/" + e.get("entity_id").asText(), t);
    }
    String bot = logs.manifest.get("bot_user_id").asText();
    for (Discovery d : found.all) {
      if (d.lookbackComplete() && !d.user().equals(bot) && d.day() + Discoveries.TRACE + LATENESS <= found.lastDay) {
        mature.add(d);
      }
    }
  }

  private static double[] thetaOf(Discovery d) {
    double[] t = theta.get(d.level() + "/" + d.entity());
    assertThat("a lookback-complete discovery of an entity missing from _truth.json: " + d.entity(), t != null,
        is(true));
    return t;
  }

  @Test
  void theTruthFileHoldsTheModel() {
    assertThat(truth.get("missed_returns").asLong(), equalTo(0L));
    assertThat(truth.get("lookback_complete_from").asText(), equalTo("2024-03-01"));
    JsonNode curve = truth.get("return_curve");
    for (int k = 1; k <= Discoveries.TRACE; k++) {
      assertThat(curve.get(k - 1).asDouble(), closeTo(Retention.C * Math.pow(k, -Retention.GAMMA), 1e-6));
    }
    for (JsonNode e : truth.get("entities")) {
      double pi = e.get("propensity").asDouble();
      assertThat("the propensity is a probability", pi > 0 && pi < 1, is(true));
      for (int k = 0; k < Discoveries.TRACE; k++) {
        // θ is π times the return curve, to the rounding of both.
        assertThat(e.get("theta").get(k).asDouble(), closeTo(pi * curve.get(k).asDouble(), 2e-6));
      }
    }
  }

  @Test
  void everyLookbackCompleteDiscoveryInTheLogsIsCountedInTheTruth() {
    Map<String, Long> counted = new TreeMap<>();
    for (Discovery d : found.all) {
      if (d.lookbackComplete()) {
        counted.merge(d.level() + "/" + d.entity(), 1L, Long::sum);
      }
    }
    Map<String, Long> recorded = new TreeMap<>();
    for (JsonNode e : truth.get("entities")) {
      recorded.put(e.get("level").asText() + "/" + e.get("entity_id").asText(), e.get("discoveries").asLong());
    }
    assertThat(counted, equalTo(recorded));
    assertThat(mature.size(), greaterThan(1000));
  }

  /** Mean and variance of stickiness_60 − 1 = Σx under the model: X = A·B, A ~ Bern(π), B = Σ Bern(s_k). */
  private static double[] moments(double[] t) {
    double pi = t[0] / (Retention.C);
    double mean = 0;
    double varB = 0;
    for (int k = 0; k < t.length; k++) {
      double s = t[k] / pi;
      mean += s;
      varB += s * (1 - s);
    }
    double ex2 = pi * (varB + mean * mean);
    return new double[] {pi * mean, ex2 - pi * pi * mean * mean};
  }

  @Test
  void theEmpiricalMeanTraceAgreesWithTheta() {
    // Per offset k, over all mature discoveries: Σ (x_k − θ_k) / sqrt(Σ θ_k (1 − θ_k)) is N(0, 1) under the
    // model (discoveries are independent); 59 of them, so |z| < 4.5 fails a correct model with p < 0.001.
    double worst = 0;
    for (int k = 0; k < Discoveries.TRACE; k++) {
      double diff = 0;
      double var = 0;
      for (Discovery d : mature) {
        double t = thetaOf(d)[k];
        diff += (Boolean.TRUE.equals(d.trace()[k]) ? 1 : 0) - t;
        var += t * (1 - t);
      }
      worst = Math.max(worst, Math.abs(diff / Math.sqrt(var)));
    }
    assertThat("largest |z| over the 59 offsets", worst, lessThan(4.5));

    // Stickiness over all mature discoveries: one z-test.
    double diff = 0;
    double var = 0;
    for (Discovery d : mature) {
      double[] m = moments(thetaOf(d));
      diff += d.stickiness() - 1 - m[0];
      var += m[1];
    }
    assertThat("z of total stickiness", Math.abs(diff / Math.sqrt(var)), lessThan(3.3));

    // Entity by entity, for entities with at least MIN_PER_ENTITY mature discoveries: Σ z_e² is chi-square with as many
    // degrees of freedom as entities (normal approximation of each z_e); the bound is its 0.999 quantile.
    Map<String, List<Discovery>> byEntity = new TreeMap<>();
    for (Discovery d : mature) {
      byEntity.computeIfAbsent(d.level() + "/" + d.entity(), x -> new ArrayList<>()).add(d);
    }
    double chi2 = 0;
    int dof = 0;
    for (List<Discovery> list : byEntity.values()) {
      if (list.size() < MIN_PER_ENTITY) {
        continue;
      }
      double[] m = moments(thetaOf(list.get(0)));
      double sum = 0;
      for (Discovery d : list) {
        sum += d.stickiness() - 1 - m[0];
      }
      chi2 += sum * sum / (m[1] * list.size());
      dof++;
    }
    System.out.printf("RetentionTruthTest: %d mature discoveries, %d entities with %d or more, chi2 %.1f%n", mature.size(), dof, MIN_PER_ENTITY, chi2);
    assertThat("entities with " + MIN_PER_ENTITY + " or more mature discoveries", dof, greaterThan(20));
    // Wilson–Hilferty: the 0.999 quantile of chi-square(dof).
    double h = 2.0 / (9 * dof);
    double q999 = dof * Math.pow(1 - h + 3.09 * Math.sqrt(h), 3);
    assertThat("chi-square of " + dof + " entities", chi2, lessThan(q999));
  }

  @Test
  void entitiesThatKeepTheirDiscoverersBetterShowItInTheLogs() {
    // Mature discoveries sorted by their entity's θ: the top third's mean stickiness is clearly above the
    // bottom third's, by about what θ says.
    List<Discovery> sorted = new ArrayList<>(mature);
    sorted.sort(Comparator.comparingDouble(d -> thetaOf(d)[0]));
    int third = sorted.size() / 3;
    double[] low = stats(sorted.subList(0, third));
    double[] high = stats(sorted.subList(sorted.size() - third, sorted.size()));
    double z = (high[0] - low[0]) / Math.sqrt(high[1] / third + low[1] / third);
    assertThat("z of the difference in mean stickiness, high-θ third minus low-θ third", z, greaterThan(4.0));
    double expected = 0;
    for (Discovery d : sorted.subList(sorted.size() - third, sorted.size())) {
      expected += moments(thetaOf(d))[0] / third;
    }
    for (Discovery d : sorted.subList(0, third)) {
      expected -= moments(thetaOf(d))[0] / third;
    }
    assertThat(high[0] - low[0], closeTo(expected, 4 * Math.sqrt(high[1] / third + low[1] / third)));
  }

  /** Mean and variance of stickiness_60. */
  private static double[] stats(List<Discovery> list) {
    double sum = 0;
    double sq = 0;
    for (Discovery d : list) {
      sum += d.stickiness();
      sq += (double) d.stickiness() * d.stickiness();
    }
    double mean = sum / list.size();
    return new double[] {mean, sq / list.size() - mean * mean};
  }
}
