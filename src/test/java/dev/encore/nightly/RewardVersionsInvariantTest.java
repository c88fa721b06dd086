package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.encore.testing.DuckDb;
import dev.encore.testing.LateDelivery;
import dev.encore.testing.RewardInvariants;
import dev.encore.testing.RewardVersions;
import dev.encore.testing.RewardsOracle;
import dev.encore.testing.Runs;
import dev.encore.testing.SpecOracle;
import dev.encore.testing.SpotifyHistory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Invariant" and "Oracle" proofs of docs/rewards.md over every published version of five checked anchor
 * partitions, with many plays delivered late:
 *
 * <ul>
 *   <li>a 130-day generated range (40 users) with 25 % of plays re-delivered 1–3 days late (by hash of the event
 *       id, {@link LateDelivery}), on top of the generator's own late offline plays;
 *   <li>a named slice of the real Spotify histories (users sp001–sp040, 2020-06-27 … 2020-11-03) with 10 % of
 *       plays delivered 1–3 days late the same way.
 * </ul>
 *
 * Anchors F+34, F+40, F+61, F+93, F+120 (F the first day): their publication dates D + a, a ∈ {4, 10, 31, 63}
 * overlap, so the nine runs F+38, 44, 50, 65, 71, 92, 97, 103, 124 publish all their versions (three anchors
 * reach the maturity age; F+61 and later have a complete lookback, F+34 and F+40 do not). The runs go in date
 * order on one output root and keep every version of the checked partitions. Then every version must keep the
 * rules ({@link RewardInvariants}) and equal, cell by cell, what the independent {@link RewardsOracle} computes
 * from the logs for that run date.
 *
 * <p>With {@code -Dencore.slow=true} the same checks run after a {@code nightly} for every date of the range
 * (130 runs per data set), which also proves that no other date rewrites a checked partition.
 */
class RewardVersionsInvariantTest {
  static final List<Integer> AGES = List.of(4, 10, 31, 63);
  static final int[] ANCHOR_OFFSETS = {34, 40, 61, 93, 120};
  static final int DAYS = 130;
  /** DirectRunner: for these small inputs it is faster than the embedded Flink cluster (measured). */
  static final String RUNNER = System.getProperty("encore.invariants.runner", "DirectRunner");

  static final LocalDate GENERATED_FROM = LocalDate.parse("2024-01-01");
  static final LocalDate SPOTIFY_FROM = LocalDate.parse("2020-06-27");
  /** The named Spotify slice: the first 40 users of the file. */
  static final List<String> SPOTIFY_USERS = SpotifyHistory.firstUsers(40);

  /** Oracle rows by dataset and run date, per oracle (one oracle per test). */
  static final Map<RewardsOracle, Map<String, List<Map<String, Object>>>> ORACLE_ROWS =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  @TempDir Path tmp;

  /** Wall and process CPU time now, in milliseconds. */
  static long[] clock() {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean();
    return new long[] {System.nanoTime() / 1_000_000, os.getProcessCpuTime() / 1_000_000};
  }

  static String elapsed(long[] from, long[] to) {
    return String.format("wall %.1f s, cpu %.1f s", (to[0] - from[0]) / 1000.0, (to[1] - from[1]) / 1000.0);
  }

  static List<LocalDate> anchors(LocalDate from) {
    List<LocalDate> anchors = new ArrayList<>();
    for (int offset : ANCHOR_OFFSETS) {
      anchors.add(from.plusDays(offset));
    }
    return anchors;
  }

  /** 130 days, 40 users, 20 000 plays; then 25 % of the records 1–3 days later. */
  Path generatedLogs() {
    Path logs = tmp.resolve("logs");
    Runs.Cli gen = Runs.encore("generate", "--output=" + logs, "--from=" + GENERATED_FROM, "--days=" + DAYS,
        "--users=40", "--plays=20000", "--seed=11");
    assertThat(gen.toString(), gen.code(), equalTo(0));
    LateDelivery.Result late = LateDelivery.apply(logs, 0.25, 3);
    assertThat(late.toString(), late.movedShare(), greaterThan(0.2));
    return logs;
  }

