package dev.encore.rewards;

import dev.encore.avro.Activity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The reward datasets' rows built from the labels of {@link UserRewardMath} and {@link DiscoveryMath}: plain
 * functions, so the Beam stage ({@link ComputeRewards}) and the benchmark's plain-Java reference publish the same
 * rows. Dates are epoch days.
 */
public final class RewardRows {
  private RewardRows() {}

  /** A user_rewards row of (user, anchor day d) as published in run asOf. */
  public static GenericRecord userReward(
      Schema schema, RewardSpec spec, String userId, long d, long asOf, UserRewardMath.Labels l) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("user_id", userId);
    r.put("anchor_date", (int) d);
    l.columns().forEach(r::put);
    r.put("return_d1", l.returnD1());
    r.put(RewardSchemas.daysToReturnColumn(spec), l.daysToReturn());
    r.put("user_first_active_date", l.firstActiveDate() == null ? null : l.firstActiveDate().intValue());
    r.put("as_of", (int) asOf);
    r.put("days_final", l.daysFinal());
    l.mature().forEach((n, v) -> r.put("mature_" + n, v));
    return r;
  }

  /**
   * A user_entity_rewards row: the discovery on day d whose activity row (of the user and entity on d, which
   * carries the discovering play's start, item, platform, context and reason) is {@code first}.
   */
  public static GenericRecord userEntityReward(
      Schema schema, RewardSpec spec, Activity first, long d, long asOf, DiscoveryMath.Labels l) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("user_id", first.getUserId());
    r.put("entity_level", first.getEntityLevel());
    r.put("entity_id", first.getEntityId());
    r.put("discovery_date", (int) d);
    r.put("trace", l.trace());
    r.put("stickiness_" + spec.stickinessDays(), l.stickiness());
    l.activeDays().forEach((n, v) -> r.put("active_days_" + n, v));
    r.put("discovery_kind", l.kind());
    r.put("discovery_ts", first.getFirstStartMs());
    r.put("discovery_item_id", first.getFirstItemId());
    r.put("discovery_platform", first.getFirstPlatform());
    r.put("discovery_context_type", first.getFirstContextType());
    r.put("discovery_reason_start", first.getFirstReasonStart());
    r.put("lookback_complete", l.lookbackComplete());
    r.put("as_of", (int) asOf);
    r.put("days_final", l.daysFinal());
    l.mature().forEach((n, v) -> r.put("mature_" + n, v));
    r.put("trace_mature", l.traceMature());
    return r;
  }

  /**
   * One lookback-complete discovery's share of its entity's statistics: [new_to_entity discoverers (1 or 0),
   * new_user discoverers (0 or 1), stickiness (0 while the trace is not final, and for new users), then the
   * trace as 0/1 counts (0 for new users)]. Summed element-wise over an entity's discoveries of a day ({@link
   * #sum}): only new_to_entity discoveries describe the entity.
   */
  public static List<Long> discoveryStats(DiscoveryMath.Labels l) {
    boolean counted = DiscoveryMath.NEW_TO_ENTITY.equals(l.kind());
    List<Long> stats = new ArrayList<>(3 + l.trace().size());
    stats.add(counted ? 1L : 0L);
    stats.add(counted ? 0L : 1L);
    stats.add(counted && l.stickiness() != null ? l.stickiness() : 0L);
    for (Boolean active : l.trace()) {
      stats.add(counted && Boolean.TRUE.equals(active) ? 1L : 0L);
    }
    return stats;
  }

  /** Element-wise sum of two equally long statistics lists. */
  public static List<Long> sum(List<Long> a, List<Long> b) {
    List<Long> sum = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      sum.add(a.get(i) + b.get(i));
    }
    return sum;
  }

  /**
   * The entity_rewards row of (level, entity, discovery day d) from its summed {@link #discoveryStats}; {@code
   * daysFinal} is the discovery day's (the same for all its discoveries).
   */
  public static GenericRecord entityReward(
      Schema schema, RewardSpec spec, String level, String entityId, long d, long asOf, int daysFinal,
      List<Long> stats) {
    long discoverers = stats.get(0);
    int traceLength = spec.traceLength();
    boolean traceMature = daysFinal == traceLength;
    List<Long> byOffset = new ArrayList<>(traceLength);
    for (int k = 1; k <= traceLength; k++) {
      byOffset.add(k > daysFinal ? null : stats.get(2 + k));
    }
    GenericRecord r = new GenericData.Record(schema);
    r.put("entity_level", level);
    r.put("entity_id", entityId);
    r.put("discovery_date", (int) d);
    r.put("discoverers", discoverers);
    r.put("new_user_discoverers", stats.get(1));
    r.put("mean_stickiness_" + spec.stickinessDays(),
        traceMature && discoverers > 0 ? (double) stats.get(2) / discoverers : null);
    r.put("active_by_offset", Collections.unmodifiableList(byOffset));
    r.put("as_of", (int) asOf);
    r.put("days_final", daysFinal);
    r.put("trace_mature", traceMature);
    return r;
  }

  /** The dt partition of a day. */
  public static String dt(long day) {
    return LocalDate.ofEpochDay(day).toString();
  }
}
