package dev.encore.nightly;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which days a nightly run for arrival day T reads and publishes (L = allowedLatenessDays, F = the first arrival
 * day present).
 *
 * <ul>
 *   <li><b>Sessions</b> of day D are published as soon as day D+1 has arrived, and again while late plays may
 *       change them: run T publishes session days T-1-L .. T-1.
 *   <li><b>Activity</b> (the compact daily history) of day D can change until arrival D+L: run T rebuilds days
 *       T-L .. T from the logs, and any older day it needs that is not published complete (by a run on or after
 *       D+L, with the same definition); it reads the other days back.
 *   <li><b>Rewards</b> of anchor day D are published at the publication ages: D = T - a.
 *   <li><b>Arrival partitions read</b>: T-3-L .. T (the plays of days T-2-L .. T, so sessions running past
 *       midnight into the first session day are found), reaching back to the day before the oldest activity day
 *       rebuilt. Days before F do not exist and are not asked for.
 * </ul>
 *
 * @param date the run's arrival day T
 * @param firstInputDay F
 * @param sessionDays session days published, ascending
 * @param rewardAnchors anchor / discovery days whose reward partitions are published, ascending
 * @param activityRebuilt activity days computed from the logs (and published), ascending
 * @param activityReused activity days read back from the output, ascending
 * @param firstArrival first arrival partition read
 */
public record NightlyPlan(
    LocalDate date,
    LocalDate firstInputDay,
    List<LocalDate> sessionDays,
    List<LocalDate> rewardAnchors,
    List<LocalDate> activityRebuilt,
    List<LocalDate> activityReused,
    LocalDate firstArrival) {

  /**
   * Plans run {@code date}.
   *
   * @param publicationAges ages (days after the anchor) at which reward partitions are published
   * @param lookbackDays discovery lookback: the activity of anchors' 2 × lookback preceding days is needed too
   * @param reusableActivity activity days published complete with the same definition
   */
  public static NightlyPlan of(
      LocalDate date,
      int lateness,
      LocalDate firstInputDay,
      List<Integer> publicationAges,
      int lookbackDays,
      Set<LocalDate> reusableActivity) {
    return of(date, lateness, firstInputDay, publicationAges, lookbackDays, reusableActivity, Set.of());
  }

  /**
   * Plans run {@code date}, also republishing the reward partitions of {@code republished} (days published under
   * an older definition format, whose labels could still change).
   */
  public static NightlyPlan of(
      LocalDate date,
      int lateness,
      LocalDate firstInputDay,
      List<Integer> publicationAges,
      int lookbackDays,
      Set<LocalDate> reusableActivity,
      Set<LocalDate> republished) {
    return of(date, lateness, firstInputDay, publicationAges, lookbackDays, reusableActivity, republished, null);
  }

  /**
   * Plans run {@code date}, also reading the activity that the model discoveries on {@code firstModelDay} .. T
   * need (their lookback): the traces the predictions are fitted and conditioned on. Null: no predictions.
   */
  public static NightlyPlan of(
      LocalDate date,
      int lateness,
      LocalDate firstInputDay,
      List<Integer> publicationAges,
      int lookbackDays,
      Set<LocalDate> reusableActivity,
      Set<LocalDate> republished,
      LocalDate firstModelDay) {
    LocalDate f = firstInputDay;
    List<LocalDate> sessionDays = days(max(f, date.minusDays(1L + lateness)), date.minusDays(1));
    TreeSet<LocalDate> anchors = new TreeSet<>();
    republished.stream().filter(d -> !d.isBefore(f) && d.isBefore(date)).forEach(anchors::add);
    for (int age : publicationAges) {
      LocalDate d = date.minusDays(age);
      if (!d.isBefore(f)) {
        anchors.add(d);
      }
    }
    LocalDate recent = max(f, alwaysRebuiltFrom(date, lateness));
    // Twice the lookback: user_first_active_date looks for a day f >= D - lookback with no activity before it.
    LocalDate neededFrom = anchors.isEmpty() ? recent : max(f, anchors.first().minusDays(2L * lookbackDays));
    if (firstModelDay != null) {
      LocalDate modelFrom = max(f, firstModelDay.minusDays(lookbackDays));
      neededFrom = modelFrom.isBefore(neededFrom) ? modelFrom : neededFrom;
    }
    List<LocalDate> rebuilt = new ArrayList<>();
    List<LocalDate> reused = new ArrayList<>();
    for (LocalDate d : days(neededFrom, recent.minusDays(1))) {
      (reusableActivity.contains(d) ? reused : rebuilt).add(d);
    }
    rebuilt.addAll(days(recent, date));
    LocalDate firstArrival = lateWindowStart(date, lateness);
    if (!rebuilt.isEmpty() && rebuilt.get(0).minusDays(1).isBefore(firstArrival)) {
      firstArrival = rebuilt.get(0).minusDays(1);
    }
    return new NightlyPlan(
        date, f, sessionDays, List.copyOf(anchors), List.copyOf(rebuilt), List.copyOf(reused),
        max(f, firstArrival));
  }

  /**
   * The first arrival partition of run {@code date}'s late window, T-3-L: it holds the plays of the first session
   * day's eve, so sessions running past midnight into the first session day T-1-L are found.
   */
  public static LocalDate lateWindowStart(LocalDate date, int lateness) {
    return date.minusDays(3L + lateness);
  }

  /** The first activity day every run rebuilds, T-L: later plays may still change the days from it on. */
  public static LocalDate alwaysRebuiltFrom(LocalDate date, int lateness) {
    return date.minusDays(lateness);
  }

  /** The first session day published, or the run's date when it publishes none (nothing before F exists). */
  public LocalDate firstSessionDay() {
    return sessionDays.isEmpty() ? date : sessionDays.get(0);
  }

  /** Last arrival partition read: the run's own date. */
  public LocalDate lastArrival() {
    return date;
  }

  private static List<LocalDate> days(LocalDate from, LocalDate to) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  private static LocalDate max(LocalDate a, LocalDate b) {
    return a.isAfter(b) ? a : b;
  }
}
