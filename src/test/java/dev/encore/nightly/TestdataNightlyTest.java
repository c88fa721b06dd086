package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.publish.Publisher;
import dev.encore.testing.DuckDb;
import dev.encore.testing.Runs;
import dev.encore.testing.SpecOracle;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed synthetic sample through {@code nightly} on the default runner, read back with DuckDB and checked
 * against the independent oracle and against the generator's own record of what it wrote.
 */
class TestdataNightlyTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  /** The last day of the sample: the run reads every partition. */
  static final LocalDate T = LocalDate.parse("2024-05-29");

  @TempDir static Path tmp;
  static Path out;
  static Runs.Cli run;
  static SpecOracle.Result oracle;

  @BeforeAll
  static void runNightly() {
    out = tmp.resolve("out");
    run = NightlyEndToEnd.nightly(LOGS, out, T);
    oracle = SpecOracle.nightly(LOGS, T);
  }

  @Test
  void sessionsEqualTheOracleRowByRow() throws Exception {
    Set<String> expected = NightlyEndToEnd.expectedSessions(oracle);
    assertThat(expected.size(), greaterThan(100));
    assertThat(NightlyEndToEnd.publishedSessions(out), equalTo(expected));
    assertThat(NightlyEndToEnd.sessionIdsUnique(out), equalTo(true));
  }

  @Test
  void perDayTotalsEqualTheOracle() throws Exception {
    for (Map.Entry<LocalDate, SpecOracle.DayAggregate> e : oracle.aggregates().entrySet()) {
      SpecOracle.DayAggregate a = e.getValue();
      List<Object> got = DuckDb.query(
          "SELECT count(*), coalesce(sum(plays),0), coalesce(sum(streams),0), coalesce(sum(skips),0),"
              + " coalesce(sum(ms_played),0), count(DISTINCT user_id) FROM read_parquet('" + out
              + "/sessions/dt=" + e.getKey() + "/*.parquet')").get(0);
      assertThat(e.getKey().toString(),
          got.stream().map(NightlyEndToEnd::num).toList(),
          equalTo(List.of(a.sessions(), a.plays(), a.streams(), a.skips(), a.msPlayed(), a.users())));
    }
  }

  @Test
  void rejectedDatasetHoldsExactlyTheRunDatesInvalidRecords() throws Exception {
    Set<String> expected = new TreeSet<>();
    for (SpecOracle.OracleRejection r : oracle.rejections()) {
      if (r.dt().equals(T)) {
        expected.add(r.sourceFile() + "#" + r.position() + "#" + r.reason() + "#" + r.field());
      }
    }
    Set<String> published = new TreeSet<>();
    for (List<Object> r : DuckDb.query(
        "SELECT source_file, position, reason, field, original FROM read_parquet('" + out
            + "/rejected/dt=" + T + "/*.parquet')")) {
      published.add(r.get(0) + "#" + r.get(1) + "#" + r.get(2) + "#" + r.get(3));
      assertThat((String) r.get(4), containsString("\"event_id\""));
    }
    assertThat(published, equalTo(expected));
  }

  @Test
  void summaryAndRunMetadataCountWhatTheOracleCounts() throws Exception {
    SpecOracle.PartitionCounts today = oracle.partitions().get(T);
    // The run read every partition (a first run); the oracle's window is the last 7: compare those lines.
    assertThat(run.out(), containsString(String.format(
        "arrival %s: records %d; accepted %d, rejected %d", T, today.records(), today.accepted(),
        today.rejectedTotal())));

    Map<String, Object> meta = Publisher.readMetadata(out.resolve("rejected/dt=" + T));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> inputs = (List<Map<String, Object>>) meta.get("input_partitions");
    Map<String, Object> tInput = inputs.get(inputs.size() - 1);
    assertThat(tInput.get("dt"), equalTo(T.toString()));
    assertThat(NightlyEndToEnd.num(tInput.get("records")), equalTo(today.records()));
    assertThat(NightlyEndToEnd.num(tInput.get("private")), equalTo(today.privatePlays()));
    assertThat(NightlyEndToEnd.num(tInput.get("duplicates")), equalTo(today.duplicates()));
    assertThat(NightlyEndToEnd.num(tInput.get("accepted")), equalTo(today.accepted()));
    Map<String, Long> rejected = new TreeMap<>();
    tInput.forEach((k, v) -> {
      if (k.startsWith("rejected/")) {
        rejected.put(k.substring("rejected/".length()), NightlyEndToEnd.num(v));
      }
    });
    Map<String, Long> expectedRejected = new TreeMap<>();
    today.rejected().forEach((reason, n) -> {
      if (n > 0) {
        expectedRejected.put(reason, n);
      }
    });
    assertThat(rejected, equalTo(expectedRejected));
    assertThat(NightlyEndToEnd.num(meta.get("rows")), equalTo(today.rejectedTotal()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void countsAgreeWithWhatTheGeneratorWrote() throws Exception {
    Map<String, Object> manifest =
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(LOGS.resolve("_generator.json").toFile(), Map.class);
    Map<String, Map<String, Object>> generated = (Map<String, Map<String, Object>>) manifest.get("partitions");
    Map<String, Object> meta = Publisher.readMetadata(out.resolve("rejected/dt=" + T));
    List<Map<String, Object>> inputs = (List<Map<String, Object>>) meta.get("input_partitions");
    // A first run on an empty output root reads every arrival partition to build the activity history.
    assertThat(inputs.size(), equalTo(150));
    for (Map<String, Object> in : inputs) {
      String dt = (String) in.get("dt");
      Map<String, Object> g = generated.get("dt=" + dt);
      assertThat(dt, NightlyEndToEnd.num(in.get("records")), equalTo(NightlyEndToEnd.num(g.get("records"))));
      assertThat(dt, NightlyEndToEnd.num(in.get("private")), equalTo(NightlyEndToEnd.num(g.get("private"))));
      ((Map<String, Object>) g.get("invalid")).forEach((reason, n) -> assertThat(dt + " " + reason,
          NightlyEndToEnd.num(in.getOrDefault("rejected/" + reason, 0L)), equalTo(NightlyEndToEnd.num(n))));
      // Every partition from the first one on was read, so every first delivery of a duplicate was seen.
      assertThat(dt, NightlyEndToEnd.num(in.get("duplicates")), equalTo(NightlyEndToEnd.num(g.get("duplicates"))));
      assertThat(dt, NightlyEndToEnd.num(in.get("accepted")), equalTo(NightlyEndToEnd.num(g.get("valid_plays"))));
    }
    Map<String, Object> totals = (Map<String, Object>) manifest.get("totals");
    long invalid = ((Map<String, Object>) totals.get("invalid")).values().stream()
        .mapToLong(NightlyEndToEnd::num).sum();
    assertThat(run.out(), containsString(String.format(
        "records read: %d; accepted %d, rejected %d, private %d, duplicate %d",
        NightlyEndToEnd.num(totals.get("records")), NightlyEndToEnd.num(totals.get("valid_plays")), invalid,
        NightlyEndToEnd.num(totals.get("private")), NightlyEndToEnd.num(totals.get("duplicates")))));
    Map<String, Object> invalidToday = (Map<String, Object>) generated.get("dt=" + T).get("invalid");
    for (Map.Entry<String, Object> e : invalidToday.entrySet()) {
      assertThat(e.getKey(), DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + out + "/rejected/dt=" + T
          + "/*.parquet') WHERE reason = '" + e.getKey() + "'"), equalTo(NightlyEndToEnd.num(e.getValue())));
    }
  }
}
