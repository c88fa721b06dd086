package dev.encore.predictions;

import dev.encore.config.PredictionRules;
import dev.encore.predictions.PredictionRows.LevelFit;
import dev.encore.predictions.StickinessModel.Evidence;
import dev.encore.predictions.StickinessModel.Fit;
import dev.encore.predictions.StickinessModel.Posterior;
import dev.encore.predictions.StickinessModel.Prediction;
import dev.encore.records.RecordCoder;
import dev.encore.rewards.ComputeRewards;
import dev.encore.rewards.RewardRows;
import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import dev.encore.rewards.UserRewardColumns;
import dev.encore.testing.TestPipelines;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PredictStickiness} on hand-built traces: which traces go into the fit (the window (T - M - fit_days, T - M],
 * mature only, entities with min_discoverers), which are recent (D in (T - M, T]), which rows get a per-discovery
 * prediction, and a row per level also without a prior. The numbers are the model's ({@link StickinessModel},
 * checked by hand in StickinessModelTest and against NumPy in IndependentPredictionCheckTest); this test checks the
 * stage around it.
 *
 * <p>W = 3 (stickiness_4), M = 6, fit_days = 10, min_discoverers = 2, T = 100: fit window 85 .. 94, recent 95 .. 100.
 */
class PredictStickinessTest {
  private static final double RIDGE = 0.1;
  private static final PredictionRules RULES = new PredictionRules(10, 2, RIDGE);
  private static final int M = 6;
  private static final long T = 100;
  private static final RewardSpec SPEC = new RewardSpec(
      Map.of(UserRewardColumns.ACTIVE_DAYS, List.of(3)), List.of("artist", "show"), 60, 4, List.of(), 3, RULES, M);
  private static final StickinessModel MODEL = new StickinessModel(3, 2, RIDGE);
  private static final Schema ROW = RewardSchemas.userEntityRewards(SPEC);

  // Fit set: A (3 traces) and B (2); C has one, below min_discoverers.
  private static final List<DiscoveryTrace> FIT = List.of(
      trace("A", 90, 3, 1), trace("A", 90, 3, 1, 2), trace("A", 91, 3),
      trace("B", 88, 3, 1, 2, 3), trace("B", 85, 3, 2), trace("C", 86, 3, 1));
  // Left out of the fit: before the window, after it, and one not mature in it.
  private static final List<DiscoveryTrace> OUTSIDE_FIT =
      List.of(trace("A", 84, 3, 1, 2, 3), trace("B", 93, 2, 1, 2));
  private static final List<DiscoveryTrace> RECENT = List.of(
      trace("A", 96, 1, 1), trace("A", 97, 0), trace("B", 95, 2, 2), trace("E", 96, 1));

