package dev.encore.rewards;

import dev.encore.avro.Activity;
import dev.encore.predictions.DiscoveryTrace;
import dev.encore.records.RecordCoder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Stage 3: computes the reward rows of the anchor days a run publishes from the daily activity (never from raw
 * logs): user retention per (user, anchor), discovery labels per (user, entity), and entity statistics per
 * (entity, discovery day). Each output is keyed by its dt partition.
 */
public class ComputeRewards extends PTransform<PCollection<Activity>, PCollectionTuple> {
  public static final TupleTag<KV<String, GenericRecord>> USER_REWARDS = new TupleTag<>() {};
  public static final TupleTag<KV<String, GenericRecord>> USER_ENTITY_REWARDS = new TupleTag<>() {};
  public static final TupleTag<KV<String, GenericRecord>> ENTITY_REWARDS = new TupleTag<>() {};
  /**
   * The traces of the model discoveries on the model days, keyed by entity level and as-of date ({@link #traceKey};
   * docs/rewards.md, Predictions).
   */
  public static final TupleTag<KV<String, DiscoveryTrace>> TRACES = new TupleTag<>() {};
  private static final TupleTag<KV<String, List<Long>>> DISCOVERY_STATS = new TupleTag<>() {};

  private final RewardSpec spec;
  private final List<AsOf> asOfs;
  private final PCollectionView<List<Long>> incompleteArrivals;

  /**
   * @param finality the run's final days, as known before reading (its date T is {@code as_of})
   * @param anchors the anchor/discovery days whose partitions the run publishes, epoch days
   */
  public ComputeRewards(RewardSpec spec, Finality finality, List<Long> anchors) {
    this(spec, List.of(new AsOf(finality, anchors)));
  }

  /** Labels as of each of {@code asOfs}: one for a nightly run, one per date for a one-pass backfill. */
  public ComputeRewards(RewardSpec spec, List<AsOf> asOfs) {
    this(spec, asOfs, null);
  }

  private ComputeRewards(RewardSpec spec, List<AsOf> asOfs, PCollectionView<List<Long>> incompleteArrivals) {
    this.spec = spec;
    this.asOfs = List.copyOf(asOfs);
    this.incompleteArrivals = incompleteArrivals;
  }

  /**
   * The same, with arrival days found incomplete while reading (a file skipped as corrupt) no longer complete:
   * the days they could hold plays of are then not final.
   */
  public ComputeRewards withIncompleteArrivals(PCollectionView<List<Long>> days) {
    return new ComputeRewards(spec, asOfs, days);
  }

  /** The key of a trace in {@link #TRACES}: its entity level and the as-of date (epoch day) it is a trace as of. */
  public static String traceKey(String level, long asOf) {
    return level + "\u0000" + asOf;
  }

  /** The entity level of a {@link #traceKey}. */
  public static String traceLevel(String key) {
    return key.substring(0, key.indexOf('\u0000'));
  }

  /** The as-of date (epoch day) of a {@link #traceKey}. */
  public static long traceAsOf(String key) {
    return Long.parseLong(key.substring(key.indexOf('\u0000') + 1));
  }

  @Override
  public PCollectionTuple expand(PCollection<Activity> activity) {
    long t = asOfs.stream().mapToLong(AsOf::date).max().orElseThrow();
    // The labels ignore days after the last as-of date anyway; leaving them out here keeps them out of the shuffle.
    PCollection<Activity> observed =
        activity.apply("KeepObservedDays", Filter.by(a -> a.getActivityDate().toEpochDay() <= t));

    // One shuffle: a user's activity rows of every level together give both the user's retention labels and
    // the user's discoveries.
    ParDo.SingleOutput<KV<String, Iterable<Activity>>, KV<String, GenericRecord>> label =
        ParDo.of(new LabelUserFn(spec, asOfs, incompleteArrivals));
    if (incompleteArrivals != null) {
      label = label.withSideInputs(incompleteArrivals);
    }
    PCollectionTuple perUser =
        observed
            .apply("KeyByUser", WithKeys.of(Activity::getUserId).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(Activity.class)))
            .apply("GroupActivityByUser", GroupByKey.create())
            .apply("LabelUsersAndDiscoveries",
                label.withOutputTags(
                USER_REWARDS, TupleTagList.of(USER_ENTITY_REWARDS).and(DISCOVERY_STATS).and(TRACES)));
    perUser.get(USER_REWARDS).setCoder(rowCoder(RewardSchemas.userRewards(spec)));
    perUser.get(USER_ENTITY_REWARDS).setCoder(rowCoder(RewardSchemas.userEntityRewards(spec)));
    perUser.get(DISCOVERY_STATS).setCoder(KvCoder.of(StringUtf8Coder.of(), ListCoder.of(VarLongCoder.of())));
    perUser.get(TRACES).setCoder(KvCoder.of(StringUtf8Coder.of(), DiscoveryTrace.Coder.of()));