  /** The Spotify slice; then 10 % of the plays 1–3 days late. */
  Path spotifyLogs() {
    Path logs = tmp.resolve("logs");
    SpotifyHistory.Conversion c =
        SpotifyHistory.convert(logs, SPOTIFY_USERS, SPOTIFY_FROM, SPOTIFY_FROM.plusDays(DAYS - 1));
    assertThat(c.plays(), greaterThan(20_000L));
    LateDelivery.Result late = LateDelivery.apply(logs, 0.10, 3);
    assertThat(late.toString(), late.movedShare(), greaterThan(0.08));
    return logs;
  }

  @Test
  void generatedRangeWithHeavyLateArrivals() {
    Path logs = generatedLogs();
    prove(logs, GENERATED_FROM, publishingDates(GENERATED_FROM), "generated");
  }

  @Test
  void spotifySliceWithTenPercentLate() {
    Path logs = spotifyLogs();
    prove(logs, SPOTIFY_FROM, publishingDates(SPOTIFY_FROM), "spotify");
  }

  @Test
  @EnabledIfSystemProperty(named = "encore.slow", matches = "true")
  void generatedRangeEveryDate() {
    Path logs = generatedLogs();
    prove(logs, GENERATED_FROM, RewardVersions.everyDate(GENERATED_FROM, GENERATED_FROM.plusDays(DAYS - 1)),
        "generated, every date");
  }

  @Test
  @EnabledIfSystemProperty(named = "encore.slow", matches = "true")
  void spotifySliceEveryDate() {
    Path logs = spotifyLogs();
    prove(logs, SPOTIFY_FROM, RewardVersions.everyDate(SPOTIFY_FROM, SPOTIFY_FROM.plusDays(DAYS - 1)),
        "spotify, every date");
  }

  static List<LocalDate> publishingDates(LocalDate from) {
    return RewardVersions.publishingDates(anchors(from), AGES, from.plusDays(DAYS - 1));
  }

  /** Runs the dates, then checks the invariants and the oracle on every kept version; fails with every finding. */
  void prove(Path logs, LocalDate from, List<LocalDate> dates, String name) {
    List<LocalDate> anchors = anchors(from);
    RewardVersions collector = new RewardVersions(
        logs, tmp.resolve("out"), tmp.resolve("versions"), anchors, "--runner=" + RUNNER);
    // Late plays touch every anchor: some plays of D itself, and of its 31 days after, arrive after their day.
    Map<LocalDate, String> touched = new TreeMap<>();
    List<SpecOracle.OraclePlay> accepted = SpecOracle.acceptedPlays(logs, from.plusDays(DAYS - 1));
    for (LocalDate d : anchors) {
      long onD = accepted.stream().filter(p -> p.day().equals(d) && p.arrival().isAfter(d)).count();
      long after = accepted.stream().filter(p -> p.day().isAfter(d) && !p.day().isAfter(d.plusDays(31))
          && p.arrival().isAfter(p.day())).count();
      touched.put(d, onD + " late plays of D, " + after + " of D+1..D+31");
      assertThat(name + " dt=" + d + ": " + touched.get(d), onD, greaterThan(0L));
    }
    System.out.println("[" + name + "] anchors: " + touched);

    long[] start = clock();
    collector.runAll(dates);
    long[] ran = clock();
    System.out.println("[" + name + "] " + dates.size() + " runs: " + elapsed(start, ran) + "; each (ms): "
        + collector.runs());

    List<String> findings = new ArrayList<>();
    RewardInvariants.Rules rules = RewardInvariants.Rules.defaults(true);
    Set<LocalDate> runDates = collector.runs().keySet();
    Map<String, Integer> rowsChecked = new TreeMap<>();
    int versionsChecked = 0;
    try (DuckDb db = DuckDb.open(); RewardsOracle oracle = RewardsOracle.load(logs)) {
      for (String dataset : RewardVersions.DATASETS) {
        for (LocalDate d : anchors) {
          // Every run at a publication age of D published a version of it (D is final: complete input).
          List<LocalDate> kept = collector.versionDates(dataset, d);
          for (LocalDate t : runDates) {
            long age = ChronoUnit.DAYS.between(d, t);
            if (AGES.contains((int) age) && !kept.contains(t) && !dataset.equals("entity_rewards")) {
              findings.add(dataset + " dt=" + d + ": run " + t + " (age " + age + ") published no version");
            }
          }
          List<RewardInvariants.Version> versions = collector.versions(db, dataset, d);
          findings.addAll(RewardInvariants.check(dataset, d, versions, rules));
          for (RewardInvariants.Version v : versions) {
            findings.addAll(compareWithOracle(oracle, dataset, d, v));
            rowsChecked.merge(dataset, v.rows().size(), Integer::sum);
            versionsChecked++;
          }
        }
      }
      plantedChangesAreCaught(name, oracle, collector.versions(db, "user_rewards", anchors.get(2)), anchors.get(2),
          rules);
      ORACLE_ROWS.remove(oracle);
    }
    System.out.println("[" + name + "] versions checked: " + versionsChecked + ", rows: " + rowsChecked
        + "; checks and oracle: " + elapsed(ran, clock()));
    int shown = Math.min(findings.size(), 60);
    assertThat("[" + name + "] " + findings.size() + " findings, the first " + shown + ":\n"
        + String.join("\n", findings.subList(0, shown)), findings, empty());
    assertThat(versionsChecked, greaterThanOrEqualTo(30));
    assertThat(rowsChecked.getOrDefault("user_rewards", 0), greaterThan(30));
    assertThat(rowsChecked.getOrDefault("user_entity_rewards", 0), greaterThan(30));
    assertThat(rowsChecked.getOrDefault("entity_rewards", 0), greaterThan(5));
  }

