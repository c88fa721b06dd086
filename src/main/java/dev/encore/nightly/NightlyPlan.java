package dev.encore.nightly;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * @param asOfs the dates whose results the run computes, ascending, each with the reward anchors labelled as of it:
 *     the run's date T alone for a nightly run; every date of the range for a one-pass backfill ({@link #range})
 */
public record NightlyPlan(
    LocalDate date,
    LocalDate firstInputDay,
    List<LocalDate> sessionDays,
    List<LocalDate> rewardAnchors,
    List<LocalDate> activityRebuilt,
    List<LocalDate> activityReused,
    LocalDate firstArrival,
    List<AsOf> asOfs) {

  /**
   * One date whose nightly results a run computes.
   *
   * @param date the date T'
   * @param rewardAnchors the anchors whose reward partitions are published as of T' (a backfill: those no later date
   *     of its range publishes)
   */
  public record AsOf(LocalDate date, List<LocalDate> rewardAnchors) {
    public AsOf {
      rewardAnchors = List.copyOf(rewardAnchors);
    }
  }

  /** The plan of one date T: every anchor labelled as of T. */
  public NightlyPlan(
      LocalDate date,
      LocalDate firstInputDay,
      List<LocalDate> sessionDays,
      List<LocalDate> rewardAnchors,
      List<LocalDate> activityRebuilt,
      List<LocalDate> activityReused,
      LocalDate firstArrival) {
    this(date, firstInputDay, sessionDays, rewardAnchors, activityRebuilt, activityReused, firstArrival,
        List.of(new AsOf(date, rewardAnchors)));
  }

  /**
   * The plan of a one-pass backfill of the dates of {@code plans}: what running nightly date by date leaves
   * published (docs/operations.md, "Backfill"). Each partition is computed once, as of the last date of the range
   * that publishes it; the activity and the sessions from every arrival partition of the range, read once (a
   * partition of the range's last date T equals that of the date that last publishes it, since plays more than L
   * days late are rejected on arrival).
   *
   * @param plans the plans of consecutive dates, ascending: the first planned on the output root as it is (its
   *     reusable activity, its republished days), the others need only their sessions and reward anchors
   */
  public static NightlyPlan range(List<NightlyPlan> plans) {
    NightlyPlan first = plans.get(0);
    NightlyPlan last = plans.get(plans.size() - 1);
    if (plans.size() == 1) {
      return first;
    }
    TreeMap<LocalDate, LocalDate> lastPublisher = new TreeMap<>();
    TreeSet<LocalDate> sessions = new TreeSet<>();
    for (NightlyPlan p : plans) {
      p.rewardAnchors().forEach(d -> lastPublisher.put(d, p.date()));
      sessions.addAll(p.sessionDays());
    }
    List<AsOf> asOfs = new ArrayList<>();
    for (NightlyPlan p : plans) {
      asOfs.add(new AsOf(p.date(), lastPublisher.entrySet().stream()
          .filter(e -> e.getValue().equals(p.date())).map(Map.Entry::getKey).toList()));
    }
    // The first date rebuilds what it needs; each later date adds its own day (the days from T-L on are rebuilt by
    // every date, so the last date to publish one is the range's last or the day's own date + L).
    List<LocalDate> rebuilt = new ArrayList<>(first.activityRebuilt());
    rebuilt.addAll(days(first.date().plusDays(1), last.date()));
    return new NightlyPlan(last.date(), first.firstInputDay(), List.copyOf(sessions),
        List.copyOf(lastPublisher.keySet()), List.copyOf(rebuilt), first.activityReused(), first.firstArrival(),
        List.copyOf(asOfs));
  }

  /** The first date whose results the run computes: T, or a backfill's first date. */
  public LocalDate firstDate() {
    return asOfs.get(0).date();
  }

  /** The as-of date of the results published on {@code anchor}'s reward partitions; null when none are. */
  public LocalDate asOfOf(LocalDate anchor) {
    for (AsOf a : asOfs) {
      if (a.rewardAnchors().contains(anchor)) {
        return a.date();
      }
    }
    return null;
  }

  /** Every as-of date, ascending. */
  public List<LocalDate> asOfDates() {
    return asOfs.stream().map(AsOf::date).toList();
  }

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
