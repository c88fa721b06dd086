package dev.encore.nightly;

import static dev.encore.nightly.LabelsV2.date;
import static dev.encore.nightly.LabelsV2.day;
import static dev.encore.nightly.LabelsV2.integer;
import static dev.encore.nightly.LabelsV2.key;
import static dev.encore.nightly.LabelsV2.list;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.publish.OutputRoot;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The label defects of the issue "labels that are true when published", re-measured on the committed sample with
 * the definitions of docs/rewards.md version 2 (publication ages 4, 10, 31, 63). Each count must be 0:
 *
 * <ol>
 *   <li>a label published at its checkpoint age that is not final (age N + L without mature_N);
 *   <li>a non-null value of a non-final day, or a value flagged final that changes in a later version;
 *   <li>days_to_return_60 beyond 60 (or days_final), or changing;
 *   <li>a row missing at its first publication that appears later, or a discovery that vanishes;
 *   <li>missing input counted as observed (one partition removed);
 *   <li value="8">two meanings of maturity: user mature_60 and discovery trace_mature not as defined.
 * </ol>
 *
 * <p>With Z the sample's last arrival day (read from testdata/logs), the nightly runs Z − 59, Z − 53, Z − 32 and Z on
 * one output root publish the anchor Z − 63 at every age (4, 10, 31, 63) and 12 other anchors once; every version is
 * kept and compared. One more run, Z on another root with the arrival partition Z − 9 removed, measures (5).
 */
class LabelDefectsTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir Path tmp;

  /** version (as_of) → dataset → key → row, the rows each run published. */
  private final Map<LocalDate, Map<String, Map<String, Map<String, Object>>>> versions = new TreeMap<>();

  private void keep(Path out, LocalDate asOf) throws Exception {
    Path copy = tmp.resolve("versions/" + asOf);
    Map<String, Map<String, Map<String, Object>>> v = new TreeMap<>();
    for (String dataset : LabelsV2.REWARDS) {
      if (java.nio.file.Files.isDirectory(out.resolve(dataset))) {
        TreeSnapshot.copy(out.resolve(dataset), copy.resolve(dataset));
      }
      Map<String, Map<String, Object>> rows = new TreeMap<>();
      for (Map<String, Object> r : LabelsV2.rows(copy, dataset)) {
        if (asOf.equals(date(r.get("as_of")))) {
          rows.put(key(dataset, r), r);
        }
      }
      v.put(dataset, rows);
    }
    versions.put(asOf, v);
  }

  private static int age(Map<String, Object> r) {
    return (int) ChronoUnit.DAYS.between(day(r), date(r.get("as_of")));
  }

  @Test
  void everyDefectCountIsZero() throws Exception {
    List<LocalDate> days = LabelsV2.arrivalDays(LOGS);
    LocalDate f = days.get(0);
    LocalDate z = days.get(days.size() - 1);
    long t0 = System.nanoTime();
    Path out = tmp.resolve("out");
    LabelsV2.Counts within = new LabelsV2.Counts();
    List<LocalDate> runs = List.of(z.minusDays(59), z.minusDays(53), z.minusDays(32), z);
    for (LocalDate r : runs) {
      LabelsV2.nightly(LOGS, out, r);
      LabelsV2.checkRun(out, new LabelsV2.Finality(f, r, Set.of()), within);
      keep(out, r);
    }
    LabelsV2.Counts d = new LabelsV2.Counts();
    long rows = 0;
    for (var v : versions.values()) {
      for (String dataset : LabelsV2.REWARDS) {
        for (Map<String, Object> r : v.get(dataset).values()) {
          rows++;
          checkpointAge(dataset, r, d);
        }
      }
    }
    acrossVersions(d);
    // (2), (3), (8) within each version, from the calendar rules.
    within.counts.forEach((rule, n) -> {
      String category = rule.contains("days_to_return_60") ? "(3) "
          : rule.contains("mature_60") || rule.contains("trace_mature") ? "(8) "
          : rule.contains("withheld") || rule.contains("missing") || rule.contains("published") ? "(4) "
          : "(2) ";
      d.counts.merge(category + "within a version: " + rule, n, Long::sum);
    });
    within.examples.forEach((rule, ex) -> d.examples.put("within a version: " + rule, ex));

    // (5) One arrival partition removed in the middle of the range.
    LocalDate x = z.minusDays(9);
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs-missing"));
    dev.encore.store.StoreFiles.deleteTree(logs.resolve("dt=" + x).toString());
    Path missing = tmp.resolve("out-missing");
    LabelsV2.nightly(logs, missing, z, "--allowMissingDays=true");
    LabelsV2.Counts five = new LabelsV2.Counts();
    LabelsV2.checkRun(missing, new LabelsV2.Finality(f, z, Set.of(x)), five);
    five.counts.forEach((rule, n) -> d.counts.merge("(5) missing " + x + ": " + rule, n, Long::sum));
    five.examples.forEach((rule, ex) -> d.examples.put("(5) missing " + x + ": " + rule, ex));
    d.check("(5) missing " + x + ": the input calendar does not mark it incomplete",
        !"incomplete".equals(LabelsV2.calendarEntry(LabelsV2.inputCalendar(missing), x)), x);

    System.out.printf("label defects on %s (%s .. %s), runs %s and %s without dt=%s: %d rows in %d versions,"
        + " %.0f s%n%s", LOGS, f, z, runs, z, x, rows, versions.size(), (System.nanoTime() - t0) / 1e9, d);
    assertThat(rows, greaterThan(0L));
    assertThat(versions.values().stream().filter(v -> v.get("user_rewards").values().stream()
        .anyMatch(r -> z.minusDays(63).equals(day(r)))).count(), equalTo(4L));
    assertThat(d.toString(), d.nonZero(), equalTo(Map.of()));
  }

  /** (1) and (8): a row published at age N + L has mature_N; at the maturity age every flag; nothing earlier. */
  private static void checkpointAge(String dataset, Map<String, Object> r, LabelsV2.Counts d) {
    int age = age(r);
    String k = dataset + " " + key(dataset, r) + " age " + age;
    d.check("(1) published at an age that is not a publication age", !LabelsV2.AGES.contains(age), k);
    if (dataset.equals("user_rewards")) {
      d.check("(1) user_rewards: age 4 without mature_1", age >= 4 && !(Boolean) r.get("mature_1"), k);
      d.check("(1) user_rewards: age 10 without mature_7", age >= 10 && !(Boolean) r.get("mature_7"), k);
      d.check("(1) user_rewards: age 31 without mature_28", age >= 31 && !(Boolean) r.get("mature_28"), k);
      d.check("(1) user_rewards: age 63 without mature_60", age >= 63 && !(Boolean) r.get("mature_60"), k);
      d.check("(1) user_rewards: return_d1 null at age 4", age >= 4 && r.get("return_d1") == null, k);
      d.check("(8) user_rewards: mature_60 is not D + 60 + L <= as_of", (Boolean) r.get("mature_60") != age >= 63, k);
      d.check("(8) user_rewards: mature_N is not D + N + L <= as_of", (Boolean) r.get("mature_28") != age >= 31
          || (Boolean) r.get("mature_7") != age >= 10 || (Boolean) r.get("mature_1") != age >= 4, k);
    } else {
      boolean traceMature = (Boolean) r.get("trace_mature");
      d.check("(8) " + dataset + ": trace_mature is not D + 59 + L <= as_of", traceMature != age >= 62, k);
      d.check("(1) " + dataset + ": age 63 without trace_mature", age >= 63 && !traceMature, k);
      if (dataset.equals("user_entity_rewards")) {
        d.check("(1) user_entity_rewards: age 10 without mature_7", age >= 10 && !(Boolean) r.get("mature_7"), k);
        d.check("(1) user_entity_rewards: age 31 without mature_28", age >= 31 && !(Boolean) r.get("mature_28"), k);
        d.check("(1) user_entity_rewards: stickiness_60 null at age 63", age >= 63 && r.get("stickiness_60") == null,
            k);
      }
    }
  }

  /** (2), (3), (4): every later version of a partition against every earlier one. */
  private void acrossVersions(LabelsV2.Counts d) {
    List<LocalDate> asOfs = new ArrayList<>(versions.keySet());
    for (String dataset : LabelsV2.REWARDS) {
      String rowCount = "(4) " + dataset + ": a row missing at its first publication that appears later";
      String vanish = "(4) " + dataset + ": a row that vanishes in a later version";
      d.zero(rowCount);
      d.zero(vanish);
      for (int i = 0; i < asOfs.size(); i++) {
        for (int j = i + 1; j < asOfs.size(); j++) {
          LocalDate a = asOfs.get(i);
          LocalDate b = asOfs.get(j);
          Map<String, Map<String, Object>> early = versions.get(a).get(dataset);
          Map<String, Map<String, Object>> late = versions.get(b).get(dataset);
          // Partitions published by both runs.
          Set<LocalDate> both = new java.util.TreeSet<>();
          for (int ageA : LabelsV2.AGES) {
            LocalDate anchor = a.minusDays(ageA);
            if (LabelsV2.AGES.contains((int) ChronoUnit.DAYS.between(anchor, b))) {
              both.add(anchor);
            }
          }
          for (LocalDate anchor : both) {
            for (var e : early.entrySet()) {
              if (day(e.getValue()).equals(anchor)) {
                Map<String, Object> later = late.get(e.getKey());
                d.check(vanish, later == null, e.getKey() + " published " + a + ", gone " + b);
                if (later != null) {
                  finalValues(dataset, e.getValue(), later, d);
                }
              }
            }
            for (var e : late.entrySet()) {
              if (day(e.getValue()).equals(anchor)) {
                d.check(rowCount, !early.containsKey(e.getKey()), e.getKey() + " not in " + a + ", in " + b);
              }
            }
          }
        }
      }
    }
  }

  /** (2) and (3): what was final in the early version is the same in the later one; progressive counts grow. */
  private static void finalValues(String dataset, Map<String, Object> a, Map<String, Object> b, LabelsV2.Counts d) {
    String k = dataset + " " + key(dataset, a) + " " + a.get("as_of") + " -> " + b.get("as_of") + ": ";
    d.check("(2) " + dataset + ": days_final decreases", integer(b.get("days_final")) < integer(a.get("days_final")),
        k + a.get("days_final") + " -> " + b.get("days_final"));
    if (dataset.equals("user_rewards")) {
      d.check("(2) user_rewards: return_d1 changes once published", a.get("return_d1") != null
          && !Objects.equals(a.get("return_d1"), b.get("return_d1")), k + a.get("return_d1") + " -> "
          + b.get("return_d1"));
      for (int n : LabelsV2.USER_HORIZONS) {
        boolean mature = (Boolean) a.get("mature_" + n);
        d.check("(2) user_rewards: mature_N goes back to false", mature && !(Boolean) b.get("mature_" + n), k + n);
        d.check("(2) user_rewards: active_days_N changes once mature_N", mature
            && !Objects.equals(a.get("active_days_" + n), b.get("active_days_" + n)),
            k + "active_days_" + n + " " + a.get("active_days_" + n) + " -> " + b.get("active_days_" + n));
        d.check("(2) user_rewards: progressive active_days_N decreases",
            LabelsV2.number(b.get("active_days_" + n)) < LabelsV2.number(a.get("active_days_" + n)), k + n);
      }
      d.check("(2) user_rewards: streams_28 or ms_played_28 changes once mature_28", (Boolean) a.get("mature_28")
          && (!Objects.equals(a.get("streams_28"), b.get("streams_28"))
              || !Objects.equals(a.get("ms_played_28"), b.get("ms_played_28"))), k);
      d.check("(2) user_rewards: user_first_active_date changes",
          !Objects.equals(a.get("user_first_active_date"), b.get("user_first_active_date")), k);
      d.check("(3) user_rewards: days_to_return_60 changes once published", a.get("days_to_return_60") != null
          && !Objects.equals(a.get("days_to_return_60"), b.get("days_to_return_60")), k + a.get("days_to_return_60")
          + " -> " + b.get("days_to_return_60"));
      d.check("(3) user_rewards: a final 'no return' (null with mature_60) changes", (Boolean) a.get("mature_60")
          && a.get("days_to_return_60") == null && b.get("days_to_return_60") != null, k);
    } else if (dataset.equals("user_entity_rewards")) {
      d.check("(2) user_entity_rewards: a non-null trace entry changes", changedEntries(a.get("trace"),
          b.get("trace")), k + a.get("trace") + " -> " + b.get("trace"));
      d.check("(2) user_entity_rewards: stickiness_60 changes once published", a.get("stickiness_60") != null
          && !Objects.equals(a.get("stickiness_60"), b.get("stickiness_60")), k);
      for (int n : LabelsV2.DISCOVERY_HORIZONS) {
        d.check("(2) user_entity_rewards: active_days_N changes once mature_N", (Boolean) a.get("mature_" + n)
            && !Objects.equals(a.get("active_days_" + n), b.get("active_days_" + n)), k + n);
      }
      for (String c : List.of("discovery_kind", "lookback_complete", "discovery_ts", "discovery_item_id",
          "discovery_platform", "discovery_context_type", "discovery_reason_start")) {
        d.check("(2) user_entity_rewards: a column final always changes", !Objects.equals(a.get(c), b.get(c)),
            k + c);
      }
    } else {
      d.check("(2) entity_rewards: a non-null active_by_offset entry changes",
          changedEntries(a.get("active_by_offset"), b.get("active_by_offset")), k);
      d.check("(2) entity_rewards: discoverers or new_user_discoverers change",
          !Objects.equals(a.get("discoverers"), b.get("discoverers"))
              || !Objects.equals(a.get("new_user_discoverers"), b.get("new_user_discoverers")), k);
      d.check("(2) entity_rewards: mean_stickiness_60 changes once published", a.get("mean_stickiness_60") != null
          && !Objects.equals(a.get("mean_stickiness_60"), b.get("mean_stickiness_60")), k);
    }
  }

  private static boolean changedEntries(Object early, Object late) {
    List<Object> a = list(early);
    List<Object> b = list(late);
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != null && (i >= b.size() || !Objects.equals(a.get(i), b.get(i)))) {
        return true;
      }
    }
    return false;
  }
}
