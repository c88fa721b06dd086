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

  /** A user_rewards row of (user, anchor day d) as observed in run asOf. */
  public static GenericRecord userReward(
      Schema schema, String userId, long d, long asOf, UserRewardMath.Labels l) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("user_id", userId);
    r.put("anchor_date", (int) d);
    l.columns().forEach(r::put);
    r.put("return_d1", l.returnD1());
    r.put("days_to_return", l.daysToReturn());
    r.put("as_of", (int) asOf);
    r.put("days_observed", l.daysObserved());
    l.mature().forEach((n, v) -> r.put("mature_" + n, v));
    return r;
  }

  /**
   * A user_entity_rewards row: the discovery on day d whose activity row (of the user and entity on d, which
   * carries the discovering play's context) is {@code first}.
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
    r.put("discovery_context_type", first.getFirstContextType());
    r.put("discovery_reason_start", first.getFirstReasonStart());
    r.put("lookback_complete", l.lookbackComplete());
    r.put("as_of", (int) asOf);
    r.put("days_observed", l.daysObserved());
    l.mature().forEach((n, v) -> r.put("mature_" + n, v));
    return r;
  }

  /**
   * One discovery's share of its entity's statistics: [discoverers = 1, stickiness (0 while immature), then the
   * trace as 0/1 counts]. Summed element-wise over an entity's discoveries of a day ({@link #sum}).
   */
  public static List<Long> discoveryStats(DiscoveryMath.Labels l) {
    List<Long> stats = new ArrayList<>(2 + l.trace().size());
    stats.add(1L);
    stats.add(l.stickiness() == null ? 0L : l.stickiness());
    for (Boolean active : l.trace()) {
      stats.add(Boolean.TRUE.equals(active) ? 1L : 0L);
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

  /** The entity_rewards row of (level, entity, discovery day d) from its summed {@link #discoveryStats}. */
  public static GenericRecord entityReward(
      Schema schema, RewardSpec spec, String level, String entityId, long d, long asOf, List<Long> stats) {
    long discoverers = stats.get(0);
    int traceLength = spec.traceLength();
    boolean mature = d + traceLength + spec.lateness() <= asOf;
    List<Long> byOffset = new ArrayList<>(traceLength);
    for (int k = 1; k <= traceLength; k++) {
      byOffset.add(d + k > asOf ? null : stats.get(1 + k));
    }
    GenericRecord r = new GenericData.Record(schema);
    r.put("entity_level", level);
    r.put("entity_id", entityId);
    r.put("discovery_date", (int) d);
    r.put("discoverers", discoverers);
    r.put("mean_stickiness_" + spec.stickinessDays(), mature ? (double) stats.get(1) / discoverers : null);
    r.put("active_by_offset", Collections.unmodifiableList(byOffset));
    r.put("as_of", (int) asOf);
    r.put("days_observed", (int) Math.max(0, Math.min(traceLength, asOf - d)));
    r.put("mature_" + spec.stickinessDays(), mature);
    return r;
  }

  /** The dt partition of a day. */
  public static String dt(long day) {
    return LocalDate.ofEpochDay(day).toString();
  }
}
