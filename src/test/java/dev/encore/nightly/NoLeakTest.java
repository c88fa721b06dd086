package dev.encore.nightly;

import static dev.encore.nightly.LabelsV2.day;
import static dev.encore.nightly.LabelsV2.integer;
import static dev.encore.nightly.LabelsV2.key;
import static dev.encore.nightly.LabelsV2.list;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No leak (docs/rewards.md version 2, "a published value is true as stated"): deleting every play of a day that is
 * not final at as_of, or of every day after D + N, leaves every N-day label of anchor D unchanged in that
 * publication.
 *
 * <p>Three runs of {@code nightly --date=T} on the committed sample, T its last arrival day: on the logs as they are
 * (base); on a copy without any play of the days T − 2 … T + 1, none of them final in run T (d + L > T), whatever
 * arrival partition holds them (a day's plays sit in d − 1 … d + L); on a copy without any play of the days after
 * C = T − 20. The first copy must publish exactly the base's reward rows; the second the base's N-day labels of every
 * anchor D with D + N ≤ C. The same comparison on the labels whose window reaches past C finds differences, so it
 * can fail.
 */
class NoLeakTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir static Path tmp;
  static LocalDate t;
  static LocalDate cut;
  static Path base;
  static Path withoutNonFinal;
  static Path withoutAfterCut;
  static long droppedNonFinal;
  static long droppedAfterCut;

  @BeforeAll
  static void runs() throws Exception {
    List<LocalDate> days = LabelsV2.arrivalDays(LOGS);
    t = days.get(days.size() - 1);
    cut = t.minusDays(20);
    LocalDate firstNonFinal = t.minusDays(LabelsV2.L - 1);
    droppedNonFinal = LabelsV2.copyWithout(LOGS, tmp.resolve("logs-nonfinal"), d -> !d.isBefore(firstNonFinal));
    droppedAfterCut = LabelsV2.copyWithout(LOGS, tmp.resolve("logs-cut"), d -> d.isAfter(cut));
    base = tmp.resolve("base");
    withoutNonFinal = tmp.resolve("nonfinal");
    withoutAfterCut = tmp.resolve("cut");
    // Partition T of a copy may be left with little but its invalid records: no refusal for its rejected share.
    LabelsV2.nightly(LOGS, base, t, "--maxRejectedShare=1");
    LabelsV2.nightly(tmp.resolve("logs-nonfinal"), withoutNonFinal, t, "--maxRejectedShare=1");
    LabelsV2.nightly(tmp.resolve("logs-cut"), withoutAfterCut, t, "--maxRejectedShare=1");
  }

  private static Map<String, Map<String, Object>> byKey(Path out, String dataset) {
    Map<String, Map<String, Object>> m = new TreeMap<>();
    for (Map<String, Object> r : LabelsV2.rows(out, dataset)) {
      m.put(key(dataset, r), r);
    }
    return m;
  }

  @Test
  void playsOfDaysThatAreNotFinalChangeNoPublishedRow() {
    assertThat(droppedNonFinal, greaterThan(0L));
    for (String dataset : LabelsV2.REWARDS) {
      Map<String, Map<String, Object>> a = byKey(base, dataset);
      Map<String, Map<String, Object>> b = byKey(withoutNonFinal, dataset);
      if (!dataset.equals("entity_rewards")) {
        assertThat(dataset + " rows", a.size(), greaterThan(0));
      }
      List<String> differ = new ArrayList<>();
      for (String k : a.keySet()) {
        if (!Objects.equals(a.get(k), b.get(k))) {
          differ.add(a.get(k) + " became " + b.get(k));
        }
      }
      for (String k : b.keySet()) {
        if (!a.containsKey(k)) {
          differ.add("new row " + b.get(k));
        }
      }
      System.out.printf("no leak, plays of %s .. %s deleted: %s rows compared, %d differ%n",
          t.minusDays(LabelsV2.L - 1), t.plusDays(1), dataset + " " + a.size(), differ.size());
      assertThat(dataset + ": " + differ.subList(0, Math.min(3, differ.size())), differ.size(), equalTo(0));
    }
  }

  /**
   * The labels of one row whose window (D, D + N] satisfies {@code compared}, as name → value: the N-day counts and
   * flags, return_d1 (N = 1), the trace and active_by_offset entries 1 … N (N ≤ 59) and days_to_return_60 when it is
   * at most N, stickiness_60 and mean_stickiness_60 (N = 59); plus the columns that are final always (N = 0).
   */
  private static Map<String, Object> labels(
      String dataset, Map<String, Object> r, BiPredicate<LocalDate, Integer> compared) {
    LocalDate d = day(r);
    Map<String, Object> m = new TreeMap<>();
    if (compared.test(d, 0)) {
      for (String c : List.of("user_first_active_date", "days_final", "discovery_kind", "lookback_complete",
          "discovery_ts", "discovery_item_id", "discovery_platform", "discovery_context_type",
          "discovery_reason_start", "discoverers", "new_user_discoverers", "trace_mature")) {
        if (r.containsKey(c)) {
          m.put(c, r.get(c));
        }
      }
    }
    for (int n = 1; n <= 60; n++) {
      if (!compared.test(d, n)) {
        continue;
      }
      for (String c : List.of("active_days_" + n, "streams_" + n, "ms_played_" + n, "active_weeks_" + n,
          "mature_" + n)) {
        if (r.containsKey(c)) {
          m.put(c, r.get(c));
        }
      }
      if (n == 1 && r.containsKey("return_d1")) {
        m.put("return_d1", r.get("return_d1"));
      }
      if (r.containsKey("days_to_return_60")) {
        Integer ret = integer(r.get("days_to_return_60"));
        m.put("days_to_return_60 within " + n, ret != null && ret <= n ? ret : null);
      }
      for (String c : List.of("trace", "active_by_offset")) {
        if (r.containsKey(c) && n <= LabelsV2.TRACE) {
          m.put(c + "[" + n + "]", list(r.get(c)).get(n - 1));
        }
      }
      if (n == LabelsV2.TRACE) {
        for (String c : List.of("stickiness_60", "mean_stickiness_60")) {
          if (r.containsKey(c)) {
            m.put(c, r.get(c));
          }
        }
      }
    }
    return m;
  }

  /** Label values of the base that differ in the cut copy, over the rows (and windows) {@code compared} selects. */
  private static List<String> differences(BiPredicate<LocalDate, Integer> compared) {
    List<String> differ = new ArrayList<>();
    for (String dataset : LabelsV2.REWARDS) {
      Map<String, Map<String, Object>> a = byKey(base, dataset);
      Map<String, Map<String, Object>> b = byKey(withoutAfterCut, dataset);
      for (String k : a.keySet()) {
        Map<String, Object> ra = a.get(k);
        Map<String, Object> rb = b.get(k);
        if (day(ra).isAfter(cut)) {
          continue; // every play of D itself was deleted: no row
        }
        if (rb == null) {
          differ.add(dataset + " " + k + ": row missing");
          continue;
        }
        Map<String, Object> la = labels(dataset, ra, compared);
        Map<String, Object> lb = labels(dataset, rb, compared);
        for (String c : la.keySet()) {
          if (!Objects.equals(la.get(c), lb.get(c))) {
            differ.add(dataset + " " + k + " " + c + ": " + la.get(c) + " became " + lb.get(c));
          }
        }
      }
    }
    return differ;
  }

  @Test
  void playsAfterTheWindowChangeNoLabelOfIt() {
    assertThat(droppedAfterCut, greaterThan(0L));
    // Anchors with a window inside (D, C]: T-31 (N = 1, 7) and T-63 (N = 1, 7, 28) by default.
    BiPredicate<LocalDate, Integer> inside = (d, n) -> !d.plusDays(n).isAfter(cut);
    long anchors = LabelsV2.rows(base, "user_rewards").stream().map(LabelsV2::day)
        .filter(d -> d.plusDays(7).isBefore(cut)).distinct().count();
    assertThat("anchors with a 7-day window before " + cut, anchors, greaterThan(0L));
    List<String> differ = differences(inside);
    System.out.printf("no leak, plays after C = %s deleted (%d records): %d labels of windows up to C differ%n",
        cut, droppedAfterCut, differ.size());
    assertThat(differ.subList(0, Math.min(5, differ.size())).toString(), differ.size(), equalTo(0));
  }

  @Test
  void theComparisonFindsTheDeletedPlaysInWindowsThatCoverThem() {
    // The same comparison over the windows that reach past C: deleted plays inside them must show.
    BiPredicate<LocalDate, Integer> across = (d, n) -> n > 0 && !d.isAfter(cut) && d.plusDays(n).isAfter(cut);
    List<String> differ = differences(across);
    System.out.printf("control: %d labels of windows across C = %s differ, e.g. %s%n", differ.size(), cut,
        differ.subList(0, Math.min(2, differ.size())));
    assertThat(differ.size(), greaterThan(0));
    assertThat(differ.stream().anyMatch(s -> s.contains("active_days_60")), equalTo(true));
    assertThat(differ.stream().anyMatch(s -> s.contains(" trace[")), equalTo(true));
  }
}
