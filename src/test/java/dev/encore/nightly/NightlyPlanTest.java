package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NightlyPlan#of} as a table: each row is a run (T, L, F, publication ages, lookback, activity days already
 * published complete) and the whole plan worked out by hand from the rules in NightlyPlan's doc:
 * sessions T-1-L..T-1 (not before F); anchors T-a for each age a, not before F; activity T-L..T rebuilt, and the
 * days from the first anchor minus the lookback (not before F) to T-L-1 reused where published, else rebuilt;
 * arrivals from T-3-L, or the day before the first rebuilt day when that is earlier, not before F.
 */
class NightlyPlanTest {
  /** The default publication ages: checkpoints 1, 7, 28 and the maturity age 63 (60 + L). */
  private static final List<Integer> AGES = List.of(1, 7, 28, 63);

  /** One row of the table: the arguments of {@link NightlyPlan#of} and the plan expected. */
  record Case(
      String name, String date, int lateness, String firstInputDay, List<Integer> ages, int lookback,
      Set<LocalDate> reusable, List<LocalDate> sessions, List<LocalDate> anchors, List<LocalDate> rebuilt,
      List<LocalDate> reused, String firstArrival) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        // T-63 = 2024-01-27 (4 days of January, 29 of February, 30 of March). Nothing published: every day from
        // F is rebuilt (the first anchor's lookback, 2023-11-28, is before F), so the arrivals reach back to F.
        new Case("fresh root", "2024-03-30", 3, "2024-01-01", AGES, 60, Set.of(),
            span("2024-03-26", "2024-03-29"), dates("2024-01-27", "2024-03-02", "2024-03-23", "2024-03-29"),
            span("2024-01-01", "2024-03-30"), List.of(), "2024-01-01"),
        // Everything published before: only T-L..T is rebuilt, even days published in that window (they can
        // still change); arrivals T-3-L = 03-24 .. T.
        new Case("steady state", "2024-03-30", 3, "2024-01-01", AGES, 60,
            new TreeSet<>(span("2024-01-01", "2024-03-29")),
            span("2024-03-26", "2024-03-29"), dates("2024-01-27", "2024-03-02", "2024-03-23", "2024-03-29"),
            span("2024-03-27", "2024-03-30"), span("2024-01-01", "2024-03-26"), "2024-03-24"),
        // Logs older than needed: activity is read from twice the first anchor's lookback (user_first_active_date
        // looks for a day within the lookback with an empty lookback before it), 2024-01-27 - 120 = 2023-09-29.
        new Case("history longer than the lookback", "2024-03-30", 3, "2023-06-01", AGES, 60,
            new TreeSet<>(span("2023-06-01", "2024-03-26")),
            span("2024-03-26", "2024-03-29"), dates("2024-01-27", "2024-03-02", "2024-03-23", "2024-03-29"),
            span("2024-03-27", "2024-03-30"), span("2023-09-29", "2024-03-26"), "2024-03-24"),
        // 02-10 is not reusable: it is rebuilt, and the arrivals reach back to the day before it.
        new Case("a missing day is rebuilt", "2024-03-30", 3, "2024-01-01", AGES, 60,
            without(span("2024-01-01", "2024-03-26"), "2024-02-10"),
            span("2024-03-26", "2024-03-29"), dates("2024-01-27", "2024-03-02", "2024-03-23", "2024-03-29"),
            concat(dates("2024-02-10"), span("2024-03-27", "2024-03-30")),
            List.copyOf(without(span("2024-01-01", "2024-03-26"), "2024-02-10")), "2024-02-09"),
        // Ages 28 and 63 fall before F (2023-12-13, 2023-11-08): only T-7 and T-1 are published. Every day from F
        // is rebuilt; T-6 = 01-04 would be later than the day before F, so arrivals start at F.
        new Case("young logs", "2024-01-10", 3, "2024-01-01", AGES, 60, Set.of(),
            span("2024-01-06", "2024-01-09"), dates("2024-01-03", "2024-01-09"),
            span("2024-01-01", "2024-01-10"), List.of(), "2024-01-01"),
        // The first day: no session day before it, no anchor, only its own activity.
        new Case("first input day", "2024-01-01", 3, "2024-01-01", AGES, 60, Set.of(),
            List.of(), List.of(), dates("2024-01-01"), List.of(), "2024-01-01"),
        // The day after: F's sessions and F as the T-1 anchor.
        new Case("second input day", "2024-01-02", 3, "2024-01-01", AGES, 60, Set.of(),
            dates("2024-01-01"), dates("2024-01-01"), dates("2024-01-01", "2024-01-02"), List.of(), "2024-01-01"),
        // L = 0: sessions of T-1 only, only T rebuilt; twice the anchors' lookback of 2 days reaches 03-19.
        new Case("no lateness", "2024-03-30", 0, "2024-01-01", List.of(1, 7), 2,
            new TreeSet<>(span("2024-01-01", "2024-03-29")),
            dates("2024-03-29"), dates("2024-03-23", "2024-03-29"),
            dates("2024-03-30"), span("2024-03-19", "2024-03-29"), "2024-03-27"),
        // L = 5: sessions T-6..T-1, rebuilt T-5..T, arrivals from T-8; age 65 (2024-01-25) is before F.
        new Case("lateness 5", "2024-03-30", 5, "2024-03-01", List.of(1, 7, 28, 65), 60,
            new TreeSet<>(span("2024-03-01", "2024-03-24")),
            span("2024-03-24", "2024-03-29"), dates("2024-03-02", "2024-03-23", "2024-03-29"),
            span("2024-03-25", "2024-03-30"), span("2024-03-01", "2024-03-24"), "2024-03-22"),
        // No rewards published: only the days arrival T can change are built.
        new Case("no publication ages", "2024-03-30", 3, "2024-01-01", List.of(), 60, Set.of(),
            span("2024-03-26", "2024-03-29"), List.of(),
            span("2024-03-27", "2024-03-30"), List.of(), "2024-03-24"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plansTheRun(Case c) {
    NightlyPlan plan = NightlyPlan.of(
        LocalDate.parse(c.date()), c.lateness(), LocalDate.parse(c.firstInputDay()), c.ages(), c.lookback(),
        c.reusable());
    assertThat(plan, equalTo(new NightlyPlan(
        LocalDate.parse(c.date()), LocalDate.parse(c.firstInputDay()), c.sessions(), c.anchors(), c.rebuilt(),
        c.reused(), LocalDate.parse(c.firstArrival()))));
    assertThat(plan.lastArrival(), equalTo(LocalDate.parse(c.date())));
  }

  @org.junit.jupiter.api.Test
  void daysPublishedUnderAnOlderFormatAreRepublishedWithTheAnchorsOfTheRun() {
    // Steady state, plus 2024-01-10 published under definition version 1: it joins the anchors, and the activity
    // it needs (from 2024-01-10 - 120, before F) is read back from F. Days on or after T, or before F, are not.
    NightlyPlan plan = NightlyPlan.of(LocalDate.parse("2024-03-30"), 3, LocalDate.parse("2024-01-01"), AGES, 60,
        new TreeSet<>(span("2024-01-01", "2024-03-29")),
        Set.copyOf(dates("2023-12-31", "2024-01-10", "2024-03-30")));
    assertThat(plan.rewardAnchors(), equalTo(dates("2024-01-10", "2024-01-27", "2024-03-02", "2024-03-23",
        "2024-03-29")));
    assertThat(plan.activityReused(), equalTo(span("2024-01-01", "2024-03-26")));
  }

  @org.junit.jupiter.api.Test
  void aRangeComputesEachAnchorAsOfTheLastDateThatPublishesIt() {
    // L = 0, ages 1 and 2, lookback 2, F = 03-01; 03-20 is planned on a root holding 03-01 .. 03-19, the later
    // dates as they come. 03-20 publishes anchors 03-19 and 03-18, 03-21 publishes 03-20 and 03-19, 03-22
    // publishes 03-21 and 03-20: the last to publish 03-18 is 03-20, 03-19 is 03-21's, 03-20 and 03-21 are 03-22's.
    LocalDate f = LocalDate.parse("2024-03-01");
    List<NightlyPlan> plans = List.of(
        NightlyPlan.of(LocalDate.parse("2024-03-20"), 0, f, List.of(1, 2), 2,
            new TreeSet<>(span("2024-03-01", "2024-03-19"))),
        NightlyPlan.of(LocalDate.parse("2024-03-21"), 0, f, List.of(1, 2), 2, Set.of()),
        NightlyPlan.of(LocalDate.parse("2024-03-22"), 0, f, List.of(1, 2), 2, Set.of()));
    NightlyPlan range = NightlyPlan.range(plans);
    assertThat(range, equalTo(new NightlyPlan(LocalDate.parse("2024-03-22"), f, span("2024-03-19", "2024-03-21"),
        span("2024-03-18", "2024-03-21"), span("2024-03-20", "2024-03-22"), span("2024-03-14", "2024-03-19"),
        LocalDate.parse("2024-03-17"), List.of(
            new NightlyPlan.AsOf(LocalDate.parse("2024-03-20"), dates("2024-03-18")),
            new NightlyPlan.AsOf(LocalDate.parse("2024-03-21"), dates("2024-03-19")),
            new NightlyPlan.AsOf(LocalDate.parse("2024-03-22"), dates("2024-03-20", "2024-03-21"))))));
    assertThat(range.firstDate(), equalTo(LocalDate.parse("2024-03-20")));
    assertThat(range.asOfOf(LocalDate.parse("2024-03-19")), equalTo(LocalDate.parse("2024-03-21")));
    // One date: its own plan.
    assertThat(NightlyPlan.range(plans.subList(0, 1)), equalTo(plans.get(0)));
  }

  /** Every day from {@code from} to {@code to}, inclusive. */
  private static List<LocalDate> span(String from, String to) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = LocalDate.parse(from); !d.isAfter(LocalDate.parse(to)); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  private static List<LocalDate> dates(String... days) {
    return Stream.of(days).map(LocalDate::parse).toList();
  }

  private static TreeSet<LocalDate> without(List<LocalDate> days, String day) {
    TreeSet<LocalDate> set = new TreeSet<>(days);
    set.remove(LocalDate.parse(day));
    return set;
  }

  private static List<LocalDate> concat(List<LocalDate> a, List<LocalDate> b) {
    List<LocalDate> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
