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

  static BenchRow ok(long plays, String engine, double wall, double peakGib) {
    return new BenchRow(plays, plays / 400, engine, BenchRow.Outcome.OK, wall, (long) (peakGib * GIB), COUNTS,
        engine.equals(BenchRow.JAVA) ? "reference" : "✓ (2 datasets)", "", "logs/" + engine + ".log");
  }

  static final List<BenchRow> ROWS = List.of(
      ok(1_000_000, BenchRow.JAVA, 10, 1.0),
      ok(1_000_000, BenchRow.DUCKDB, 5, 0.5),
      ok(1_000_000, "FlinkRunner", 20, 1.25),
      ok(1_000_000, "DirectRunner", 40, 3.5),
      ok(10_000_000, BenchRow.JAVA, 50, 2.0),
      ok(10_000_000, BenchRow.DUCKDB, 40, 1.0),
      ok(10_000_000, "FlinkRunner", 90, 2.5),
      BenchRow.skipped(10_000_000, 25_000, "DirectRunner", "skipped (> 1M plays, --maxDirectPlays)"),
      ok(30_000_000, "FlinkRunner", 300, 2.9),
      new BenchRow(30_000_000, 75_000, "DirectRunner", BenchRow.Outcome.FAILED, 12.5, GIB, Map.of(), "n/a",
          "exit code 1 after 12.5 s, log logs/30M-DirectRunner.log", "logs/30M-DirectRunner.log"));

  @Test
  void theTableHasOneRowPerSizeAndEngineWithRatiosToTheReferencesOfTheSameSize() {
    String table = BenchReport.table(ROWS.subList(0, 3));
    assertThat(table, equalTo(
        """
        | plays | engine | wall s | plays/s | peak RSS GiB | × plain Java | × DuckDB | µs/play | same counts |
        | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
        | 1M | plain Java (reference) | 10.0 | 100,000 | 1.00 | 1.00× | 0.50× | 10.00 | reference |
        | 1M | DuckDB SQL (reference) | 5.0 | 200,000 | 0.50 | 2.00× | 1.00× | 5.00 | ✓ (2 datasets) |
        | 1M | FlinkRunner | 20.0 | 50,000 | 1.25 | 0.50× | 0.25× | 20.00 | ✓ (2 datasets) |
        """));
  }

  @Test
  void skippedAndFailedRunsSaySoInTheTable() {
    String table = BenchReport.table(ROWS);
    assertThat(table, containsString(
        "| 10M | DirectRunner | — | — | — | — | — | — | skipped (> 1M plays, --maxDirectPlays) |"));
    assertThat(table, containsString(
        "| 30M | DirectRunner | — | — | — | — | — | — | **FAILED**: exit code 1 after 12.5 s, log"
            + " logs/30M-DirectRunner.log |"));
  }

  @Test
  void everyTargetIsStatedWithItsNumbers() {
    List<String> lines = BenchReport.targets(ROWS);
    assertThat(lines.get(0), equalTo("PASS  10M on FlinkRunner (the default runner): 0.56× plain Java's throughput,"
        + " 111,111 vs 200,000 plays/s (target ≥ 0.5×)"));
    assertThat(lines.get(1), equalTo("FAIL  10M on FlinkRunner (the default runner): 0.44× DuckDB's throughput,"
        + " 111,111 vs 250,000 plays/s (target ≥ 1.0×)"));
    assertThat(lines.get(2), equalTo("PASS  10M on FlinkRunner (the default runner): peak memory 2.50 GiB"
        + " (target ≤ 3.0 GiB)"));
    assertThat(lines.get(3), equalTo("PASS  1M on DirectRunner: 25,000 plays/s (target ≥ 20,000)"));
    assertThat(lines.get(4), equalTo("FAIL  FlinkRunner cost per play 1M → 10M → 30M: 20.00 → 9.00 → 10.00 µs,"
        + " the highest 122 % above the lowest (target within 20 %); between sizes (Δ wall / Δ plays, without the"
        + " fixed start-up cost): 7.78 → 10.50 µs"));
    assertThat(lines.get(5), startsWith("n/a   DirectRunner cost per play flat from 1M to 30M: needs two sizes"));
    assertThat(lines.get(6), equalTo("FAIL  30M on DirectRunner failed: exit code 1 after 12.5 s, log"
        + " logs/30M-DirectRunner.log"));
    assertThat(lines.size(), equalTo(7));
  }

  @Test
  void targetsNotMeasuredAreNotGuessed() {
    List<String> lines = BenchReport.targets(List.of(ok(1_000_000, "FlinkRunner", 20, 1)));
    assertThat(lines.get(0), startsWith("n/a   10M on FlinkRunner (the default runner): not measured"));
    assertThat(lines.get(1), startsWith("n/a   1M on DirectRunner: not measured"));
    assertThat(lines.get(2), startsWith("n/a   FlinkRunner cost per play flat from 1M to 30M: needs two sizes or"
        + " more, measured 1M"));
  }

  @Test
  void rowCountsAreComparedWithThePlainJavaReference() {
    Map<String, Long> reference = Map.of("sessions", 10L, "activity", 7L, "user_rewards", 4L);
    assertThat(BenchReport.sameCounts(Map.of("sessions", 10L, "activity", 7L, "user_rewards", 4L), reference,
        List.of("activity", "sessions", "user_rewards")), equalTo("✓ (3 datasets)"));
    assertThat(BenchReport.sameCounts(Map.of("sessions", 11L, "user_rewards", 4L), reference,
        List.of("activity", "sessions", "user_rewards")), equalTo("✗ activity missing vs 7, sessions 11 vs 10"));
    List<String> lines = BenchReport.targets(List.of(new BenchRow(1_000_000, 2_500, "FlinkRunner",
        BenchRow.Outcome.MISMATCH, 20, GIB, COUNTS, "✗ sessions 11 vs 10", "row counts differ", "x.log")));
    assertThat(lines, hasItem("FAIL  1M on FlinkRunner: row counts differ from the plain-Java reference:"
        + " ✗ sessions 11 vs 10 (log x.log)"));
  }

  @Test
  void csvRowsCarryTheMachineTheRunAndEveryNumberQuotedWhereNeeded() {
    BenchReport.Context context = new BenchReport.Context("2026-11-25T22:00:00Z", "abc123", "0.1.0",
        new Machine(2, 23.5, "AMD EPYC", "openjdk version \"17.0.15\"", "Linux", "0.42"),
        "java -jar target/encore.jar bench --sizes=1M", "4g", "16g", 60, 42, 400, "quiet, idle");
    List<String> lines = BenchReport.csvLines(context, ROWS.subList(0, 3));
    assertThat(BenchReport.csvHeader(), startsWith("timestamp,git_commit,encore_version,cores,ram_gib,cpu,java,"));
    assertThat(lines.get(2), equalTo("2026-11-25T22:00:00Z,abc123,0.1.0,2,23.5,AMD EPYC,"
        + "\"openjdk version \"\"17.0.15\"\"\",Linux,0.42,4g,60,42,400,1000000,2500,FlinkRunner,ok,20.000,50000,"
        + "1.250,0.500,0.250,20.000,✓ (2 datasets),sessions=10;user_rewards=4,,logs/FlinkRunner.log,"
        + "\"quiet, idle\""));
    // The references run with their own heap limit, and each row says which it had.
    assertThat(lines.get(0), containsString(",0.42,16g,60,42,400,1000000,2500,java,ok,"));
    for (String line : lines) {
      // Quoted fields (which may hold commas) count as one.
      assertThat(line.replaceAll("\"([^\"]|\"\")*\"", "q").split(",", -1).length,
          equalTo(BenchReport.CSV_COLUMNS.size()));
    }
  }

  @Test
  void theMarkdownPageHasTheMachineTheTableAndTheTargets() {
    BenchReport.Context context = new BenchReport.Context("2026-11-25T22:00:00Z", "abc123", "0.1.0",
        new Machine(2, 23.5, "AMD EPYC", "openjdk 17", "Linux", "0.42"),
        "java -jar target/encore.jar bench --sizes=1M", "4g", "16g", 60, 42, 400, "preliminary");
    String page = BenchReport.markdown(context, ROWS.subList(0, 3));
    assertThat(page, containsString("> **preliminary**"));
    assertThat(page, containsString("2 cores, 23.5 GiB RAM, AMD EPYC"));
    assertThat(page, containsString("runners with `-Xmx4g`, references with `-Xmx16g`"));
    assertThat(page, containsString(BenchReport.table(ROWS.subList(0, 3))));
    assertThat(page, containsString("- **n/a** 10M on FlinkRunner"));
    assertThat(page, containsString("entity_rewards has no rows"));
    assertThat(BenchReport.notes(90), org.hamcrest.Matchers.not(containsString("entity_rewards has no rows")));
  }

  @Test
  void aCsvFieldIsQuotedOnlyWhenItMustBe() {
    assertThat(List.of(BenchReport.csv("plain"), BenchReport.csv("a,b"), BenchReport.csv("say \"hi\"")),
        contains("plain", "\"a,b\"", "\"say \"\"hi\"\"\""));
  }
}