  /**
   * The checks are live on these very versions: a final cell changed in one version, and a row taken out of the
   * last, are reported by the invariant checker and by the oracle comparison.
   */
  static void plantedChangesAreCaught(String name, RewardsOracle oracle, List<RewardInvariants.Version> versions,
      LocalDate d, RewardInvariants.Rules rules) {
    assertThat(name + ": versions of user_rewards dt=" + d, versions.size(), equalTo(AGES.size()));
    // At age 10, active_days_7 is final (mature_7).
    RewardInvariants.Version atTen = versions.get(1);
    Map<String, Object> row = new java.util.LinkedHashMap<>(atTen.rows().get(0));
    assertThat(row.toString(), row.get("mature_7"), equalTo(true));
    long planted = ((Number) row.get("active_days_7")).longValue() + 1;
    row.put("active_days_7", planted);
    List<Map<String, Object>> rows = new ArrayList<>(atTen.rows());
    rows.set(0, row);
    List<RewardInvariants.Version> changed = new ArrayList<>(versions);
    changed.set(1, new RewardInvariants.Version(atTen.asOf(), rows));
    // And the last version without its first row.
    RewardInvariants.Version last = versions.get(versions.size() - 1);
    changed.set(versions.size() - 1,
        new RewardInvariants.Version(last.asOf(), last.rows().subList(1, last.rows().size())));

    String key = "[" + row.get("user_id") + "|" + d + "]";
    String invariants = String.join("\n", RewardInvariants.check("user_rewards", d, changed, rules));
    assertThat(invariants, org.hamcrest.Matchers.allOf(
        org.hamcrest.Matchers.containsString(key + ": final active_days_7 (mature_7) changed from " + planted),
        org.hamcrest.Matchers.containsString("[" + last.rows().get(0).get("user_id") + "|" + d
            + "]: row of the first version as_of=" + versions.get(0).asOf()
            + " vanished in version as_of=" + last.asOf())));
    String oracleFindings = String.join("\n", compareWithOracle(oracle, "user_rewards", d, changed.get(1)))
        + "\n" + String.join("\n", compareWithOracle(oracle, "user_rewards", d, changed.get(versions.size() - 1)));
    assertThat(oracleFindings, org.hamcrest.Matchers.allOf(
        org.hamcrest.Matchers.containsString("active_days_7: published " + planted + ", oracle " + (planted - 1)),
        org.hamcrest.Matchers.containsString(": in the oracle, not published")));
  }

