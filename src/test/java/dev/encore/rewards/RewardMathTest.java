package dev.encore.rewards;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
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
  private static final long F = D - 200; // first input day: every lookback is observed

  /** Complete input from F through run T = D + age. */
  private static Finality at(long age) {
    return Finality.completeFrom(F, D + age, 3);
  }

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
  void aDayIsFinalOnceItsLatePlaysAreInAndEveryArrivalThatCanHoldThemIsComplete() {
    Finality f = at(10); // T = D + 10, L = 3
    assertThat(f.isFinal(D + 7), equalTo(true)); // D+7 + 3 = T
    assertThat(f.isFinal(D + 8), equalTo(false)); // D+8 + 3 > T
    assertThat(f.daysFinal(D, 60), equalTo(7));
    // The first input day F: arrival F-1 does not exist, so plays of F's first hour may be missing.
    assertThat(f.isFinal(F), equalTo(false));
    assertThat(f.isFinal(F + 1), equalTo(true));
    // Arrival D+5 missing: the days whose plays it can hold, D+2 .. D+6, are not final; D+1 and D+7 are.
    Finality gap = f.without(Set.of(D + 5));
    assertThat(gap.isFinal(D + 1), equalTo(true));
    assertThat(gap.isFinal(D + 2), equalTo(false));
    assertThat(gap.isFinal(D + 6), equalTo(false));
    assertThat(gap.isFinal(D + 7), equalTo(true));
    assertThat(gap.daysFinal(D, 60), equalTo(1)); // stops before the first day that is not final
  }

  @Test
  void labelsCountOnlyFinalDaysAndMaturityIsDaysFinal() {
    // Active on D, D+7, D+8, D+9. Run T = D+10: days D+1 .. D+7 are final (days_final 7).
    UserRewardMath.Labels l = UserRewardMath.labels(userDays(0, 7, 8, 9), D, at(10), SPEC);
    assertThat(l.daysFinal(), equalTo(7));
    assertThat(l.columns().get("active_days_7"), equalTo(1)); // D+7
    assertThat(l.columns().get("active_days_28"), equalTo(1)); // D+8, D+9 are not final: not counted
    assertThat(l.columns().get("streams_28"), equalTo(2L));
    assertThat(l.columns().get("ms_played_28"), equalTo(100_000L));
    assertThat(l.returnD1(), equalTo(false)); // D+1 final and inactive
    assertThat(l.daysToReturn(), equalTo(7));
    assertThat(l.mature(), equalTo(Map.of(1, true, 7, true, 28, false, 60, false)));
    // Later, D+8 and D+9 are final: the progressive count grows; the final 7-day count stays.
    UserRewardMath.Labels later = UserRewardMath.labels(userDays(0, 7, 8, 9), D, at(31), SPEC);
    assertThat(later.columns().get("active_days_7"), equalTo(1));
    assertThat(later.columns().get("active_days_28"), equalTo(3));
    assertThat(later.mature().get(28), equalTo(true));
  }

  @Test
  void nothingIsKnownBeforeTheFirstDayAfterTheAnchorIsFinal() {
    // Run T = D+3: D is final (rows exist), D+1 is not (D+1 + 3 > T).
    UserRewardMath.Labels l = UserRewardMath.labels(userDays(0, 1, 2), D, at(3), SPEC);
    assertThat(l.daysFinal(), equalTo(0));
    assertThat(l.returnD1(), nullValue());
    assertThat(l.daysToReturn(), nullValue());
    assertThat(l.columns().get("active_days_7"), equalTo(0));
    // D itself not final (T = D+2): no row at all.
    assertThat(UserRewardMath.labels(userDays(0, 1), D, at(2), SPEC), nullValue());
    // Not active on D: no row.
    assertThat(UserRewardMath.labels(userDays(1, 2), D, at(63), SPEC), nullValue());
  }

  @Test
  void daysToReturnLooksWithinTheLongestWindowOnly() {
    // Next active day D+62: outside (D, D+60]. At maturity (T = D+63): null, and final (mature_60).
    UserRewardMath.Labels l = UserRewardMath.labels(userDays(0, 62), D, at(63), SPEC);
    assertThat(l.daysFinal(), equalTo(60));
    assertThat(l.daysToReturn(), nullValue());
    assertThat(l.mature().get(60), equalTo(true));
    assertThat(l.columns().get("active_days_60"), equalTo(0));
    // D+60 is in it.
    assertThat(UserRewardMath.labels(userDays(0, 60), D, at(63), SPEC).daysToReturn(), equalTo(60));
  }

  @Test
  void firstActiveDateIsTheStartOfListeningWhenTheDaysBeforeItAreFinalAndEmpty() {
    // A new user: first active on D-10, nothing in D-70 .. D-11, all final (F = D-200).
    assertThat(UserRewardMath.firstActiveDate(userDays(-10, 0), D, at(4), 60), equalTo(D - 10));
    // Active on D-70 and D-10 (a gap of 59 days, under 60): no day in [D-60, D] starts listening.
    assertThat(UserRewardMath.firstActiveDate(userDays(-70, -10, 0), D, at(4), 60), nullValue());
    // Active on D-71 and D-10: D-10's 60 days before (D-70 .. D-11) are empty.
    assertThat(UserRewardMath.firstActiveDate(userDays(-71, -10, 0), D, at(4), 60), equalTo(D - 10));
    // The anchor day itself starts listening.
    assertThat(UserRewardMath.firstActiveDate(userDays(0), D, at(4), 60), equalTo(D));
    // The days before are not all observed (input starts at D-30): unknown.
    Finality late = Finality.completeFrom(D - 30, D + 4, 3);
    assertThat(UserRewardMath.firstActiveDate(userDays(-10, 0), D, late, 60), nullValue());
  }

  @Test
  void aDiscoveryNeedsNoPlayOfTheEntityInTheLookbackAndAFinalDay() {
    // The lookback is D-60 .. D-1: a play on D-61 does not count, one on D-60 does.
    assertThat(DiscoveryMath.isDiscovery(entityDays(-61, 0), D, at(4), SPEC), equalTo(true));
    assertThat(DiscoveryMath.isDiscovery(entityDays(-60, 0), D, at(4), SPEC), equalTo(false));
    assertThat(DiscoveryMath.isDiscovery(entityDays(1), D, at(4), SPEC), equalTo(false)); // not active on D
    assertThat(DiscoveryMath.isDiscovery(entityDays(0), D, at(2), SPEC), equalTo(false)); // D not final
  }

  @Test
  void aMatureTraceHasEveryDayAndStickiness() {
    // Active with the entity on D, D+1, D+7, D+8, D+59, D+60; the user also on D-5 (new to the entity).
    DiscoveryMath.Labels l = DiscoveryMath.labels(
        entityDays(0, 1, 7, 8, 59, 60), entityDays(-5, 0, 1, 7, 8, 59, 60), D, at(62), SPEC);
    assertThat(l.daysFinal(), equalTo(59));
    assertThat(l.traceMature(), equalTo(true));
    List<Boolean> expected = new ArrayList<>(Collections.nCopies(59, false));
    expected.set(0, true); // D+1
    expected.set(6, true); // D+7
    expected.set(7, true); // D+8
    expected.set(58, true); // D+59; D+60 is outside the trace
    assertThat(l.trace(), equalTo(expected));
    assertThat(l.stickiness(), equalTo(5)); // 1 + 4
    assertThat(l.activeDays(), equalTo(Map.of(7, 2, 28, 3)));
    assertThat(l.mature(), equalTo(Map.of(7, true, 28, true)));
    assertThat(l.lookbackComplete(), equalTo(true));
    assertThat(l.kind(), equalTo(DiscoveryMath.NEW_TO_ENTITY));
  }

  @Test
  void aProgressiveTraceIsNullFromTheFirstDayThatIsNotFinal() {
    // Run T = D+6: days_final 3; D+4, D+5 are active but not final, so not counted.
    DiscoveryMath.Labels l = DiscoveryMath.labels(entityDays(0, 1, 4, 5), entityDays(0, 1, 4, 5), D, at(6), SPEC);
    assertThat(l.daysFinal(), equalTo(3));
    assertThat(l.trace().subList(0, 4), contains(true, false, false, null));
    assertThat(l.trace().stream().filter(b -> b == null).count(), equalTo(56L));
    assertThat(l.stickiness(), nullValue());
    assertThat(l.activeDays(), equalTo(Map.of(7, 1, 28, 1)));
    assertThat(l.mature(), equalTo(Map.of(7, false, 28, false)));
    assertThat(l.traceMature(), equalTo(false));
    // No activity of the user at all in the 60 days before D: the user's first day.
    assertThat(l.kind(), equalTo(DiscoveryMath.NEW_USER));
  }

  @Test
  void anIncompleteLookbackLeavesTheKindUnknown() {
    // Input starts at D-59: day D-60 was never observed.
    Finality f = Finality.completeFrom(D - 59, D + 4, 3);
    DiscoveryMath.Labels l = DiscoveryMath.labels(entityDays(0), entityDays(-5, 0), D, f, SPEC);
    assertThat(l.lookbackComplete(), equalTo(false));
    assertThat(l.kind(), nullValue());
    // Starting at D-61, every lookback day D-60 .. D-1 is final (D-60 needs arrival D-61).
    Finality enough = Finality.completeFrom(D - 61, D + 4, 3);
    assertThat(DiscoveryMath.labels(entityDays(0), entityDays(-5, 0), D, enough, SPEC).lookbackComplete(),
        equalTo(true));
    // A missing arrival day in the lookback: not complete.
    assertThat(DiscoveryMath.labels(entityDays(0), entityDays(-5, 0), D, enough.without(Set.of(D - 30)), SPEC)
        .lookbackComplete(), equalTo(false));
  }
}