  /** Entities grouped one by one (0) and several to a key (2, as on the DirectRunner): the same rows. */
  @ParameterizedTest
  @ValueSource(ints = {0, 2})
  void fitsPredictsEntitiesAndFillsInTheRowsToPredict(int groups) {
    List<KV<String, DiscoveryTrace>> traces = new ArrayList<>();
    for (List<DiscoveryTrace> set : List.of(FIT, OUTSIDE_FIT, RECENT)) {
      set.forEach(t -> traces.add(KV.of(ComputeRewards.traceKey("artist", T), t)));
    }
    GenericRecord toPredict = row("u1", "A", 96, "new_to_entity", 1, false, true, null, null);
    GenericRecord newUser = row("u2", "E", 96, "new_user", 1, false, false, null, null);
    GenericRecord mature = row("u3", "A", 94, "new_to_entity", 3, true, false, null, null);

    TestPipeline p = TestPipelines.create();
    PCollectionTuple rewards = PCollectionTuple
        .of(ComputeRewards.TRACES, p.apply("Traces", Create.of(traces)
            .withCoder(KvCoder.of(StringUtf8Coder.of(), DiscoveryTrace.Coder.of()))))
        .and(ComputeRewards.USER_ENTITY_REWARDS, p.apply("Rows", Create.of(
                KV.of(RewardRows.dt(96), toPredict), KV.of(RewardRows.dt(96), newUser), KV.of(RewardRows.dt(94), mature))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(ROW)))));
    PCollectionTuple out = rewards.apply(new PredictStickiness(SPEC, RULES, M, T, groups));

    Fit fit = MODEL.fit(FIT);
    StickinessModel.Prior prior = fit.prior();
    Schema priors = PredictionSchemas.rewardPriors(4, M);
    String dt = RewardRows.dt(T);
    PAssert.that(out.get(PredictStickiness.REWARD_PRIORS)).containsInAnyOrder(
        KV.of(dt, PredictionRows.rewardPrior(priors, 4,
            new LevelFit("artist", fit, StickinessModel.summarise(MODEL.backtest(FIT)), 85, 94), T)),
        KV.of(dt, PredictionRows.rewardPrior(priors, 4,
            new LevelFit("show", new Fit(null, StickinessModel.TOO_FEW_ENTITIES, 0, 0), List.of(), 85, 94), T)));

    Schema predictions = PredictionSchemas.entityPredictions(4, M);
    PAssert.that(out.get(PredictStickiness.ENTITY_PREDICTIONS)).containsInAnyOrder(
        KV.of(dt, entity(predictions, prior, "A", RECENT.subList(0, 2))),
        KV.of(dt, entity(predictions, prior, "B", RECENT.subList(2, 3))),
        KV.of(dt, entity(predictions, prior, "E", RECENT.subList(3, 4))));

    // u1's row: its entity A's posterior from A's recent discoveries, conditioned on its own first day.
    Posterior a = MODEL.posterior(prior, Evidence.of(RECENT.subList(0, 2), 3));
    Prediction own = MODEL.discoveries(a.mean(), a.cov(), prior.noise()).predict(trace("A", 96, 1, 1));
    GenericRecord predicted = row("u1", "A", 96, "new_to_entity", 1, false, true, own.mean(), own.sd());
    PAssert.that(out.get(PredictStickiness.USER_ENTITY_REWARDS)).containsInAnyOrder(
        KV.of(RewardRows.dt(96), predicted), KV.of(RewardRows.dt(96), newUser), KV.of(RewardRows.dt(94), mature));
    p.run().waitUntilFinish();
  }

  private static GenericRecord entity(
      Schema schema, StickinessModel.Prior prior, String id, List<DiscoveryTrace> recent) {
    Evidence evidence = Evidence.of(recent, 3);
    Posterior posterior = MODEL.posterior(prior, evidence);
    return PredictionRows.entityPrediction(schema, 4, "artist", id, T, evidence, recent.size(),
        new Prediction(posterior.stickiness(), posterior.sd()));
  }

  /** A trace of entity e discovered on day, active on the given days after it (1-based). */
  private static DiscoveryTrace trace(String e, long day, int daysFinal, int... active) {
    BitSet bits = new BitSet();
    Arrays.stream(active).forEach(j -> bits.set(j - 1));
    return new DiscoveryTrace(e, day, daysFinal, bits);
  }

  /** A user_entity_rewards row of stickiness 4 (trace of 3), no discovery horizons. */
  private static GenericRecord row(String user, String entity, int day, String kind, int daysFinal,
      boolean traceMature, boolean firstDayActive, Double pred, Double sd) {
    GenericRecord r = new GenericData.Record(ROW);
    r.put("user_id", user);
    r.put("entity_level", "artist");
    r.put("entity_id", entity);
    r.put("discovery_date", day);
    List<Boolean> trace = new ArrayList<>();
    for (int k = 1; k <= 3; k++) {
      trace.add(k > daysFinal ? null : k == 1 && firstDayActive);
    }
    r.put("trace", trace);
    r.put("stickiness_4", traceMature ? 1 + (firstDayActive ? 1 : 0) : null);
    r.put("discovery_kind", kind);
    r.put("discovery_ts", 0L);
    r.put("discovery_item_id", "i");
    r.put("lookback_complete", true);
    r.put("as_of", (int) T);
    r.put("days_final", daysFinal);
    r.put("trace_mature", traceMature);
    r.put("stickiness_4_pred", pred);
    r.put("stickiness_4_pred_sd", sd);
    return r;
  }
}