  /**
   * One kept version against the oracle's rows of its run date and anchor: the same keys, the same columns and
   * every cell equal (nulls, lists entry by entry).
   */
  static List<String> compareWithOracle(RewardsOracle oracle, String dataset, LocalDate d,
      RewardInvariants.Version v) {
    Function<LocalDate, List<Map<String, Object>>> query = switch (dataset) {
      case "user_rewards" -> oracle::userRewards;
      case "user_entity_rewards" -> oracle::userEntityRewards;
      case "entity_rewards" -> oracle::entityRewards;
      default -> throw new IllegalArgumentException(dataset);
    };
    // One oracle query per dataset and run date (a run date publishes several checked anchors).
    Function<LocalDate, List<Map<String, Object>>> rows = t -> ORACLE_ROWS
        .computeIfAbsent(oracle, o -> new java.util.HashMap<>())
        .computeIfAbsent(dataset + "@" + t, k -> query.apply(t));
    List<String> keyColumns = RewardInvariants.KEYS.get(dataset);
    String dateColumn = keyColumns.get(keyColumns.size() - 1);
    Map<List<Object>, Map<String, Object>> expected = new TreeMap<>(RewardVersionsInvariantTest::compareKeys);
    for (Map<String, Object> row : rows.apply(v.asOf())) {
      if (d.equals(RewardVersions.plain(row.get(dateColumn)))) {
        expected.put(key(row, keyColumns), row);
      }
    }
    Map<List<Object>, Map<String, Object>> actual = new TreeMap<>(RewardVersionsInvariantTest::compareKeys);
    for (Map<String, Object> row : v.rows()) {
      actual.put(key(row, keyColumns), row);
    }
    String where = "oracle: " + dataset + " dt=" + d + " as_of=" + v.asOf();
    List<String> out = new ArrayList<>();
    Set<List<Object>> keys = new TreeSet<>(RewardVersionsInvariantTest::compareKeys);
    keys.addAll(expected.keySet());
    keys.addAll(actual.keySet());
    Set<String> columnIssues = new TreeSet<>();
    for (List<Object> key : keys) {
      Map<String, Object> e = expected.get(key);
      Map<String, Object> a = actual.get(key);
      if (e == null || a == null) {
        out.add(where + " " + key + ": " + (e == null ? "published, but not in the oracle" : "in the oracle,"
            + " not published"));
        continue;
      }
      for (String column : e.keySet()) {
        if (!a.containsKey(column)) {
          columnIssues.add(where + ": the oracle's column " + column + " is not published");
          continue;
        }
        // The oracle's canonical rendering: integers of any width alike, timestamps as epoch milliseconds.
        String ev = RewardsOracle.renderValue(e.get(column));
        String av = RewardsOracle.renderValue(a.get(column));
        if (!ev.equals(av)) {
          out.add(where + " " + key + " " + column + ": published " + av + ", oracle " + ev);
        }
      }
      for (String column : a.keySet()) {
        // The predictions are a model's, not labels: the NumPy check (IndependentPredictionCheckTest) covers them.
        if (!e.containsKey(column) && !RewardInvariants.isPrediction(column)) {
          columnIssues.add(where + ": published column " + column + " is not in the oracle");
        }
      }
    }
    out.addAll(columnIssues);
    return out;
  }

  private static List<Object> key(Map<String, Object> row, List<String> keyColumns) {
    List<Object> key = new ArrayList<>();
    for (String c : keyColumns) {
      key.add(RewardsOracle.renderValue(row.get(c)));
    }
    return key;
  }

  private static int compareKeys(List<Object> a, List<Object> b) {
    return String.valueOf(a).compareTo(String.valueOf(b));
  }
}
