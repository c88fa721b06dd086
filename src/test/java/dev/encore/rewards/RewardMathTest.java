package dev.encore.rewards;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The reward maths on hand-built histories; every expected value is worked out in the comments. */
class RewardMathTest {
  /** The defaults of pipelines/nightly.yaml. */
  static final RewardSpec SPEC = new RewardSpec(
      Map.of(UserRewardColumns.ACTIVE_DAYS, List.of(7, 28, 60), UserRewardColumns.VOLUME, List.of(28)),
      List.of("artist", "show"), 60, 60, List.of(7, 28), 3);

  private static final long D = 1000; // the anchor / discovery day, as an epoch day

  private static NavigableMap<Long, UserRewardMath.Day> userDays(long... offsets) {
    NavigableMap<Long, UserRewardMath.Day> days = new TreeMap<>();
    for (long o : offsets) {
      days.put(D + o, new UserRewardMath.Day(2, 100_000));
    }
    return days;
  }

  private static NavigableSet<Long> entityDays(long... offsets) {
    NavigableSet<Long> days = new TreeSet<>();
    for (long o : offsets) {
      days.add(D + o);
    }
    return days;
  }

  @Test
  void returnOnExactlyDayPlus7CountsIn7DaysButDayPlus8DoesNot() {
    // Active on D, D+7, D+8. (D, D+7] holds D+7 only: 1. (D, D+28] holds both: 2. Next active day: D+7.
    UserRewardMath.Labels l = UserRewardMath.labels(userDays(0, 7, 8), D, D + 100, SPEC);
    // 2 streams and 100 000 ms on each of the two days in (D, D+28]; D itself is not counted.
    assertThat(l.columns(), equalTo(Map.of("active_days_7", 1, "active_days_28", 2, "active_days_60", 2,
        "streams_28", 4L, "ms_played_28", 200_000L)));
    assertThat(l.returnD1(), equalTo(false));
    assertThat(l.daysToReturn(), equalTo(7));
    assertThat(l.daysObserved(), equalTo(60));
    assertThat(l.mature(), equalTo(Map.of(1, true, 7, true, 28, true, 60, true)));
  }

  @Test
  void noLabelsForAUserInactiveOnTheAnchor() {
    assertThat(UserRewardMath.labels(userDays(1, 2), D, D + 100, SPEC), nullValue());
  }

  @Test
  void partlyObservedAnchorCountsOnlyObservedDaysAndIsNotMature() {
    // Run T = D+5: active on D, D+1, D+5, D+6 (D+6 is after T: a play in the one-hour future margin, ignored).
    // active_days_7 over (D, D+5] = {D+1, D+5} = 2, with 2 streams each: streams_28 4; return_d1 true;
    // days_to_return 1; observed min(60, 5) = 5.
    // mature_N needs D+N+3 <= D+5: only N = 1 (D+4 <= D+5).
    UserRewardMath.Labels l = UserRewardMath.labels(userDays(0, 1, 5, 6), D, D + 5, SPEC);
    assertThat(l.columns(), equalTo(Map.of("active_days_7", 2, "active_days_28", 2, "active_days_60", 2,
        "streams_28", 4L, "ms_played_28", 200_000L)));
    assertThat(l.returnD1(), equalTo(true));
    assertThat(l.daysToReturn(), equalTo(1));
    assertThat(l.daysObserved(), equalTo(5));
    assertThat(l.mature(), equalTo(Map.of(1, true, 7, false, 28, false, 60, false)));
  }

  @Test
  void returnD1IsUnknownUntilTheNextDayIsObserved() {
    // T = D: nothing after D is observed: return_d1 null, no return, 0 days observed.
    UserRewardMath.Labels l = UserRewardMath.labels(userDays(0), D, D, SPEC);
    assertThat(l.returnD1(), nullValue());
    assertThat(l.daysToReturn(), nullValue());
    assertThat(l.daysObserved(), equalTo(0));
    assertThat(l.mature().get(1), equalTo(false));
  }

