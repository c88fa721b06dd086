package dev.encore.predictions;

import dev.encore.config.PredictionRules;
import dev.encore.predictions.PredictionRows.LevelFit;
import dev.encore.predictions.StickinessModel.Fit;
import dev.encore.records.RecordCoder;
import dev.encore.rewards.ComputeRewards;
import dev.encore.rewards.DiscoveryMath;
import dev.encore.rewards.RewardRows;
import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Stage 4: the stickiness predictions of run T (docs/rewards.md, "Predictions") from the model discoveries' traces
 * of {@link ComputeRewards}: per level the prior, fitted on the mature traces of the fit window, with its backtest
 * ({@link #REWARD_PRIORS}); per entity with recent discoveries its posterior prediction ({@link
 * #ENTITY_PREDICTIONS}); and the user_entity_rewards rows with the per-discovery predictions filled in ({@link
 * #USER_ENTITY_REWARDS}). Every output is keyed by its dt partition.
 */
public class PredictStickiness extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<KV<String, GenericRecord>> REWARD_PRIORS = new TupleTag<>() {};
  public static final TupleTag<KV<String, GenericRecord>> ENTITY_PREDICTIONS = new TupleTag<>() {};
  public static final TupleTag<KV<String, GenericRecord>> USER_ENTITY_REWARDS = new TupleTag<>() {};
  private static final TupleTag<KV<String, GenericRecord>> UNCHANGED = new TupleTag<>() {};
  private static final TupleTag<KV<String, KV<String, GenericRecord>>> TO_PREDICT = new TupleTag<>() {};
  private static final TupleTag<DiscoveryTrace> RECENT = new TupleTag<>() {};
  private static final TupleTag<KV<String, GenericRecord>> ROWS = new TupleTag<>() {};

  private final RewardSpec spec;
  private final PredictionRules rules;
  private final int maturityAge;
  private final List<Long> asOfs;
  private final int entityGroups;

  /**
   * @param maturityAge M: the fit window ends at T - M, the recent discoveries start after it
   * @param asOf the run's date T, epoch day
   * @param entityGroups 0: the entities are grouped one by one; n: in n groups per level, by a hash of the id (for
   *     the DirectRunner, which pays per key and bundle: see NightlyPipeline.userGroups)
   */
  public PredictStickiness(RewardSpec spec, PredictionRules rules, int maturityAge, long asOf, int entityGroups) {
    this(spec, rules, maturityAge, List.of(asOf), entityGroups);
  }

  /**
   * The predictions as of each of {@code asOfs} (epoch days; one per date of a one-pass backfill), each from the
   * traces {@link ComputeRewards} gives as of that date and for the rows labelled as of it.
   */
  public PredictStickiness(
      RewardSpec spec, PredictionRules rules, int maturityAge, List<Long> asOfs, int entityGroups) {
    this.spec = spec;
    this.rules = rules;
    this.maturityAge = maturityAge;
    this.asOfs = List.copyOf(asOfs);
    this.entityGroups = entityGroups;
  }

  /** First discovery day of the fit window, T - M - fit_days + 1. */
  public static long fitFrom(long asOf, int maturityAge, PredictionRules rules) {
    return fitTo(asOf, maturityAge) - rules.fitDays() + 1;
  }

  /** Last discovery day of the fit window, T - M. */
  public static long fitTo(long asOf, int maturityAge) {
    return asOf - maturityAge;
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple rewards) {
    // Traces are keyed by level and as-of date (ComputeRewards.traceKey): each date fits and predicts on its own.
    PCollection<KV<String, DiscoveryTrace>> traces = rewards.get(ComputeRewards.TRACES);
    int days = spec.traceLength();
    int m = maturityAge;
    PredictionRules r = rules;

    PCollection<KV<String, LevelFit>> fits = traces
        .apply("KeepMatureTracesOfFitWindow", Filter.by(kv -> {
          long asOf = ComputeRewards.traceAsOf(kv.getKey());
          long day = kv.getValue().day();
          return day >= fitFrom(asOf, m, r) && day <= fitTo(asOf, m) && kv.getValue().daysFinal() == days;
        }))
        .apply("GroupFitTracesByLevel", GroupByKey.create())
        .apply("FitPriorsAndBacktest", ParDo.of(new FitFn(days, rules, maturityAge)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(LevelFit.class)));
    PCollectionView<Map<String, LevelFit>> priors = fits.apply("PriorsByLevel", View.asMap());

    List<String> priorKeys = new ArrayList<>();
    for (long asOf : asOfs) {
      spec.levels().forEach(level -> priorKeys.add(ComputeRewards.traceKey(level, asOf)));
    }
    Schema priorSchema = PredictionSchemas.rewardPriors(spec.stickinessDays(), maturityAge);
    PCollection<KV<String, GenericRecord>> priorRows = rewards.getPipeline()
        .apply("EntityLevels", Create.of(priorKeys))
        .apply("RewardPriorRows", ParDo.of(new PriorRowFn(spec, priors, rules, maturityAge)).withSideInputs(priors))
        .setCoder(rowCoder(priorSchema));

    Schema rowSchema = RewardSchemas.userEntityRewards(spec);
    PCollectionTuple rows = rewards.get(ComputeRewards.USER_ENTITY_REWARDS)
        .apply("FindRowsToPredict", ParDo.of(new SplitRowsFn(entityGroups))
            .withOutputTags(UNCHANGED, TupleTagList.of(TO_PREDICT)));
    rows.get(UNCHANGED).setCoder(rowCoder(rowSchema));
    rows.get(TO_PREDICT).setCoder(KvCoder.of(StringUtf8Coder.of(), rowCoder(rowSchema)));

    int groups = entityGroups;
    PCollection<KV<String, DiscoveryTrace>> recent = traces
        .apply("KeepRecentTraces", Filter.by(kv ->
            kv.getValue().day() >= ComputeRewards.traceAsOf(kv.getKey()) - m + 1))
        .apply("KeyRecentByEntity", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(DiscoveryTrace.class)))
            .via(kv -> KV.of(groupKey(kv.getKey(), kv.getValue().entityId(), groups), kv.getValue())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DiscoveryTrace.Coder.of()));

    Schema predictionSchema = PredictionSchemas.entityPredictions(spec.stickinessDays(), maturityAge);
    PCollectionTuple predicted = KeyedPCollectionTuple.of(RECENT, recent)
        .and(ROWS, rows.get(TO_PREDICT))
        .apply("GroupByEntity", CoGroupByKey.create())
        .apply("PredictEntitiesAndDiscoveries", ParDo.of(new PredictFn(spec, priors, maturityAge))
            .withSideInputs(priors)
            .withOutputTags(ENTITY_PREDICTIONS, TupleTagList.of(USER_ENTITY_REWARDS)));
    predicted.get(ENTITY_PREDICTIONS).setCoder(rowCoder(predictionSchema));
    predicted.get(USER_ENTITY_REWARDS).setCoder(rowCoder(rowSchema));

    PCollection<KV<String, GenericRecord>> userEntityRewards = PCollectionList
        .of(rows.get(UNCHANGED)).and(predicted.get(USER_ENTITY_REWARDS))
        .apply("AllUserEntityRewards", Flatten.pCollections());
    return PCollectionTuple.of(REWARD_PRIORS, priorRows)
        .and(ENTITY_PREDICTIONS, predicted.get(ENTITY_PREDICTIONS))
        .and(USER_ENTITY_REWARDS, userEntityRewards);
  }

  private static KvCoder<String, GenericRecord> rowCoder(Schema schema) {
    return KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(schema));
  }

  /**
   * The key an entity's traces and rows meet under: its level and as-of date ({@link ComputeRewards#traceKey}) and
   * its id, or a group of ids.
   */
  private static String groupKey(String traceKey, String entityId, int groups) {
    return traceKey + "\u0000"
        + (groups == 0 ? entityId : Integer.toString(Math.floorMod(entityId.hashCode(), groups)));
  }

  /** The {@link ComputeRewards#traceKey} of a {@link #groupKey}: level and as-of date. */
  private static String traceKeyOf(String groupKey) {
    return groupKey.substring(0, groupKey.lastIndexOf('\u0000'));
  }

  /** Per level and as-of date: the prior and the backtest. */
  static class FitFn extends DoFn<KV<String, Iterable<DiscoveryTrace>>, KV<String, LevelFit>> {
    private final int days;
    private final PredictionRules rules;
    private final int maturityAge;

    FitFn(int days, PredictionRules rules, int maturityAge) {
      this.days = days;
      this.rules = rules;
      this.maturityAge = maturityAge;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<DiscoveryTrace>> level, OutputReceiver<KV<String, LevelFit>> out) {
      List<DiscoveryTrace> mature = new ArrayList<>();
      level.getValue().forEach(mature::add);
      long asOf = ComputeRewards.traceAsOf(level.getKey());
      out.output(KV.of(level.getKey(), PredictionRows.fitLevel(ComputeRewards.traceLevel(level.getKey()), mature,
          days, rules, fitFrom(asOf, maturityAge, rules), fitTo(asOf, maturityAge))));
    }
  }

  /** One reward_priors row per level and as-of date, also for a level with no mature trace at all. */
  static class PriorRowFn extends DoFn<String, KV<String, GenericRecord>> {
    private final RewardSpec spec;
    private final PCollectionView<Map<String, LevelFit>> priors;
    private final PredictionRules rules;
    private final int maturityAge;

    PriorRowFn(RewardSpec spec, PCollectionView<Map<String, LevelFit>> priors, PredictionRules rules,
        int maturityAge) {
      this.spec = spec;
      this.priors = priors;
      this.rules = rules;
      this.maturityAge = maturityAge;
    }

    /** @param key a {@link ComputeRewards#traceKey}: level and as-of date */
    @ProcessElement
    public void process(@Element String key, OutputReceiver<KV<String, GenericRecord>> out, ProcessContext c) {
      long asOf = ComputeRewards.traceAsOf(key);
      LevelFit fit = c.sideInput(priors).get(key);
      if (fit == null) {
        fit = new LevelFit(ComputeRewards.traceLevel(key), new Fit(null, StickinessModel.TOO_FEW_ENTITIES, 0, 0),
            List.of(), fitFrom(asOf, maturityAge, rules), fitTo(asOf, maturityAge));
      }
      Schema schema = PredictionSchemas.rewardPriors(spec.stickinessDays(), maturityAge);
      out.output(KV.of(dt(asOf), PredictionRows.rewardPrior(schema, spec.stickinessDays(), fit, asOf)));
    }
  }

  /** Sends the rows that get a per-discovery prediction to their entity; the others pass unchanged. */
  static class SplitRowsFn extends DoFn<KV<String, GenericRecord>, KV<String, GenericRecord>> {
    private final int entityGroups;

    SplitRowsFn(int entityGroups) {
      this.entityGroups = entityGroups;
    }

    @ProcessElement
    public void process(@Element KV<String, GenericRecord> row, MultiOutputReceiver out) {
      GenericRecord r = row.getValue();
      boolean model = DiscoveryMath.NEW_TO_ENTITY.equals(String.valueOf(r.get("discovery_kind")));
      if (model && !(Boolean) r.get("trace_mature")) {
        // Predicted as of the date the row is labelled as of.
        String traceKey = ComputeRewards.traceKey(r.get("entity_level").toString(), (Integer) r.get("as_of"));
        out.get(TO_PREDICT).output(KV.of(groupKey(traceKey, r.get("entity_id").toString(), entityGroups), row));
      } else {
        out.get(UNCHANGED).output(row);
      }
    }
  }

  /**
   * Per entity: its posterior from its recent discoveries, its entity_predictions row (when it has recent
   * discoveries) and its rows to predict with their predictions (null without a prior).
   */
  static class PredictFn extends DoFn<KV<String, CoGbkResult>, KV<String, GenericRecord>> {
    private final RewardSpec spec;
    private final PCollectionView<Map<String, LevelFit>> priors;
    private final int maturityAge;
    private transient Schema predictionSchema;

    PredictFn(RewardSpec spec, PCollectionView<Map<String, LevelFit>> priors, int maturityAge) {
      this.spec = spec;
      this.priors = priors;
      this.maturityAge = maturityAge;
    }

    @Setup
    public void setup() {
      predictionSchema = PredictionSchemas.entityPredictions(spec.stickinessDays(), maturityAge);
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> group, MultiOutputReceiver out, ProcessContext c) {
      String traceKey = traceKeyOf(group.getKey());
      String level = ComputeRewards.traceLevel(traceKey);
      long asOf = ComputeRewards.traceAsOf(traceKey);
      LevelFit fit = c.sideInput(priors).get(traceKey);
      StickinessModel.Prior prior = fit == null ? null : fit.fit().prior();
      // A group holds one entity or several (entityGroups): sort them out by id.
      Map<String, List<DiscoveryTrace>> traces = new TreeMap<>();
      Map<String, List<KV<String, GenericRecord>>> rows = new TreeMap<>();
      for (DiscoveryTrace t : group.getValue().getAll(RECENT)) {
        traces.computeIfAbsent(t.entityId(), id -> new ArrayList<>()).add(t);
        rows.putIfAbsent(t.entityId(), new ArrayList<>());
      }
      for (KV<String, GenericRecord> row : group.getValue().getAll(ROWS)) {
        rows.computeIfAbsent(row.getValue().get("entity_id").toString(), id -> new ArrayList<>()).add(row);
      }
      for (Map.Entry<String, List<KV<String, GenericRecord>>> entity : rows.entrySet()) {
        predict(level, asOf, entity.getKey(), traces.getOrDefault(entity.getKey(), List.of()), entity.getValue(),
            prior, out);
      }
    }

    private void predict(String level, long asOf, String entityId, List<DiscoveryTrace> recent,
        List<KV<String, GenericRecord>> rows, StickinessModel.Prior prior, MultiOutputReceiver out) {
      PredictionRows.EntityPredictions p = PredictionRows.predictEntity(predictionSchema, spec.stickinessDays(),
          level, entityId, asOf, prior, recent, rows.stream().map(KV::getValue).toList());
      if (p.entityRow() != null) {
        out.get(ENTITY_PREDICTIONS).output(KV.of(dt(asOf), p.entityRow()));
      }
      for (int i = 0; i < rows.size(); i++) {
        out.get(USER_ENTITY_REWARDS).output(KV.of(rows.get(i).getKey(), p.rows().get(i)));
      }
    }
  }

  private static String dt(long day) {
    return RewardRows.dt(day);
  }
}
