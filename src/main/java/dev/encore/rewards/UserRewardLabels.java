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
  private final Finality finality;
  private final List<Long> anchors;
  private final long firstModelDay;
  private final long lastModelDay;
  private transient Schema userSchema;
  private transient Schema discoverySchema;

  /** A reward row and the day of its dt partition (its anchor or discovery day, epoch day). */
  public record DayRow(long day, GenericRecord row) {}

  /**
   * One discovery's share of its entity's statistics ({@link RewardRows#discoveryStats}); only discoveries whose
   * lookback is complete have one.
   */
  public record EntityShare(String level, String entityId, long day, int daysFinal, List<Long> stats) {}

  /** A model discovery's trace (docs/rewards.md, "Predictions") and its entity level. */
  public record LevelTrace(String level, DiscoveryTrace trace) {}

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
    this(spec, finality, anchors, 0, -1);
  }

  /**
   * The same, also giving the traces of every model discovery (lookback complete, new_to_entity) on the days
   * {@code firstModelDay} .. {@code lastModelDay} (epoch days), published or not.
   */
  public UserRewardLabels(
      RewardSpec spec, Finality finality, List<Long> anchors, long firstModelDay, long lastModelDay) {
    this.spec = spec;
    this.finality = finality;
    this.anchors = List.copyOf(anchors);
    this.firstModelDay = firstModelDay;
    this.lastModelDay = lastModelDay;
  }

  /** Labels one user from the user's activity rows, in any order; rows after as_of are ignored. */
  public Labels of(String userId, Iterable<Activity> activity) {
    long asOf = finality.asOf();
    NavigableMap<Long, UserRewardMath.Day> days = new TreeMap<>();
    // (entity_level, entity_id) in key order → the user's rows of that entity by day.
    Map<String, NavigableMap<Long, Activity>> entities = new TreeMap<>();
    for (Activity a : activity) {
      long day = a.getActivityDate().toEpochDay();
      if (day > asOf) {
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
    if (!days.isEmpty()) {
      for (long d : anchors) {
        UserRewardMath.Labels l = UserRewardMath.labels(days, d, finality, spec);
        if (l != null) {
          labels.userRewards().add(new DayRow(d, RewardRows.userReward(userSchema(), spec, userId, d, asOf, l)));
        }
      }
    }
    for (NavigableMap<Long, Activity> rows : entities.values()) {
      labelDiscoveries(rows, days.navigableKeySet(), labels);
    }
    return labels;
  }

  /** One (user, entity): its activity rows by day. */
  private void labelDiscoveries(NavigableMap<Long, Activity> rows, NavigableSet<Long> userDays, Labels labels) {
    NavigableSet<Long> days = rows.navigableKeySet();
    for (long d : anchors) {
      if (!DiscoveryMath.isDiscovery(days, d, finality, spec)) {
        continue;
      }
      Activity first = rows.get(d);
      DiscoveryMath.Labels l = DiscoveryMath.labels(days, userDays, d, finality, spec);
      labels.discoveries().add(
          new DayRow(d, RewardRows.userEntityReward(discoverySchema(), spec, first, d, finality.asOf(), l)));
      if (l.lookbackComplete()) {
        labels.entityShares().add(new EntityShare(
            first.getEntityLevel(), first.getEntityId(), d, l.daysFinal(), RewardRows.discoveryStats(l)));
      }
    }
    if (firstModelDay > lastModelDay) {
      return;
    }
    for (long d : days.subSet(firstModelDay, true, lastModelDay, true)) {
      if (!DiscoveryMath.isDiscovery(days, d, finality, spec)) {
        continue;
      }
      DiscoveryMath.Labels l = DiscoveryMath.labels(days, userDays, d, finality, spec);
      if (DiscoveryMath.NEW_TO_ENTITY.equals(l.kind())) {
        Activity first = rows.get(d);
        labels.traces().add(new LevelTrace(
            first.getEntityLevel(), DiscoveryTrace.of(first.getEntityId(), d, l.daysFinal(), l.trace())));
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
