package dev.encore.predictions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.config.JobDefinition;
import dev.encore.generate.GenerateCommand;
import dev.encore.predictions.StickinessModel.BacktestRow;
import dev.encore.predictions.StickinessModel.HeldOut;
import dev.encore.predictions.StickinessModel.HeldOutDays;
import dev.encore.testing.RewardsOracle.Definition;
import dev.encore.testing.RewardsOracle;
import dev.encore.testing.SpotifyHistory;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accuracy of the stickiness predictions (docs/rewards.md, "Predictions"; issue 13, item 5) on generated logs whose
 * truth is known: every artist and show e of the generator has a true mean trace θ_e = π_e·s(k) ({@code _truth.json}),
 * so its true mean stickiness_60 is 1 + Σ_k θ_e,k. The model's own backtest ({@link StickinessModel#backtest}: each
 * qualifying entity predicted from its mature traces truncated to k days, with the prior fitted on the other folds)
 * is scored against that truth, with the traces taken from the Avro files by {@link LoggedDiscoveries} (not by the
 * pipeline). The criteria of the issue, per level:
 *
 * <ul>
 *   <li>at every k ≥ 3 the prediction's mean absolute error is below both baselines' (the prior mean; the partial
 *       count scaled to the whole window);
 *   <li>after 14 days its error is at most 0.6× the prior mean's on entities with at least 300 discoverers;
 *   <li>its 90 % interval (posterior variance only: it is about the entity's true mean) covers 85–95 % of the
 *       entities' true values, at every k.
 * </ul>
 *
 * <p>The logs: 184 days, so that the fit window of the last day T, D ∈ (T − 123, T − 63], holds 60 discovery days
 * whose lookback (D − 60 ≥ F + 1) and trace (D + 59 + L ≤ T) lie inside; no bot (its plays follow no retention model,
 * so its discoveries would have no truth). The full test (three seeds, 24,000 listeners, 2.4M plays each) runs
 * with {@code mvn -B test -Dencore.slow=true -Dtest=StickinessAccuracyTest -Dsurefire.failIfNoSpecifiedTests=false};
 * the reduced one runs in the test command.
 */
class StickinessAccuracyTest {
  private static final int W = 59;
  private static final int MIN_DISCOVERERS = 5;
  /** The built-in definition's ridge (predictions.ridge). */
  private static final double RIDGE = JobDefinition.builtIn().predictions().ridge();
  private static final int LATENESS = 3;
  private static final int DAYS = 184;
  private static final int LARGE = 300;
  private static final int MIN_QUALIFYING = 30;

  /** One generated data set's options. */
  record Size(int users, long plays) {}

  /** One level of one generated data set: its held-out entities and each one's true mean stickiness. */
  record Level(String name, long seed, int qualifying, int traces, List<HeldOut> heldOut, Map<String, Double> truth) {}

  /**
   * One row of the backtest against the truth.
   *
   * @param sePriorGap the standard error of mae − maePriorMean (from the per-entity differences)
   */
  record TruthRow(int days, int entities, double mae, double maePriorMean, double maeScaledCount, double coverage90,
      double sePriorGap) {}

  private static final Size REDUCED = new Size(8_000, 800_000);
  private static final Size FULL = new Size(24_000, 2_400_000);

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------- the tests

  /**
   * One seed, 8,000 listeners, 800,000 plays: 1,108 qualifying artists and 38 qualifying shows. Asserted: both levels
   * have at least 30 qualifying entities and a prior in every fold (every qualifying entity is held out once); on
   * artists, the prediction's error is below both baselines' at k ≥ 3 and its interval covers 85–95 % of the true
   * values at every k. Why this size: a coverage over 1,108 entities has a binomial sd of sqrt(0.9·0.1/1,108) =
   * 0.009, so the band lies 5.5 sd from 0.90 each way. The gap between the prediction's and the prior mean's error
   * has a standard error of 0.011–0.015 for this model (printed) and 0.006–0.008 for one whose Σ leaves out the
   * sampling noise of the entity means, whose gaps on these same data are −0.028 to −0.044 (at k = 3, 0.387
   * against 0.423): 4 to 6 standard errors. Shows are not asserted beyond their count: over 38 entities a coverage
   * has an sd of 0.05, the half-width of the band. Nor is the 0.6× criterion: 3 artists have 300 discoverers at
   * this size (the full test has 102). Every criterion is checked before the test fails, and all that fail are
   * listed.
   */
  @Test
  void reducedAccuracyOnOneSeed() {
    List<Level> levels = measure(tmp, 1, REDUCED);
    levels.forEach(l -> System.out.print(describe(l)));
    levels.forEach(StickinessAccuracyTest::assertEnoughEntities);
    Level artists = levels.get(0);
    List<String> failed = new ArrayList<>();
    failed.addAll(beatsBaselines(artists));
    failed.addAll(coverage(artists));
    assertThat("criteria not met:\n" + String.join("\n", failed) + "\n" + describe(artists), failed, empty());
  }

  /**
   * Three seeds, 24,000 listeners and 2.4M plays each: 3,131–3,227 qualifying artists, 83–91 qualifying shows and
   * 33–35 artists with 300 discoverers per seed. Asserted per seed and level: at least 30 qualifying entities, every
   * one held out. On the three seeds pooled (each seed with its own fits), per level: the prediction's error is
   * below both baselines' at k ≥ 3 and its interval covers 85–95 % of the true values at every k (shows: 264
   * entities, a coverage sd of 0.018, so the band lies 2.7 sd from 0.90 each way; artists: 9,533, sd 0.003); on the
   * 102 artists with at least 300 discoverers, the error after 14 days is at most 0.6× the prior mean's (the ratio
   * is printed with its standard error, about 0.03). Shows have one entity with 300 discoverers per seed: too few
   * to assert that criterion on.
   */
  @Test
  @EnabledIfSystemProperty(named = "encore.slow", matches = "true")
  void fullAccuracyOnThreeSeeds() {
    List<List<Level>> seeds = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      List<Level> levels = measure(tmp, seed, FULL);
      levels.forEach(l -> System.out.print(describe(l)));
      seeds.add(levels);
    }
    for (List<Level> levels : seeds) {
      levels.forEach(StickinessAccuracyTest::assertEnoughEntities);
    }
    List<String> failed = new ArrayList<>();
    StringBuilder tables = new StringBuilder();
    for (int level = 0; level < LoggedDiscoveries.LEVELS.size(); level++) {
      int l = level;
      Level pooled = pool(seeds.stream().map(levels -> levels.get(l)).toList());
      tables.append(describe(pooled));
      failed.addAll(beatsBaselines(pooled));
      failed.addAll(coverage(pooled));
      if (pooled.name().equals("artist")) {
        TruthRow after14 = againstTruth(pooled, e -> e.discoverers() >= LARGE)
            .get(StickinessModel.BACKTEST_DAYS.indexOf(14));
        assertThat("pooled artists with >= " + LARGE + " discoverers", after14.entities(),
            greaterThanOrEqualTo(MIN_QUALIFYING));
        double ratio = after14.mae() / after14.maePriorMean();
        if (!(ratio <= 0.6)) {
          failed.add(String.format("artist, >= %d discoverers, k = 14: MAE %.4f is %.3f× the prior mean's %.4f, "
              + "expected at most 0.6×", LARGE, after14.mae(), ratio, after14.maePriorMean()));
        }
      }
    }
    System.out.print(tables);
    assertThat("criteria not met on the three seeds pooled:\n" + String.join("\n", failed) + "\n" + tables, failed,
        empty());
  }

  /**
   * The real Spotify histories (../shared/data, read in place): the 22 people whose export covers all of 2020-03-07
   * … 2020-09-06 (184 days, the range with the most such people; an export that starts or ends inside the range
   * would make its owner look new, or lost, there), turned into logs. There is no truth: the backtest is against
   * the realised means, for min_discoverers 5 (the default), 3 and 2. Asserted: for each, the backtest holds
   * exactly the artists with at least min_discoverers mature model discoveries in the fit window, each with its
   * number of discoverers and realised mean stickiness_60, as {@link RewardsOracle} (DuckDB SQL from
   * docs/rewards.md) computes them from the same logs: one {@code entity_rewards} run per discovery day D, at
   * D + 63.
   */
  @Test
  @EnabledIfSystemProperty(named = "encore.slow", matches = "true")
  void realSpotifyHistories() {
    LocalDate from = LocalDate.parse("2020-03-07");
    LocalDate to = from.plusDays(DAYS - 1);
    Path logs = tmp.resolve("spotify");
    List<String> users = usersCovering(SpotifyHistory.dataFile(), from, to);
    SpotifyHistory.Conversion conversion = SpotifyHistory.convert(logs, users, from, to);
    List<DiscoveryTrace> traces = new LoggedDiscoveries(logs, LATENESS).fitSet("artist");
    Map<String, long[]> perEntity = oracleFitSet(logs, to);
    Map<Long, Long> byCount = new TreeMap<>();
    perEntity.values().forEach(v -> byCount.merge(v[0], 1L, Long::sum));
    System.out.printf("Spotify histories %s … %s: %d people, %d plays; fit window %s … %s: %d mature model "
        + "discoveries of %d artists; artists by number of discoverers: %s%n", from, to, users.size(),
        conversion.plays(), to.minusDays(LoggedDiscoveries.MATURITY_AGE + LoggedDiscoveries.FIT_DAYS - 1),
        to.minusDays(LoggedDiscoveries.MATURITY_AGE), traces.size(), perEntity.size(), byCount);
    for (int min : List.of(5, 3, 2)) {
      StickinessModel model = new StickinessModel(W, min, RIDGE);
      List<HeldOut> held = model.backtest(traces);
      // The backtest leaves out a fold whose training entities give no prior (docs/rewards.md step 10).
      List<Integer> withPrior = new ArrayList<>();
      for (int f = 0; f < StickinessModel.FOLDS; f++) {
        int fold = f;
        List<DiscoveryTrace> training =
            traces.stream().filter(t -> StickinessModel.fold(t.entityId()) != fold).toList();
        if (model.fit(training).prior() != null) {
          withPrior.add(f);
        }
      }
      long qualifying = perEntity.values().stream().filter(v -> v[0] >= min).count();
      System.out.printf("min_discoverers %d: %d qualifying artists (oracle); fit on all of them: %s; folds with a "
          + "prior: %s; %d held out%n", min, qualifying, describe(model.fit(traces)), withPrior, held.size());
      System.out.print(realisedTable("  backtest against the realised means", held));
      Map<String, Double> expected = new TreeMap<>();
      perEntity.forEach((id, v) -> {
        if (v[0] >= min && withPrior.contains(StickinessModel.fold(id))) {
          expected.put(id + " with " + v[0], 1 + (double) v[1] / v[0]);
        }
      });
      Map<String, Double> actual = new TreeMap<>();
      held.forEach(e -> actual.put(e.entityId() + " with " + e.discoverers(), e.realised()));
      assertThat("min_discoverers " + min + ": held-out artists and their discoverers", actual.keySet(),
          equalTo(expected.keySet()));
      actual.forEach((id, realised) ->
          assertThat("realised mean stickiness_60 of " + id, realised, closeTo(expected.get(id), 1e-9)));
    }
  }

  /** The users whose rows span at least [from, to] in the whole file: their export covers the range. */
  private static List<String> usersCovering(Path csvGz, LocalDate from, LocalDate to) {
    Map<String, String[]> span = new TreeMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(csvGz), 1 << 16), StandardCharsets.UTF_8))) {
      in.readLine();
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.split(",", -1);
        String day = f[1].substring(0, 10);
        span.merge(f[0], new String[] {day, day}, (a, b) -> new String[] {
            a[0].compareTo(b[0]) <= 0 ? a[0] : b[0], a[1].compareTo(b[1]) >= 0 ? a[1] : b[1]});
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> users = new ArrayList<>();
    span.forEach((user, s) -> {
      if (s[0].compareTo(from.toString()) <= 0 && s[1].compareTo(to.toString()) >= 0) {
        users.add(user);
      }
    });
    return users;
  }

  /**
   * Artist → {mature new_to_entity discoverers, Σ (stickiness_60 − 1)} over the fit window of run T, from the
   * oracle's entity_rewards of the runs D + 63 (the run that publishes D mature).
   */
  private static Map<String, long[]> oracleFitSet(Path logs, LocalDate asOf) {
    Map<String, long[]> perEntity = new TreeMap<>();
    // Publication ages {3, 63}: the fewest a definition allows, so each run computes two discovery days.
    Definition definition = Definition.defaults().withEntityLevels("artist").withCheckpoints(3);
    try (RewardsOracle oracle = RewardsOracle.load(logs, definition)) {
      int m = LoggedDiscoveries.MATURITY_AGE;
      for (LocalDate d = asOf.minusDays(m + LoggedDiscoveries.FIT_DAYS - 1); !d.isAfter(asOf.minusDays(m));
          d = d.plusDays(1)) {
        for (Map<String, Object> row : oracle.entityRewards(d.plusDays(m))) {
          long discoverers = ((Number) row.get("discoverers")).longValue();
          if (!row.get("discovery_date").equals(d) || discoverers == 0) {
            continue;
          }
          double mean = ((Number) row.get("mean_stickiness_60")).doubleValue();
          long[] v = perEntity.computeIfAbsent((String) row.get("entity_id"), k -> new long[2]);
          v[0] += discoverers;
          v[1] += Math.round((mean - 1) * discoverers);
        }
      }
    }
    return perEntity;
  }

  // ---------------------------------------------------------------------------------------------- assertions

  private static void assertEnoughEntities(Level level) {
    String what = "seed " + level.seed() + ", " + level.name();
    assertThat(what + ": qualifying entities", level.qualifying(), greaterThanOrEqualTo(MIN_QUALIFYING));
    // A fold without a prior is left out of the backtest: every qualifying entity held out means every fold has one.
    assertThat(what + ": held-out entities (a fold without a prior?)", level.heldOut().size(),
        equalTo(level.qualifying()));
  }

  /** The criteria "below both baselines at k ≥ 3" that the level misses, one line each. */
  private static List<String> beatsBaselines(Level level) {
    List<String> failed = new ArrayList<>();
    for (TruthRow r : againstTruth(level, e -> true)) {
      if (r.days() >= 3 && !(r.mae() < r.maePriorMean())) {
        failed.add(String.format("%s, k = %d: MAE %.4f not below the prior mean's %.4f (gap %.4f, se %.4f)",
            level.name(), r.days(), r.mae(), r.maePriorMean(), r.mae() - r.maePriorMean(), r.sePriorGap()));
      }
      if (r.days() >= 3 && !(r.mae() < r.maeScaledCount())) {
        failed.add(String.format("%s, k = %d: MAE %.4f not below the scaled count's %.4f", level.name(), r.days(),
            r.mae(), r.maeScaledCount()));
      }
    }
    return failed;
  }

  /** The criteria "the 90 % interval covers 85–95 % of the true values" that the level misses, one line each. */
  private static List<String> coverage(Level level) {
    List<String> failed = new ArrayList<>();
    for (TruthRow r : againstTruth(level, e -> true)) {
      if (!(r.coverage90() >= 0.85 && r.coverage90() <= 0.95)) {
        failed.add(String.format("%s, k = %d: the 90 %% interval covers %.3f of %d true values, expected 0.85–0.95",
            level.name(), r.days(), r.coverage90(), r.entities()));
      }
    }
    return failed;
  }

  // ---------------------------------------------------------------------------------------------- measuring

  /** Generates one data set, reads its truth and traces, and backtests each level. */
  static List<Level> measure(Path dir, long seed, Size size) {
    Path logs = dir.resolve("logs-" + seed);
    long started = System.nanoTime();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = GenerateCommand.run(new String[] {
        "--output=" + logs, "--from=2024-01-01", "--days=" + DAYS, "--users=" + size.users(),
        "--plays=" + size.plays(), "--seed=" + seed, "--allowedLatenessDays=" + LATENESS, "--bot=false"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8), code, equalTo(0));
    long generated = System.nanoTime();
    Map<String, Double> truth = truth(logs.resolve("_truth.json"));
    LoggedDiscoveries found = new LoggedDiscoveries(logs, LATENESS);
    long read = System.nanoTime();
    delete(logs);
    List<Level> levels = new ArrayList<>();
    for (String level : LoggedDiscoveries.LEVELS) {
      List<DiscoveryTrace> traces = found.fitSet(level);
      Map<String, Integer> perEntity = new HashMap<>();
      traces.forEach(t -> perEntity.merge(t.entityId(), 1, Integer::sum));
      int qualifying = (int) perEntity.values().stream().filter(n -> n >= MIN_DISCOVERERS).count();
      Map<String, Double> levelTruth = new HashMap<>();
      truth.forEach((key, value) -> {
        if (key.startsWith(level + "/")) {
          levelTruth.put(key.substring(level.length() + 1), value);
        }
      });
      levels.add(new Level(level, seed, qualifying, traces.size(),
          new StickinessModel(W, MIN_DISCOVERERS, RIDGE).backtest(traces), levelTruth));
    }
    System.out.printf(
        "seed %d, %d listeners, %d plays: generated in %.1f s, traces read in %.1f s, backtests in %.1f s%n", seed,
        size.users(), size.plays(), (generated - started) / 1e9, (read - generated) / 1e9,
        (System.nanoTime() - read) / 1e9);
    return levels;
  }

  /** (level/entity id) → 1 + Σ θ_e. */
  static Map<String, Double> truth(Path file) {
    Map<String, Double> truth = new HashMap<>();
    try {
      for (JsonNode e : new ObjectMapper().readTree(file.toFile()).get("entities")) {
        double stickiness = 1;
        for (JsonNode theta : e.get("theta")) {
          stickiness += theta.asDouble();
        }
        truth.put(e.get("level").asText() + "/" + e.get("entity_id").asText(), stickiness);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return truth;
  }

  /** The backtest table against the truth, over the held-out entities that pass the filter. */
  static List<TruthRow> againstTruth(Level level, Predicate<HeldOut> filter) {
    List<HeldOut> held = level.heldOut().stream().filter(filter).toList();
    List<TruthRow> rows = new ArrayList<>();
    for (int c = 0; c < StickinessModel.BACKTEST_DAYS.size(); c++) {
      double model = 0;
      double prior = 0;
      double scaled = 0;
      double gapSquares = 0;
      int covered = 0;
      for (HeldOut e : held) {
        double truth = truthOf(level, e);
        HeldOutDays d = e.byDays().get(c);
        double error = Math.abs(d.predicted() - truth);
        double gap = error - Math.abs(d.priorMean() - truth);
        model += error;
        prior += Math.abs(d.priorMean() - truth);
        scaled += Math.abs(d.scaledCount() - truth);
        gapSquares += gap * gap;
        covered += error <= StickinessModel.Z_90 * Math.sqrt(Math.max(0, d.variance())) ? 1 : 0;
      }
      int n = held.size();
      double meanGap = (model - prior) / n;
      double se = n < 2 ? Double.NaN : Math.sqrt((gapSquares / n - meanGap * meanGap) / (n - 1));
      rows.add(new TruthRow(StickinessModel.BACKTEST_DAYS.get(c), n, model / n, prior / n, scaled / n,
          (double) covered / n, se));
    }
    return rows;
  }

  private static double truthOf(Level level, HeldOut e) {
    Double truth = level.truth().get(e.entityId());
    if (truth == null) {
      throw new AssertionError(level.name() + " " + e.entityId() + " has model discoveries but no line in _truth.json");
    }
    return truth;
  }

  /** The seeds' levels as one: entity ids prefixed with the seed, each entity with its own seed's prediction. */
  static Level pool(List<Level> levels) {
    List<HeldOut> held = new ArrayList<>();
    Map<String, Double> truth = new HashMap<>();
    int qualifying = 0;
    int traces = 0;
    for (Level l : levels) {
      for (HeldOut e : l.heldOut()) {
        String id = l.seed() + "/" + e.entityId();
        held.add(new HeldOut(id, e.fold(), e.discoverers(), e.realised(), e.noiseVariance(), e.byDays()));
        truth.put(id, truthOf(l, e));
      }
      qualifying += l.qualifying();
      traces += l.traces();
    }
    return new Level(levels.get(0).name(), -1, qualifying, traces, held, truth);
  }

  /**
   * MAE after 14 days over the prior mean's on entities with at least {@link #LARGE} discoverers, with the standard
   * error of that ratio (delta method over the entities).
   */
  static String ratioAfter14Days(Level level) {
    int c = StickinessModel.BACKTEST_DAYS.indexOf(14);
    List<HeldOut> held = level.heldOut().stream().filter(e -> e.discoverers() >= LARGE).toList();
    int n = held.size();
    if (n < 2) {
      return String.format("  %d entities with >= %d discoverers: no ratio%n", n, LARGE);
    }
    double[] a = new double[n];
    double[] b = new double[n];
    double sa = 0;
    double sb = 0;
    for (int i = 0; i < n; i++) {
      double truth = truthOf(level, held.get(i));
      a[i] = Math.abs(held.get(i).byDays().get(c).predicted() - truth);
      b[i] = Math.abs(held.get(i).byDays().get(c).priorMean() - truth);
      sa += a[i];
      sb += b[i];
    }
    double ratio = sa / sb;
    double residuals = 0;
    for (int i = 0; i < n; i++) {
      double r = a[i] - ratio * b[i];
      residuals += r * r;
    }
    double se = Math.sqrt(residuals / (n - 1) / n) / (sb / n);
    return String.format("  %d entities with >= %d discoverers: MAE after 14 days / prior mean's = %.3f (se %.3f)%n",
        n, LARGE, ratio, se);
  }

  // ---------------------------------------------------------------------------------------------- printing

  static String describe(Level level) {
    long large = level.heldOut().stream().filter(e -> e.discoverers() >= LARGE).count();
    StringBuilder s = new StringBuilder(String.format(
        "%s, %s: %d qualifying entities (>= %d mature model discoveries in the fit window), %d traces in the "
            + "fit window, %d held out, %d of them with >= %d discoverers%n",
        level.seed() < 0 ? "seeds pooled" : "seed " + level.seed(), level.name(), level.qualifying(), MIN_DISCOVERERS,
        level.traces(), level.heldOut().size(), large, LARGE));
    s.append(truthTable("  against the truth, every held-out entity", againstTruth(level, e -> true)));
    if (large > 0) {
      s.append(truthTable("  against the truth, entities with >= " + LARGE + " discoverers",
          againstTruth(level, e -> e.discoverers() >= LARGE)));
      s.append(ratioAfter14Days(level));
    }
    s.append(realisedTable(
        "  against the realised means (StickinessModel.summarise; interval with the sampling noise)", level.heldOut()));
    return s.toString();
  }

  static String describe(StickinessModel.Fit fit) {
    if (fit.prior() == null) {
      return String.format("%d entities, %d traces: no prior (%s)", fit.entities(), fit.traces(), fit.noPriorReason());
    }
    double sigma = 0;
    double noise = 0;
    for (int i = 0; i < W; i++) {
      for (int j = 0; j < W; j++) {
        sigma += fit.prior().cov()[i][j];
        noise += fit.prior().noise()[i][j];
      }
    }
    return String.format("%d entities, %d traces: prior mean stickiness %.3f, 1'Σ1 %.3f, 1'V1 %.3f", fit.entities(),
        fit.traces(), fit.prior().stickiness(), sigma, noise);
  }

  static String realisedTable(String title, List<HeldOut> heldOut) {
    StringBuilder s = new StringBuilder(title).append('\n');
    s.append("     k | entities | MAE model | MAE prior mean | MAE scaled count | coverage 90 %\n");
    for (BacktestRow r : StickinessModel.summarise(heldOut)) {
      s.append(String.format("    %2d | %8d | %9.4f | %14.4f | %16s | %.3f%n", r.daysObserved(), r.entities(), r.mae(),
          r.maePriorMean(), r.maeScaledCount() == null ? "-" : String.format("%.4f", r.maeScaledCount()),
          r.coverage90()));
    }
    return s.toString();
  }

  static String truthTable(String title, List<TruthRow> rows) {
    StringBuilder s = new StringBuilder(title).append('\n');
    s.append("     k | entities | MAE model | MAE prior mean | MAE scaled count | model/prior (se of gap) "
        + "| coverage 90 %\n");
    for (TruthRow r : rows) {
      s.append(String.format("    %2d | %8d | %9.4f | %14.4f | %16s | %.3f (%.4f) | %.3f%n", r.days(), r.entities(),
          r.mae(), r.maePriorMean(), r.days() == 0 ? "-" : String.format("%.4f", r.maeScaledCount()),
          r.mae() / r.maePriorMean(), r.sePriorGap(), r.coverage90()));
    }
    return s.toString();
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
