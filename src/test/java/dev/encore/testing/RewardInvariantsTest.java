package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

import dev.encore.testing.RewardInvariants.Rules;
import dev.encore.testing.RewardInvariants.Version;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The invariant checker on hand-made versions: a history that keeps every rule passes, and each planted
 * violation (a final cell changes, a trace entry flips, a row vanishes or appears, a count decreases, a mature
 * row with a day not final, a column without a rule) is reported with its dataset, key, column and versions.
 */
class RewardInvariantsTest {
  static final LocalDate D = LocalDate.parse("2024-03-01");
  static final Rules COMPLETE = Rules.defaults(true);

  /** A user_rewards row of anchor D as run D+age publishes it on complete input; active on D+1, D+2, D+40. */
  static Map<String, Object> userRow(String user, int age) {
    int f = Math.max(0, Math.min(60, age - 3));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("user_id", user);
    r.put("anchor_date", D);
    r.put("active_days_7", (long) Math.min(2, f));
    r.put("active_days_28", (long) Math.min(2, f));
    r.put("active_days_60", (long) (f >= 40 ? 3 : Math.min(2, f)));
    r.put("return_d1", f >= 1 ? Boolean.TRUE : null);
    r.put("days_to_return_60", f >= 1 ? 1 : null);
    r.put("streams_28", (long) Math.min(2, f) * 5);
    r.put("ms_played_28", (long) Math.min(2, f) * 5 * 200_000);
    r.put("user_first_active_date", LocalDate.parse("2024-02-20"));
    r.put("as_of", D.plusDays(age));
    r.put("days_final", f);
    for (int n : new int[] {1, 7, 28, 60}) {
      r.put("mature_" + n, f >= n);
    }
    return r;
  }