  @Test
  void maturityComesLatenessDaysAfterTheWindowEnds() {
    // mature_7: D + 7 + 3 <= T. At T = D+9 not yet, at D+10 yes.
    assertThat(UserRewardMath.labels(userDays(0), D, D + 9, SPEC).mature().get(7), equalTo(false));
    assertThat(UserRewardMath.labels(userDays(0), D, D + 10, SPEC).mature().get(7), equalTo(true));
  }

  @Test
  void lastPlay61DaysBeforeIsARediscoveryButNot60() {
    // The lookback covers D-60 .. D-1. Last active on D-61: a gap of 60 days (D-60..D-1) without the entity,
    // so D is a (re-)discovery.
    assertThat(DiscoveryMath.isDiscovery(entityDays(-61, 0), D, SPEC), equalTo(true));
    // Last active on D-60: a gap of 59 days; D-60 is inside the lookback, so not a discovery.
    assertThat(DiscoveryMath.isDiscovery(entityDays(-60, 0), D, SPEC), equalTo(false));
    assertThat(DiscoveryMath.isDiscovery(entityDays(-1, 0), D, SPEC), equalTo(false));
    assertThat(DiscoveryMath.isDiscovery(entityDays(1), D, SPEC), equalTo(false)); // not active on D
  }

  @Test
  void matureTraceAndStickiness() {
    // Active on D, D+1, D+7, D+8, D+59, D+60. Trace k = 1..59: true at 1, 7, 8, 59 → stickiness 1 + 4 = 5.
    // D+60 is outside the 60-day window D..D+59. Run T = D+62 = D + 59 + 3: mature.
    DiscoveryMath.Labels l =
        DiscoveryMath.labels(entityDays(0, 1, 7, 8, 59, 60), D, D + 62, D - 100, SPEC);
    List<Boolean> expected = new ArrayList<>(Collections.nCopies(59, false));
    for (int k : new int[] {1, 7, 8, 59}) {
      expected.set(k - 1, true);
    }
    assertThat(l.trace(), equalTo(expected));
    assertThat(l.stickiness(), equalTo(5));
    // (D, D+7] = {1, 7} = 2; (D, D+28] = {1, 7, 8} = 3.
    assertThat(l.activeDays(), equalTo(Map.of(7, 2, 28, 3)));
    assertThat(l.daysObserved(), equalTo(59));
    assertThat(l.mature(), equalTo(Map.of(7, true, 28, true, 60, true)));
    assertThat(l.lookbackComplete(), equalTo(true));
  }

  @Test
  void partlyObservedTraceHasNullsAndNoStickiness() {
    // T = D+3: trace[0..2] observed (D+1 true, D+2, D+3 false), the 56 others null. Not mature: no stickiness.
    DiscoveryMath.Labels l = DiscoveryMath.labels(entityDays(0, 1, 5), D, D + 3, D - 100, SPEC);
    List<Boolean> expected = new ArrayList<>(Arrays.asList(true, false, false));
    expected.addAll(Collections.nCopies(56, null));
    assertThat(l.trace(), equalTo(expected));
    assertThat(l.stickiness(), nullValue());
    assertThat(l.activeDays(), equalTo(Map.of(7, 1, 28, 1)));
    assertThat(l.daysObserved(), equalTo(3));
    assertThat(l.mature(), equalTo(Map.of(7, false, 28, false, 60, false)));
  }

  @Test
  void lookbackIsCompleteOnlyFrom60DaysAfterTheFirstInputDay() {
    // F = D-60: every lookback day D-60..D-1 observed. F = D-59: D-60 was never observed.
    assertThat(DiscoveryMath.labels(entityDays(0), D, D + 1, D - 60, SPEC).lookbackComplete(), equalTo(true));
    assertThat(DiscoveryMath.labels(entityDays(0), D, D + 1, D - 59, SPEC).lookbackComplete(), equalTo(false));
  }
}
