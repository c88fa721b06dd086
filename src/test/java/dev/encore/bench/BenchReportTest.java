package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  static final long GIB = 1L << 30;
  static final Map<String, Long> COUNTS = Map.of("sessions", 10L, "user_rewards", 4L);

  /** A measured row of its runs' wall times (each run's peak the row's), median as BenchCommand takes it. */
  static BenchRow ok(String scenario, String size, long plays, String engine, double peakGib, double... walls) {
    List<BenchRow.Run> runs = new java.util.ArrayList<>();
    for (int i = 0; i < walls.length; i++) {
      runs.add(new BenchRow.Run(walls[i], (long) (peakGib * GIB), "logs/" + engine + "-" + (i + 1) + ".log"));
    }
    double median = BenchRow.median(java.util.Arrays.stream(walls).boxed().toList());
    return new BenchRow(scenario, size, plays, plays / 866, engine, BenchRow.Outcome.OK, median,
        (long) (peakGib * GIB), COUNTS, engine.equals(BenchRow.JAVA) ? "reference" : "✓ (2 datasets)", "",
        "logs/" + engine + "-" + walls.length + ".log", runs);
  }

  static final long PLAYS_10M = 21_666_667;

  static final List<BenchRow> ROWS = List.of(
      ok(BenchRow.COLD, "10M", PLAYS_10M, BenchRow.JAVA, 9.0, 100, 104, 98),
      ok(BenchRow.COLD, "10M", PLAYS_10M, BenchRow.DUCKDB, 6.5, 40, 41, 39),
      ok(BenchRow.COLD, "10M", PLAYS_10M, "FlinkRunner", 2.5, 95, 90, 85),
      BenchRow.skipped(BenchRow.COLD, "10M", PLAYS_10M, 25_000, "DirectRunner", "skipped (> 1M plays, --maxDirectPlays)"),
      ok(BenchRow.STEADY, "10M", PLAYS_10M, BenchRow.JAVA, 3.0, 30, 30, 30),
      ok(BenchRow.STEADY, "10M", PLAYS_10M, BenchRow.DUCKDB, 1.0, 20, 20, 20),
      ok(BenchRow.STEADY, "10M", PLAYS_10M, "FlinkRunner", 1.5, 40, 40, 40),
      ok(BenchRow.BACKFILL, "testdata", 41_345, "FlinkRunner", 1.2, 30, 30, 30),
      ok(BenchRow.BACKFILL, "testdata", 41_345, BenchRow.NIGHTLY, 1.0, 10, 10, 10),
      ok(BenchRow.TESTDATA, "testdata", 41_345, BenchRow.JAVA, 0.5, 5, 5, 5),
      ok(BenchRow.TESTDATA, "testdata", 41_345, BenchRow.DUCKDB, 0.3, 2, 2, 2),
      ok(BenchRow.TESTDATA, "testdata", 41_345, "FlinkRunner", 1.0, 9, 8, 10),
      new BenchRow(BenchRow.TESTDATA, "testdata", 41_345, 200, "SparkRunner", BenchRow.Outcome.FAILED, Double.NaN,
          -1, Map.of(), "n/a", "exit code 1 after 12.5 s, log logs/testdata-SparkRunner-1.log",
          "logs/testdata-SparkRunner-1.log", List.of()));

  @Test
  void theMedianIsTheMiddleRunOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(BenchRow.median(List.of(104.0, 98.0, 100.0)), equalTo(100.0));
    assertThat(BenchRow.median(List.of(4.0, 1.0)), equalTo(2.5));
    assertThat(BenchRow.median(List.of(7.0)), equalTo(7.0));
  }

  @Test
  void theTableHasOneRowPerScenarioDataAndEngineWithEveryRunAndRatiosToTheReferencesOfTheSameScenario() {
    String table = BenchReport.table(ROWS.subList(0, 3));
    assertThat(table, equalTo(
        """
        | scenario | data | engine | wall s (median) | runs s | peak RSS GiB | × plain Java | × DuckDB | computes \
        | same counts |
        | --- | --- | --- | ---: | --- | ---: | ---: | ---: | --- | --- |
        | cold | 10M (21.7M plays) | plain Java (reference) | 100.0 | 100.0, 104.0, 98.0 | 9.00 | 1.00× | 0.40× \
        | the same 8 datasets from every arrival; 1 thread, no staging, metadata or report | reference |
        | cold | 10M (21.7M plays) | DuckDB SQL (reference) | 40.0 | 40.0, 41.0, 39.0 | 6.50 | 2.50× | 1.00× \
        | sessions, user_rewards only (no activity, entity rewards, predictions, rejected) | ✓ (2 datasets) |
        | cold | 10M (21.7M plays) | FlinkRunner | 90.0 | 95.0, 90.0, 85.0 | 2.50 | 1.11× | 0.44× \
        | nightly --date=T on a fresh root: every dataset, staging, publishing, metadata, report | ✓ (2 datasets) |
        """));
    // Ratios are within a scenario: the steady Flink row against the steady references (30 / 40, 20 / 40).
    assertThat(BenchReport.table(ROWS), containsString("| steady | 10M (21.7M plays) | FlinkRunner | 40.0 |"
        + " 40.0, 40.0, 40.0 | 1.50 | 0.75× | 0.50× | nightly --date=T on (a copy of) the root published by"
        + " nightly --date=T-1 | ✓ (2 datasets) |"));
    assertThat(BenchReport.table(ROWS), containsString("| steady | 10M (21.7M plays) | DuckDB SQL (reference) |"
        + " 20.0 | 20.0, 20.0, 20.0 | 1.00 | 1.50× | 1.00× | sessions, activity, user_rewards from the published"
        + " activity + the arrivals (no entity rewards, predictions, rejected) |"));
    // The backfill has no reference row: its ratios are not guessed.
    assertThat(BenchReport.table(ROWS), containsString("| backfill | testdata (41.3k plays) | FlinkRunner backfill"
        + " | 30.0 | 30.0, 30.0, 30.0 | 1.20 | — | — |"));
  }

  @Test
  void skippedAndFailedRunsSaySoInTheTable() {
    String table = BenchReport.table(ROWS);
    assertThat(table, containsString("| cold | 10M (21.7M plays) | DirectRunner | — | — | — | — | — | nightly"
        + " --date=T on a fresh root: every dataset, staging, publishing, metadata, report | skipped (> 1M plays,"
        + " --maxDirectPlays) |"));
    assertThat(table, containsString("| testdata | testdata (41.3k plays) | SparkRunner | — | — | — | — | — |"));
    assertThat(table, containsString("| **FAILED**: exit code 1 after 12.5 s, log logs/testdata-SparkRunner-1.log |"));
  }

  @Test
  void everyTargetOfIssue15IsStatedWithItsNumbers() {
    List<String> lines = BenchReport.targets(ROWS);
    // 9 / 5 = 1.8; 30 / 10 = 3; 20 / 40 = 0.5; 100 / 90 = 1.11; 40 / 90 = 0.44.
    assertThat(lines.get(0), equalTo("PASS  testdata nightly on FlinkRunner: wall 9.0 s = 1.80× plain Java's 5.0 s"
        + " (target ≤ 2.0×)"));
    assertThat(lines.get(1), equalTo("FAIL  backfill of testdata on FlinkRunner: wall 30.0 s = 3.00× one fresh-root"
        + " nightly of its last date (10.0 s) (target ≤ 1.5×)"));
    assertThat(lines.get(2), equalTo("FAIL  steady-state night at 10M on FlinkRunner: 0.50× DuckDB's speed, wall"
        + " 40.0 vs 20.0 s (target ≥ 1.0×)"));
    assertThat(lines.get(3), equalTo("PASS  cold 10M on FlinkRunner: 1.11× plain Java's speed, wall 90.0 vs 100.0 s"
        + " (target ≥ 1.0×)"));
    assertThat(lines.get(4), equalTo("FAIL  cold 10M on FlinkRunner: 0.44× DuckDB's speed, wall 90.0 vs 40.0 s"
        + " (target ≥ 0.5×)"));
    assertThat(lines.get(5), equalTo("PASS  cold 10M on FlinkRunner: peak memory 2.50 GiB (target ≤ 3.0 GiB)"));
    assertThat(lines.get(6), equalTo("FAIL  testdata testdata on SparkRunner failed: exit code 1 after 12.5 s, log"
        + " logs/testdata-SparkRunner-1.log"));
    assertThat(lines.size(), equalTo(7));
  }

  @Test
  void targetsNotMeasuredAreNotGuessed() {
    List<String> lines = BenchReport.targets(List.of(ok(BenchRow.COLD, "100k", 216_667, "FlinkRunner", 1, 20)));
    assertThat(lines.get(0), startsWith("n/a   testdata nightly on FlinkRunner: not measured"));
    assertThat(lines.get(1), startsWith("n/a   backfill of testdata on FlinkRunner: not measured"));
    assertThat(lines.get(2), startsWith("n/a   steady-state night at 10M on FlinkRunner: not measured"));
    assertThat(lines.get(3), startsWith("n/a   cold 10M on FlinkRunner: not measured"));
    assertThat(lines.size(), equalTo(4));
    // The steady DuckDB reference not in the build: the target says so.
    lines = BenchReport.targets(List.of(ok(BenchRow.STEADY, "10M", PLAYS_10M, "FlinkRunner", 1, 40),
        BenchRow.skipped(BenchRow.STEADY, "10M", PLAYS_10M, 25_000, BenchRow.DUCKDB, "skipped: not in this build")));
    assertThat(lines.get(2), startsWith("n/a   steady-state night at 10M on FlinkRunner vs DuckDB: DuckDB not"
        + " measured"));
  }

  @Test
  void rowCountsAreComparedWithTheReference() {
    Map<String, Long> reference = Map.of("sessions", 10L, "activity", 7L, "user_rewards", 4L);
    assertThat(BenchReport.sameCounts(Map.of("sessions", 10L, "activity", 7L, "user_rewards", 4L), reference,
        List.of("activity", "sessions", "user_rewards")), equalTo("✓ (3 datasets)"));
    assertThat(BenchReport.sameCounts(Map.of("sessions", 11L, "user_rewards", 4L), reference,
        List.of("activity", "sessions", "user_rewards")), equalTo("✗ activity missing vs 7, sessions 11 vs 10"));
    List<String> lines = BenchReport.targets(List.of(new BenchRow(1_000_000, 2_500, "FlinkRunner",
        BenchRow.Outcome.MISMATCH, 20, GIB, COUNTS, "✗ sessions 11 vs 10", "row counts differ from the reference's",
        "x.log")));
    assertThat(lines, hasItem("FAIL  cold 1M on FlinkRunner: row counts differ from the reference's:"
        + " ✗ sessions 11 vs 10 (log x.log)"));
  }

  @Test
  void csvHasEveryRunAndTheMedianWithTheMachineAndEveryNumberQuotedWhereNeeded() {
    BenchReport.Context context = new BenchReport.Context("2026-11-25T22:00:00Z", "abc123", "0.1.0",
        new Machine(2, 23.5, "AMD EPYC", "openjdk version \"17.0.15\"", "Linux", "0.42"),
        "java -jar target/encore-bench.jar --sizes=10M", "4g", "16g", 130, 42, 400, "quiet, idle");
    List<String> lines = BenchReport.csvLines(context, ROWS.subList(0, 4));
    assertThat(BenchReport.csvHeader(), startsWith("timestamp,git_commit,encore_version,cores,ram_gib,cpu,java,"));
    // Java: runs 1..3 then the median; DuckDB likewise; Flink's third run, then its median.
    assertThat(lines.size(), equalTo(4 + 4 + 4 + 1));
    assertThat(lines.get(10), equalTo("2026-11-25T22:00:00Z,abc123,0.1.0,2,23.5,AMD EPYC,"
        + "\"openjdk version \"\"17.0.15\"\"\",Linux,0.42,4g,130,42,400,cold,10M,21666667,25019,FlinkRunner,3,ok,"
        + "85.000,2.500,,,,,,logs/FlinkRunner-3.log,\"quiet, idle\""));
    assertThat(lines.get(11), equalTo("2026-11-25T22:00:00Z,abc123,0.1.0,2,23.5,AMD EPYC,"
        + "\"openjdk version \"\"17.0.15\"\"\",Linux,0.42,4g,130,42,400,cold,10M,21666667,25019,FlinkRunner,median,"
        + "ok,90.000,2.500,1.111,0.444,✓ (2 datasets),sessions=10;user_rewards=4,,logs/FlinkRunner-3.log,"
        + "\"quiet, idle\""));
    // The references run with their own heap limit, and each line says which it had.
    assertThat(lines.get(0), containsString(",0.42,16g,130,42,400,cold,10M,21666667,25019,java,1,ok,100.000,"));
    assertThat(lines.get(12), containsString(",DirectRunner,median,skipped,,,,,n/a,,\"skipped (> 1M plays,"));
    for (String line : lines) {
      // Quoted fields (which may hold commas) count as one.
      assertThat(line.replaceAll("\"([^\"]|\"\")*\"", "q").split(",", -1).length,
          equalTo(BenchReport.CSV_COLUMNS.size()));
    }
  }

  @Test
  void theMarkdownPageHasTheMachineTheTableWhatWasNotTimedAndTheTargets() {
    BenchReport.Context context = new BenchReport.Context("2026-11-25T22:00:00Z", "abc123", "0.1.0",
        new Machine(2, 23.5, "AMD EPYC", "openjdk 17", "Linux", "0.42"),
        "java -jar target/encore-bench.jar --sizes=10M", "4g", "16g", 130, 42, 400, "preliminary");
    String page = BenchReport.markdown(context, ROWS.subList(0, 3),
        List.of("DuckDB's input, 10M: the Avro logs exported to Parquet beforehand (PlaysExport), 5 records in 1.0 s"));
    assertThat(page, containsString("> **preliminary**"));
    assertThat(page, containsString("2 cores, 23.5 GiB RAM, AMD EPYC"));
    assertThat(page, containsString("runners with `-Xmx4g`, references with `-Xmx16g`; generated data: 130 arrival"
        + " days, size = plays per 60 days, users = size / 400"));
    assertThat(page, containsString(BenchReport.table(ROWS.subList(0, 3))));
    assertThat(page, containsString("Not timed, shown apart:\n\n- DuckDB's input, 10M: the Avro logs exported"));
    assertThat(page, containsString("- **n/a** testdata nightly on FlinkRunner"));
    assertThat(page, containsString("- **PASS** cold 10M on FlinkRunner: 1.11× plain Java's speed"));
    assertThat(page, org.hamcrest.Matchers.not(containsString("entity_rewards has no rows")));
    assertThat(BenchReport.notes(8), containsString("entity_rewards has no rows"));
  }

  @Test
  void aCsvFieldIsQuotedOnlyWhenItMustBe() {
    assertThat(List.of(BenchReport.csv("plain"), BenchReport.csv("a,b"), BenchReport.csv("say \"hi\"")),
        contains("plain", "\"a,b\"", "\"say \"\"hi\"\"\""));
  }
}