  /** A user_entity_rewards row of discovery day D at age; the user comes back to the entity on D+2 and D+30. */
  static Map<String, Object> discoveryRow(int age) {
    int f = Math.max(0, Math.min(59, age - 3));
    List<Boolean> trace = new ArrayList<>();
    int trues = 0;
    for (int k = 1; k <= 59; k++) {
      trace.add(k <= f ? (k == 2 || k == 30) : null);
      trues += k <= f && (k == 2 || k == 30) ? 1 : 0;
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("user_id", "u1");
    r.put("entity_level", "artist");
    r.put("entity_id", "a7");
    r.put("discovery_date", D);
    r.put("trace", trace);
    r.put("stickiness_60", f == 59 ? 1 + trues : null);
    r.put("active_days_7", (long) (f >= 2 ? 1 : 0));
    r.put("active_days_28", (long) (f >= 2 ? 1 : 0));
    r.put("discovery_kind", "new_to_entity");
    r.put("discovery_ts", 1_709_251_200_000L);
    r.put("discovery_item_id", "t1");
    r.put("discovery_platform", "android");
    r.put("discovery_context_type", "search");
    r.put("discovery_reason_start", "clickrow");
    r.put("lookback_complete", true);
    r.put("as_of", D.plusDays(age));
    r.put("days_final", f);
    r.put("mature_7", f >= 7);
    r.put("mature_28", f >= 28);
    r.put("trace_mature", f == 59);
    return r;
  }

  static List<Version> userVersions(Consumer<List<Version>> plant) {
    List<Version> versions = new ArrayList<>();
    for (int age : new int[] {4, 10, 31, 63}) {
      versions.add(new Version(D.plusDays(age), List.of(userRow("u1", age), userRow("u2", age))));
    }
    plant.accept(versions);
    return versions;
  }

  static List<Version> discoveryVersions(Consumer<List<Version>> plant) {
    List<Version> versions = new ArrayList<>();
    for (int age : new int[] {4, 10, 31, 63}) {
      versions.add(new Version(D.plusDays(age), List.of(discoveryRow(age))));
    }
    plant.accept(versions);
    return versions;
  }

  /** Replaces one cell of the first row of version i. */
  static Consumer<List<Version>> set(int i, String column, Object value) {
    return versions -> {
      Version v = versions.get(i);
      List<Map<String, Object>> rows = new ArrayList<>(v.rows());
      Map<String, Object> row = new LinkedHashMap<>(rows.get(0));
      row.put(column, value);
      rows.set(0, row);
      versions.set(i, new Version(v.asOf(), rows));
    };
  }

  static List<String> checkUser(Consumer<List<Version>> plant) {
    return RewardInvariants.check("user_rewards", D, userVersions(plant), COMPLETE);
  }

  static List<String> checkDiscovery(Consumer<List<Version>> plant) {
    return RewardInvariants.check("user_entity_rewards", D, discoveryVersions(plant), COMPLETE);
  }

  @Test
  void aHistoryThatKeepsTheRulesPasses() {
    assertThat(checkUser(v -> {}), empty());
    assertThat(checkDiscovery(v -> {}), empty());
  }

  @Test
  void aFinalCountThatChangesIsReported() {
    // active_days_7 is final (mature_7) at age 10 and changes at 31.
    List<String> violations = checkUser(set(2, "active_days_7", 3L));
    assertThat(violations, contains(
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: final active_days_7 (mature_7) changed from 2 to 3"
            + " (as_of=2024-03-11 -> as_of=2024-04-01)",
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: final active_days_7 (mature_7) changed from 3 to 2"
            + " (as_of=2024-04-01 -> as_of=2024-05-03)"));
  }

  @Test
  void aProgressiveCountThatDecreasesIsReported() {
    // active_days_60 is progressive at ages 4, 10 and 31 (not mature_60): 1, 2, then 1 planted, then 3.
    List<String> violations = checkUser(set(2, "active_days_60", 1L));
    assertThat(violations, contains(
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: progressive active_days_60 decreased from 2 to 1"
            + " (as_of=2024-03-11 -> as_of=2024-04-01)"));
  }

  @Test
  void aRowThatVanishesOrAppearsIsReported() {
    List<String> vanished = checkUser(versions -> versions.set(2,
        new Version(versions.get(2).asOf(), List.of(versions.get(2).rows().get(1)))));
    assertThat(vanished, contains("user_rewards dt=2024-03-01 [u1|2024-03-01]: row of the first version"
        + " as_of=2024-03-05 vanished in version as_of=2024-04-01"));
    List<String> appeared = checkUser(versions -> versions.set(3, new Version(versions.get(3).asOf(),
        List.of(versions.get(3).rows().get(0), versions.get(3).rows().get(1), userRow("u3", 63)))));
    assertThat(appeared, contains("user_rewards dt=2024-03-01 [u3|2024-03-01]: row appears in version"
        + " as_of=2024-05-03, absent from the first version as_of=2024-03-05"));
  }

  @Test
  void aFinalNullAndAFinalFlagValueAreKept() {
    // days_to_return_60 null with mature_60 is a final "no return"; return_d1 is final once set.
    assertThat(checkUser(set(1, "return_d1", false)), contains(
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: final return_d1 changed from true to false"
            + " (as_of=2024-03-05 -> as_of=2024-03-11)",
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: final return_d1 changed from false to true"
            + " (as_of=2024-03-11 -> as_of=2024-04-01)",
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: final return_d1 changed from false to true"
            + " (as_of=2024-03-11 -> as_of=2024-05-03)"));
    // No return within 60 days: a null with mature_60 is final (a later version, whatever its age, keeps it).
    Map<String, Object> mature = new LinkedHashMap<>(userRow("u1", 63));
    mature.put("days_to_return_60", null);
    Map<String, Object> later = new LinkedHashMap<>(userRow("u1", 70));
    later.put("days_to_return_60", 61);
    Rules anyAge = new Rules(3, 63, 60, 59, null, true);
    assertThat(RewardInvariants.check("user_rewards", D, List.of(new Version(D.plusDays(63), List.of(mature)),
        new Version(D.plusDays(70), List.of(later))), anyAge), contains(
        "user_rewards dt=2024-03-01 [u1|2024-03-01]: final days_to_return_60 changed from null to 61"
            + " (as_of=2024-05-03 -> as_of=2024-05-10) (a null with mature_60 is final)"));
    assertThat(checkUser(set(0, "user_first_active_date", LocalDate.parse("2024-02-21"))), hasSize(3));
  }

  @Test
  void aTraceEntryThatFlipsIsReported() {
    // At age 10 trace[3] (day D+4) is final: false; plant a true in version 31.
    List<String> violations = checkDiscovery(versions -> {
      @SuppressWarnings("unchecked")
      List<Boolean> trace = new ArrayList<>((List<Boolean>) versions.get(2).rows().get(0).get("trace"));
      trace.set(3, true);
      set(2, "trace", trace).accept(versions);
    });
    assertThat(violations, contains(
        "user_entity_rewards dt=2024-03-01 [u1|artist|a7|2024-03-01]: final trace[3] (day D+4) changed from"
            + " false to true (as_of=2024-03-11 -> as_of=2024-04-01)",
        "user_entity_rewards dt=2024-03-01 [u1|artist|a7|2024-03-01]: final trace[3] (day D+4) changed from"
            + " true to false (as_of=2024-04-01 -> as_of=2024-05-03)"));
    // A discovery attribute is final from the first version.
    assertThat(checkDiscovery(set(3, "discovery_item_id", "t2")), everyItem(containsString(
        "final discovery_item_id changed from t1 to t2")));
  }

  @Test
  void aMatureRowWithADayNotFinalIsReported() {
    List<String> violations = checkDiscovery(versions -> {
      @SuppressWarnings("unchecked")
      List<Boolean> trace = new ArrayList<>((List<Boolean>) versions.get(3).rows().get(0).get("trace"));
      trace.set(58, null);
      set(3, "trace", trace).accept(versions);
    });
    assertThat(violations, contains(containsString(
        "[u1|artist|a7|2024-03-01] as_of=2024-05-03: at the maturity age (63) not every day is final: [trace=")));
    // days_final behind the complete-input calendar, with its flags: reported (and it decreased).
    List<String> behind = checkUser(versions -> {
      set(3, "days_final", 59).accept(versions);
      set(3, "mature_60", false).accept(versions);
    });
    assertThat(behind, contains(
        "user_rewards dt=2024-03-01 [u1|2024-03-01] as_of=2024-05-03: days_final 59, but on complete input the"
            + " days D+1 .. D+60 are final (min(W, T - D - L))",
        "user_rewards dt=2024-03-01 [u1|2024-03-01] as_of=2024-05-03: at the maturity age (63) not every day is"
            + " final: [mature_60=false]"));
  }

  @Test
  void inconsistentFlagsUnknownColumnsAndWrongAgesAreReported() {
    assertThat(checkUser(set(1, "mature_7", false)), contains(
        "user_rewards dt=2024-03-01 [u1|2024-03-01] as_of=2024-03-11: mature_7 is false with days_final 7"));
    assertThat(checkUser(set(0, "days_observed", 4)), contains(containsString(
        "column days_observed has no finality rule")));
    List<Version> late = userVersions(versions -> {});
    late.add(new Version(D.plusDays(70), List.of()));
    assertThat(RewardInvariants.check("user_rewards", D, late, COMPLETE), hasSize(3));
    assertThat(RewardInvariants.check("user_rewards", D, late, COMPLETE).get(0), containsString(
        "version as_of=2024-05-10 was published at age 70, not a publication age [4, 10, 31, 63]"));
  }

  @Test
  void numbersCompareByValueAndListsEntryByEntry() {
    assertThat(RewardInvariants.same(3, 3L), org.hamcrest.Matchers.is(true));
    assertThat(RewardInvariants.same(Arrays.asList(1, null), Arrays.asList(1L, null)),
        org.hamcrest.Matchers.is(true));
    assertThat(RewardInvariants.same(Arrays.asList(1, null), Arrays.asList(1L, 0L)),
        org.hamcrest.Matchers.is(false));
  }
}
