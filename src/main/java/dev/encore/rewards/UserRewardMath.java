package dev.encore.rewards;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;

/** The per-user retention labels of one anchor day, from the user's daily activity (docs/rewards.md). */
public final class UserRewardMath {
  private UserRewardMath() {}

  /** A user's qualifying plays on one active day. */
  public record Day(long streams, long streamMs) {}

  /**
   * The labels of one (user, anchor day D), as observed in run T.
   *
   * @param columns every horizon column of {@link UserRewardColumns} → its value in (D, min(D+N, T)], e.g.
   *     {@code active_days_7} → 2, {@code streams_28} → 4L
   * @param returnD1 active on D+1; null when D+1 > T
   * @param daysToReturn days to the next active day up to T; null when none
   * @param daysObserved days of (D, D + longest horizon] that are ≤ T
   * @param mature N → D + N + L ≤ T
   */
  public record Labels(
      Map<String, Object> columns,
      Boolean returnD1,
      Integer daysToReturn,
      int daysObserved,
      Map<Integer, Boolean> mature) {}

  /**
   * The labels of anchor {@code d} in run {@code t}, or null when the user was not active on d.
   *
   * @param days the user's active days (epoch day → activity); days after t are ignored
   */
  public static Labels labels(NavigableMap<Long, Day> days, long d, long t, RewardSpec spec) {
    if (!days.containsKey(d)) {
      return null;
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    for (UserRewardColumns family : UserRewardColumns.values()) {
      for (int n : spec.horizons(family)) {
        UserRewardColumns.Window window = new UserRewardColumns.Window(d, window(days, d, n, t));
        for (UserRewardColumns.Column column : family.columns()) {
          columns.put(column.name(n), column.value().apply(window));
        }
      }
    }
    Boolean returnD1 = d + 1 > t ? null : days.containsKey(d + 1);
    Long next = days.higherKey(d);
    Integer daysToReturn = next != null && next <= t ? (int) (next - d) : null;
    Map<Integer, Boolean> mature = new LinkedHashMap<>();
    for (int n : spec.userMaturityHorizons()) {
      mature.put(n, d + n + spec.lateness() <= t);
    }
    int observed = (int) Math.max(0, Math.min(spec.longestUserHorizon(), t - d));
    return new Labels(columns, returnD1, daysToReturn, observed, mature);
  }

  /** Active days in (d, min(d + n, t)]. */
  static NavigableMap<Long, Day> window(NavigableMap<Long, Day> days, long d, int n, long t) {
    return days.subMap(d, false, Math.min(d + n, t), true);
  }
}
