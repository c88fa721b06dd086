package dev.encore.rewards;

import dev.encore.avro.Activity;
import dev.encore.records.RecordCoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
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
  private static final TupleTag<KV<String, List<Long>>> DISCOVERY_STATS = new TupleTag<>() {};

  private final RewardSpec spec;
  private final long asOf;
  private final long firstInputDay;
  private final List<Long> anchors;

  /**
   * @param asOf the run's date T, epoch day
   * @param firstInputDay the first arrival day present (F), epoch day
   * @param anchors the anchor/discovery days whose partitions the run publishes, epoch days
   */
  public ComputeRewards(RewardSpec spec, long asOf, long firstInputDay, List<Long> anchors) {
    this.spec = spec;
    this.asOf = asOf;
    this.firstInputDay = firstInputDay;
    this.anchors = List.copyOf(anchors);
  }

  @Override
  public PCollectionTuple expand(PCollection<Activity> activity) {
    long t = asOf;
    PCollection<Activity> observed =
        activity.apply("KeepObservedDays", Filter.by(a -> a.getActivityDate().toEpochDay() <= t));

    // One shuffle: a user's activity rows of every level together give both the user's retention labels and
    // the user's discoveries.
    PCollectionTuple perUser =
        observed
            .apply("KeyByUser", WithKeys.of(Activity::getUserId).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(Activity.class)))
            .apply("GroupActivityByUser", GroupByKey.create())
            .apply(
                "LabelUsersAndDiscoveries",
                ParDo.of(new LabelUserFn(spec, asOf, firstInputDay, anchors))
                    .withOutputTags(USER_REWARDS, TupleTagList.of(USER_ENTITY_REWARDS).and(DISCOVERY_STATS)));
    perUser.get(USER_REWARDS).setCoder(rowCoder(RewardSchemas.userRewards(spec)));
    perUser.get(USER_ENTITY_REWARDS).setCoder(rowCoder(RewardSchemas.userEntityRewards(spec)));
    perUser.get(DISCOVERY_STATS).setCoder(KvCoder.of(StringUtf8Coder.of(), ListCoder.of(VarLongCoder.of())));

    PCollection<KV<String, GenericRecord>> entityRewards =
        perUser
            .get(DISCOVERY_STATS)
            .apply("SumPerEntityAndDay", Combine.perKey(new SumLists()))
            .apply("LabelEntities", ParDo.of(new EntityRewardsFn(spec, asOf)))
            .setCoder(rowCoder(RewardSchemas.entityRewards(spec)));

    return PCollectionTuple.of(USER_REWARDS, perUser.get(USER_REWARDS))
        .and(USER_ENTITY_REWARDS, perUser.get(USER_ENTITY_REWARDS))
        .and(ENTITY_REWARDS, entityRewards);
  }

  private static KvCoder<String, GenericRecord> rowCoder(Schema schema) {
    return KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(schema));
  }

  private static String dt(long day) {
    return RewardRows.dt(day);
  }

  /**
   * Per user: the retention labels of every published anchor the user was active on, and per entity the user
   * played, the discoveries on published days with their share of the entity statistics.
   */
  static class LabelUserFn extends DoFn<KV<String, Iterable<Activity>>, KV<String, GenericRecord>> {
    private final RewardSpec spec;
    private final long asOf;
    private final long firstInputDay;
    private final List<Long> anchors;
    private transient Schema userSchema;
    private transient Schema discoverySchema;

    LabelUserFn(RewardSpec spec, long asOf, long firstInputDay, List<Long> anchors) {
      this.spec = spec;
      this.asOf = asOf;
      this.firstInputDay = firstInputDay;
      this.anchors = anchors;
    }

    @Setup
    public void setup() {
      userSchema = RewardSchemas.userRewards(spec);
      discoverySchema = RewardSchemas.userEntityRewards(spec);
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Activity>> user, MultiOutputReceiver out) {
      NavigableMap<Long, UserRewardMath.Day> days = new TreeMap<>();
      Map<String, NavigableMap<Long, Activity>> entities = new HashMap<>();
      for (Activity a : user.getValue()) {
        long day = a.getActivityDate().toEpochDay();
        if (DailyActivity.USER_LEVEL.equals(a.getEntityLevel())) {
          days.put(day, new UserRewardMath.Day(a.getStreams(), a.getStreamMs()));
        } else {
          entities.computeIfAbsent(a.getEntityLevel() + "\u0000" + a.getEntityId(), k -> new TreeMap<>())
              .put(day, a);
        }
      }
      labelUser(user.getKey(), days, out.get(USER_REWARDS));
      for (NavigableMap<Long, Activity> rows : entities.values()) {
        labelDiscoveries(rows, out);
      }
    }

    private void labelUser(
        String userId, NavigableMap<Long, UserRewardMath.Day> days, OutputReceiver<KV<String, GenericRecord>> out) {
      if (days.isEmpty()) {
        return;
      }
      for (long d : anchors) {
        UserRewardMath.Labels l = UserRewardMath.labels(days, d, asOf, spec);
        if (l == null) {
          continue;
        }
        GenericRecord r = RewardRows.userReward(userSchema, userId, d, asOf, l);
        out.output(KV.of(dt(d), r));
      }
    }

    /** One (user, entity): its activity rows by day. */
    private void labelDiscoveries(NavigableMap<Long, Activity> rows, MultiOutputReceiver out) {
      NavigableSet<Long> days = rows.navigableKeySet();
      for (long d : anchors) {
        if (!DiscoveryMath.isDiscovery(days, d, spec)) {
          continue;
        }
        Activity first = rows.get(d);
        DiscoveryMath.Labels l = DiscoveryMath.labels(days, d, asOf, firstInputDay, spec);
        GenericRecord r = RewardRows.userEntityReward(discoverySchema, spec, first, d, asOf, l);
        out.get(USER_ENTITY_REWARDS).output(KV.of(dt(d), r));
        if (l.lookbackComplete()) {
          out.get(DISCOVERY_STATS).output(KV.of(
              first.getEntityLevel() + "\u0000" + first.getEntityId() + "\u0000" + d, RewardRows.discoveryStats(l)));
        }
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
    private final long asOf;
    private transient Schema schema;

    EntityRewardsFn(RewardSpec spec, long asOf) {
      this.spec = spec;
      this.asOf = asOf;
    }

    @Setup
    public void setup() {
      schema = RewardSchemas.entityRewards(spec);
    }

    @ProcessElement
    public void process(@Element KV<String, List<Long>> entity, OutputReceiver<KV<String, GenericRecord>> out) {
      String[] key = entity.getKey().split("\u0000", 3);
      long d = Long.parseLong(key[2]);
      List<Long> stats = entity.getValue();
      GenericRecord r = RewardRows.entityReward(schema, spec, key[0], key[1], d, asOf, stats);
      out.output(KV.of(dt(d), r));
    }
  }
}
