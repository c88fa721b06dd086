package dev.encore.predictions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import dev.encore.config.JobDefinition;
import dev.encore.generate.GenerateCommand;
import dev.encore.predictions.StickinessModel.DiscoveryPredictor;
import dev.encore.predictions.StickinessModel.Evidence;
import dev.encore.predictions.StickinessModel.Posterior;
import dev.encore.predictions.StickinessModel.Prediction;
import dev.encore.predictions.StickinessModel.Prior;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which (a, B) the per-discovery prediction conditions on (docs/rewards.md, "Predictions", step 9), chosen by a
 * backtest as the issue asks: held-out entities of generated data (8,000 listeners, 800,000 plays, 184 days, seed 1;
 * 5 folds), each discovery predicted from its own first k days with (a) the prior (μ, Σ) and (b) its entity's
 * posterior (m, C) from every discoverer's first k days, against the discovery's own realised stickiness_60. The
 * posterior does better after 1 and 7 days (the ages at which non-mature rows are published, 4 and 10, give these),
 * where the entity's other discoverers know more than the discovery's own prefix; after 28 days the two differ by
 * under 1 % (measured: 1.4201 vs 1.4316, 0.7379 vs 0.7394, 0.3373 vs 0.3351 with the prior). The pipeline uses
 * the posterior. Slow (about 30 s): {@code -Dencore.slow=true}.
 */
class DiscoveryPredictionChoiceTest {
  private static final int W = 59;
  private static final int MIN_DISCOVERERS = 5;
  private static final double RIDGE = JobDefinition.builtIn().predictions().ridge();

  @TempDir Path tmp;

  @Test
  @EnabledIfSystemProperty(named = "encore.slow", matches = "true")
  void theEntitysPosteriorPredictsADiscoveryBetterThanThePrior() {
    Path logs = tmp.resolve("logs");
    int code = GenerateCommand.run(new String[] {
        "--output=" + logs, "--from=2024-01-01", "--days=184", "--users=8000", "--plays=800000", "--seed=1",
        "--allowedLatenessDays=3", "--bot=false"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(code, equalTo(0));
    List<DiscoveryTrace> mature = new LoggedDiscoveries(logs, 3).fitSet("artist");
    StickinessModel model = new StickinessModel(W, MIN_DISCOVERERS, RIDGE);
    Map<String, List<DiscoveryTrace>> byEntity = new TreeMap<>();
    mature.forEach(t -> byEntity.computeIfAbsent(t.entityId(), id -> new ArrayList<>()).add(t));
    for (int k : new int[] {1, 7, 28}) {
      double fromPrior = 0;
      double fromPosterior = 0;
      int n = 0;
      for (int fold = 0; fold < StickinessModel.FOLDS; fold++) {
        List<DiscoveryTrace> training = new ArrayList<>();
        List<String> held = new ArrayList<>();
        for (Map.Entry<String, List<DiscoveryTrace>> e : byEntity.entrySet()) {
          if (e.getValue().size() < MIN_DISCOVERERS) {
            continue;
          }
          if (StickinessModel.fold(e.getKey()) == fold) {
            held.add(e.getKey());
          } else {
            training.addAll(e.getValue());
          }
        }
        Prior prior = model.fit(training).prior();
        DiscoveryPredictor withPrior = model.discoveries(prior.mean(), prior.cov(), prior.noise());
        for (String id : held) {
          List<DiscoveryTrace> truncated = byEntity.get(id).stream().map(t -> truncated(t, k)).toList();
          Posterior posterior = model.posterior(prior, Evidence.of(truncated, W));
          DiscoveryPredictor withPosterior = model.discoveries(posterior.mean(), posterior.cov(), prior.noise());
          for (DiscoveryTrace t : byEntity.get(id)) {
            double realised = 1 + t.active().cardinality();
            Prediction a = withPrior.predict(truncated(t, k));
            Prediction b = withPosterior.predict(truncated(t, k));
            fromPrior += Math.abs(a.mean() - realised);
            fromPosterior += Math.abs(b.mean() - realised);
            n++;
          }
        }
      }
      System.out.printf("k = %d: %d discoveries, MAE from the prior %.4f, from the entity's posterior %.4f%n",
          k, n, fromPrior / n, fromPosterior / n);
      if (k < 28) {
        assertThat("k = " + k, fromPosterior / n, lessThan(fromPrior / n));
      } else {
        // After 28 days the discovery's own month dominates: measured 0.3373 against 0.3351 (seed 1).
        assertThat("k = 28", Math.abs(fromPosterior - fromPrior) / fromPrior, lessThan(0.01));
      }
    }
  }

  private static DiscoveryTrace truncated(DiscoveryTrace t, int k) {
    BitSet active = (BitSet) t.active().clone();
    active.clear(k, Math.max(k, active.length()));
    return new DiscoveryTrace(t.entityId(), t.day(), k, active);
  }
}
