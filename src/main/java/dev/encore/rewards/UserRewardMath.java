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
   * The labels of one (user, anchor day D), as published in run T: every value counts final days only.
   *
   * @param columns every horizon column of {@link UserRewardColumns} → its value over the final days of (D, D+N],
   *     e.g. {@code active_days_7} → 2, {@code streams_28} → 4L
   * @param returnD1 active on D+1; null when D+1 is not final
   * @param daysToReturn days to the first active day among the final days of the longest window; null when none
   * @param firstActiveDate the earliest active day f in [D − lookback, D] whose lookback days are final and
   *     inactive (epoch day); null when none
   * @param daysFinal days D+1 … D+k final, k ≤ the longest horizon
   * @param mature N → daysFinal ≥ N
   */
  public record Labels(
      Map<String, Object> columns,
      Boolean returnD1,
      Integer daysToReturn,
      Long firstActiveDate,
      int daysFinal,
      Map<Integer, Boolean> mature) {}

  /**
   * The labels of anchor {@code d}, or null when the user was not active on d or d is not final.
   *
   * @param days the user's active days (epoch day → activity)
   */
  public static Labels labels(NavigableMap<Long, Day> days, long d, Finality finality, RewardSpec spec) {
    if (!days.containsKey(d) || !finality.isFinal(d)) {
      return null;
    }
    int longest = spec.longestUserHorizon();
    int daysFinal = finality.daysFinal(d, longest);
    Map<String, Object> columns = new LinkedHashMap<>();
    for (UserRewardColumns family : UserRewardColumns.values()) {
      for (int n : spec.horizons(family)) {
        UserRewardColumns.Window window =
            new UserRewardColumns.Window(d, window(days, d, Math.min(n, daysFinal)));
        for (UserRewardColumns.Column column : family.columns()) {
          columns.put(column.name(n), column.value().apply(window));
        }
      }
    }
    Boolean returnD1 = daysFinal >= 1 ? days.containsKey(d + 1) : null;
    Long next = days.higherKey(d);
    Integer daysToReturn = next != null && next - d <= daysFinal ? (int) (next - d) : null;
    Map<Integer, Boolean> mature = new LinkedHashMap<>();
    for (int n : spec.userMaturityHorizons()) {
      mature.put(n, daysFinal >= n);
    }
    return new Labels(columns, returnD1, daysToReturn, firstActiveDate(days, d, finality, spec.lookbackDays()),
        daysFinal, mature);
  }

  /**
   * The earliest active day f with d − lookback ≤ f ≤ d whose {@code lookback} days before are all final and hold
   * no activity: the day the user's listening began, when that is known; null otherwise.
   */
  static Long firstActiveDate(NavigableMap<Long, Day> days, long d, Finality finality, int lookback) {
    for (long f : days.subMap(d - lookback, true, d, true).keySet()) {
      if (days.subMap(f - lookback, true, f, false).isEmpty() && finality.allFinal(f - lookback, f - 1)) {
        return f;
      }
    }
    return null;
  }

  /** Active days in (d, d + n]. */
  static NavigableMap<Long, Day> window(NavigableMap<Long, Day> days, long d, int n) {
    return days.subMap(d, false, d + n, true);
  }
}