    PCollection<KV<String, GenericRecord>> entityRewards =
        perUser
            .get(DISCOVERY_STATS)
            .apply("SumPerEntityAndDay", Combine.perKey(new SumLists()))
            .apply("LabelEntities", ParDo.of(new EntityRewardsFn(spec)))
            .setCoder(rowCoder(RewardSchemas.entityRewards(spec)));

    return PCollectionTuple.of(USER_REWARDS, perUser.get(USER_REWARDS))
        .and(USER_ENTITY_REWARDS, perUser.get(USER_ENTITY_REWARDS))
        .and(ENTITY_REWARDS, entityRewards)
        .and(TRACES, perUser.get(TRACES));
  }

  private static KvCoder<String, GenericRecord> rowCoder(Schema schema) {
    return KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(schema));
  }

  private static String dt(long day) {
    return RewardRows.dt(day);
  }

  /** Per user: {@link UserRewardLabels}, its rows keyed by their dt partition, its shares by entity and day. */
  static class LabelUserFn extends DoFn<KV<String, Iterable<Activity>>, KV<String, GenericRecord>> {
    private final RewardSpec spec;
    private final List<AsOf> asOfs;
    private final PCollectionView<List<Long>> incompleteArrivals;
    private transient UserRewardLabels labels;

    LabelUserFn(RewardSpec spec, List<AsOf> asOfs, PCollectionView<List<Long>> incompleteArrivals) {
      this.spec = spec;
      this.asOfs = asOfs;
      this.incompleteArrivals = incompleteArrivals;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<Activity>> user, MultiOutputReceiver out, ProcessContext context) {
      if (labels == null) {
        // The side input is the same for every element (one global window): read it once per instance.
        List<AsOf> effective = asOfs;
        if (incompleteArrivals != null) {
          Set<Long> incomplete = new HashSet<>(context.sideInput(incompleteArrivals));
          effective = asOfs.stream().map(a -> a.without(incomplete)).toList();
        }
        labels = new UserRewardLabels(spec, effective);
      }
      UserRewardLabels.Labels l = labels.of(user.getKey(), user.getValue());
      for (UserRewardLabels.DayRow r : l.userRewards()) {
        out.get(USER_REWARDS).output(KV.of(dt(r.day()), r.row()));
      }
      for (UserRewardLabels.DayRow r : l.discoveries()) {
        out.get(USER_ENTITY_REWARDS).output(KV.of(dt(r.day()), r.row()));
      }
      for (UserRewardLabels.EntityShare s : l.entityShares()) {
        // days_final is the discovery day's as of its as-of date, the same for every share of the key.
        out.get(DISCOVERY_STATS).output(KV.of(s.level() + "\u0000" + s.entityId() + "\u0000" + s.day() + "\u0000"
            + s.daysFinal() + "\u0000" + s.asOf(), s.stats()));
      }
      for (UserRewardLabels.LevelTrace t : l.traces()) {
        out.get(TRACES).output(KV.of(traceKey(t.level(), t.asOf()), t.trace()));
      }
    }
  }

  /** Element-wise sum of equally long lists. */
  static class SumLists extends Combine.BinaryCombineFn<List<Long>> {
    @Override
    public List<Long> apply(List<Long> a, List<Long> b) {
      return RewardRows.sum(a, b);
    }
  }

  /** Turns an entity's summed discovery statistics into its row. */
  static class EntityRewardsFn extends DoFn<KV<String, List<Long>>, KV<String, GenericRecord>> {
    private final RewardSpec spec;
    private transient Schema schema;

    EntityRewardsFn(RewardSpec spec) {
      this.spec = spec;
    }

    @Setup
    public void setup() {
      schema = RewardSchemas.entityRewards(spec);
    }

    @ProcessElement
    public void process(@Element KV<String, List<Long>> entity, OutputReceiver<KV<String, GenericRecord>> out) {
      String[] key = entity.getKey().split("\u0000", 5);
      long d = Long.parseLong(key[2]);
      long asOf = Long.parseLong(key[4]);
      List<Long> stats = entity.getValue();
      GenericRecord r =
          RewardRows.entityReward(schema, spec, key[0], key[1], d, asOf, Integer.parseInt(key[3]), stats);
      out.output(KV.of(dt(d), r));
    }
  }
}
