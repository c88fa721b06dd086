package dev.encore.rewards;

import dev.encore.avro.Activity;
import dev.encore.predictions.DiscoveryTrace;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * The reward labels of one user, as a plain function of the user's daily activity (every level): the user_rewards
 * rows of the published anchors the user was active on, and per entity the user played, the user_entity_rewards
 * rows of its discoveries on published days with their shares of the entity statistics. {@link ComputeRewards}'
 * DoFn and the benchmark's plain-Java reference both call it, so they cannot drift apart.
 */
public final class UserRewardLabels implements Serializable {
  private final RewardSpec spec;
  private final List<AsOf> asOfs;
  private transient Schema userSchema;
  private transient Schema discoverySchema;

  /** A reward row and the day of its dt partition (its anchor or discovery day, epoch day). */
  public record DayRow(long day, GenericRecord row) {}

  /**
   * One discovery's share of its entity's statistics ({@link RewardRows#discoveryStats}); only discoveries whose
   * lookback is complete have one.
   */
  public record EntityShare(String level, String entityId, long day, int daysFinal, long asOf, List<Long> stats) {}

  /** A model discovery's trace as of {@code asOf} (docs/rewards.md, "Predictions") and its entity level. */
  public record LevelTrace(String level, long asOf, DiscoveryTrace trace) {}

  /**
   * The labels of one user.
   *
   * @param userRewards user_rewards rows, in anchor order
   * @param discoveries user_entity_rewards rows, by (entity_level, entity_id), then in anchor order
   * @param entityShares the discoveries' shares of the entity_rewards statistics
   * @param traces the traces of the model discoveries on the model days, for the predictions
   */
  public record Labels(
      List<DayRow> userRewards, List<DayRow> discoveries, List<EntityShare> entityShares, List<LevelTrace> traces) {}

  /**
   * @param finality the final days of the run (its date T is {@code as_of})
   * @param anchors the anchor/discovery days whose partitions the run publishes, epoch days; those not final get
   *     no rows
   */
  public UserRewardLabels(RewardSpec spec, Finality finality, List<Long> anchors) {
    this(spec, List.of(new AsOf(finality, anchors)));
  }

  /**
   * The same, also giving the traces of every model discovery (lookback complete, new_to_entity) on the days
   * {@code firstModelDay} .. {@code lastModelDay} (epoch days), published or not.
   */
  public UserRewardLabels(
      RewardSpec spec, Finality finality, List<Long> anchors, long firstModelDay, long lastModelDay) {
    this(spec, List.of(new AsOf(finality, anchors, firstModelDay, lastModelDay)));
  }

  /**
   * Labels as of each of several dates (a one-pass backfill): each date's anchors and traces exactly as a run of
   * that date labels them, from the user's activity up to that date.
   */
  public UserRewardLabels(RewardSpec spec, List<AsOf> asOfs) {
    this.spec = spec;
    this.asOfs = List.copyOf(asOfs);
  }

  /** Labels one user from the user's activity rows, in any order; rows after the last as-of date are ignored. */
  public Labels of(String userId, Iterable<Activity> activity) {
    long last = asOfs.stream().mapToLong(AsOf::date).max().orElse(Long.MIN_VALUE);
    NavigableMap<Long, UserRewardMath.Day> days = new TreeMap<>();
    // (entity_level, entity_id) in key order → the user's rows of that entity by day.
    Map<String, NavigableMap<Long, Activity>> entities = new TreeMap<>();
    for (Activity a : activity) {
      long day = a.getActivityDate().toEpochDay();
      if (day > last) {
        continue;
      }
      if (DailyActivity.USER_LEVEL.equals(a.getEntityLevel())) {
        days.put(day, new UserRewardMath.Day(a.getStreams(), a.getStreamMs()));
      } else {
        entities.computeIfAbsent(a.getEntityLevel() + "\u0000" + a.getEntityId(), k -> new TreeMap<>())
            .put(day, a);
      }
    }
    Labels labels = new Labels(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (AsOf asOf : asOfs) {
      // As of a date only the rows up to it exist: a run of that date had read no later play.
      NavigableMap<Long, UserRewardMath.Day> userDays = days.headMap(asOf.date(), true);
      if (!userDays.isEmpty()) {
        for (long d : asOf.anchors()) {
          UserRewardMath.Labels l = UserRewardMath.labels(userDays, d, asOf.finality(), spec);
          if (l != null) {
            labels.userRewards().add(
                new DayRow(d, RewardRows.userReward(userSchema(), spec, userId, d, asOf.date(), l)));
          }
        }
      }
      for (NavigableMap<Long, Activity> rows : entities.values()) {
        NavigableMap<Long, Activity> upToDate = rows.headMap(asOf.date(), true);
        if (!upToDate.isEmpty()) {
          labelDiscoveries(upToDate, userDays.navigableKeySet(), asOf, labels);
        }
      }
    }
    return labels;
  }

  /** One (user, entity) as of one date: its activity rows by day. */
  private void labelDiscoveries(
      NavigableMap<Long, Activity> rows, NavigableSet<Long> userDays, AsOf asOf, Labels labels) {
    NavigableSet<Long> days = rows.navigableKeySet();
    Finality finality = asOf.finality();
    for (long d : asOf.anchors()) {
      if (!DiscoveryMath.isDiscovery(days, d, finality, spec)) {
        continue;
      }
      Activity first = rows.get(d);
      DiscoveryMath.Labels l = DiscoveryMath.labels(days, userDays, d, finality, spec);
      labels.discoveries().add(
          new DayRow(d, RewardRows.userEntityReward(discoverySchema(), spec, first, d, asOf.date(), l)));
      if (l.lookbackComplete()) {
        labels.entityShares().add(new EntityShare(first.getEntityLevel(), first.getEntityId(), d, l.daysFinal(),
            asOf.date(), RewardRows.discoveryStats(l)));
      }
    }
    if (asOf.firstModelDay() > asOf.lastModelDay()) {
      return;
    }
    for (long d : days.subSet(asOf.firstModelDay(), true, asOf.lastModelDay(), true)) {
      if (!DiscoveryMath.isDiscovery(days, d, finality, spec)) {
        continue;
      }
      DiscoveryMath.Labels l = DiscoveryMath.labels(days, userDays, d, finality, spec);
      if (DiscoveryMath.NEW_TO_ENTITY.equals(l.kind())) {
        Activity first = rows.get(d);
        labels.traces().add(new LevelTrace(first.getEntityLevel(), asOf.date(),
            DiscoveryTrace.of(first.getEntityId(), d, l.daysFinal(), l.trace())));
      }
    }
  }

  // Built on first use: Avro schemas are not serializable, and this object travels inside a DoFn.
  private Schema userSchema() {
    if (userSchema == null) {
      userSchema = RewardSchemas.userRewards(spec);
    }
    return userSchema;
  }

  private Schema discoverySchema() {
    if (discoverySchema == null) {
      discoverySchema = RewardSchemas.userEntityRewards(spec);
    }
    return discoverySchema;
  }
}
