package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.encore.testing.Runs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark from the command line: options, and one tiny run of the whole harness. */
class BenchCommandTest {
  @TempDir Path tmp;

  /** {@code java -jar encore-bench.jar args}, in this JVM. */
  static Runs.Cli bench(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = BenchCommand.run(args, o, e);
    }
    return new Runs.Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    Runs.Cli run = bench("--help");
    assertThat(run.toString(), run.code(), equalTo(0));
    for (String option : List.of(
        "--runners=<String>  (default FlinkRunner)", "--days=<int>  (default 130)",
        "--scenarios=<String>  (default cold,steady,backfill,testdata)", "--repeats=<int>  (default 3)",
        "--sizes=<String>  (default 10M)", "--backfillDays=<int>  (default 90)",
        "--work=<String>  (default target/bench)", "--csv=<String>  (default docs/bench/results.csv)",
        "--maxDirectPlays=<long>  (default 1000000)", "--references=<String>  (default java,duckdb)",
        "--xmx=<String>  (default 4g)", "--referenceXmx=<String>  (default 16g)")) {
      assertThat(run.out(), containsString(option));
    }
    // The product jar only says where the benchmark is.
    Runs.Cli product = Runs.encore("bench", "--sizes=1M");
    assertThat(product.code(), equalTo(2));
    assertThat(product.err(), containsString("run `java -jar target/encore-bench.jar"));
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingRuns() {
    Runs.Cli run = bench("--runners=FlinkRunner,NoSuchRunner", "--work=" + tmp);
    assertThat(run.code(), equalTo(2));
    assertThat(run.err(), containsString("NoSuchRunner is not a runner of this build of Encore (it has"));
    run = bench("--sizes=1M,lots", "--work=" + tmp);
    assertThat(run.code(), equalTo(2));
    assertThat(run.err(), containsString("'lots' is not a number of plays"));
    run = bench("--xmx=four", "--runners=FlinkRunner", "--work=" + tmp);
    assertThat(run.err(), containsString("--xmx=four is not a heap size"));
    run = bench("--days=x", "--runners=FlinkRunner", "--work=" + tmp);
    assertThat(run.err(), containsString("--days=x is not a whole number"));
    run = bench("--references=java,spark", "--runners=FlinkRunner", "--work=" + tmp);
    assertThat(run.err(), containsString("'spark' is not one of java, duckdb"));
    run = bench("--scenarios=cold,warm", "--work=" + tmp);
    assertThat(run.err(), containsString("--scenarios: 'warm' is not one of cold, steady, backfill, testdata."));
    run = bench("--repeats=0", "--work=" + tmp);
    assertThat(run.err(), containsString("--repeats and --backfillDays must be at least 1."));
    assertThat(tmp.toFile().list(), equalTo(new String[0]));
  }

  @Test
  void aTinyRunOfEveryScenarioMeasuresEveryEngineFromTheSameStateAndRecordsIt() throws Exception {
    Path csv = tmp.resolve("results.csv");
    Path md = tmp.resolve("latest.md");
    // 20k plays per 60 days over 8 days: 2,667 plays of 50 listeners; a backfill of the sample's last 3 dates.
    Runs.Cli run = bench("--scenarios=cold,steady,backfill,testdata", "--sizes=20k", "--days=8", "--repeats=1",
        "--backfillDays=3", "--runners=FlinkRunner", "--work=" + tmp.resolve("work"), "--csv=" + csv,
        "--markdown=" + md, "--xmx=1g", "--note=test run");
    assertThat(run.toString(), run.code(), equalTo(0));
    String out = run.out();
    assertThat(out, containsString("| cold | 20k (2.7k plays) | FlinkRunner |"));
    assertThat(out, containsString("| cold | 20k (2.7k plays) | DuckDB SQL (reference) |"));
    // Every runner row agrees with the plain-Java reference on its 8 datasets, DuckDB on the ones it writes.
    assertThat(out, org.hamcrest.Matchers.matchesPattern(
        "(?s).*\\| cold \\| 20k \\(2\\.7k plays\\) \\| FlinkRunner \\|[^\n]*✓ \\(8 datasets\\) \\|.*"));
    assertThat(out, org.hamcrest.Matchers.matchesPattern(
        "(?s).*\\| steady \\| 20k \\(2\\.7k plays\\) \\| FlinkRunner \\|[^\n]*✓ \\(8 datasets\\) \\|.*"));
    assertThat(out, org.hamcrest.Matchers.matchesPattern(
        "(?s).*\\| testdata \\| testdata \\(41\\.3k plays\\) \\| FlinkRunner \\|[^\n]*✓ \\(8 datasets\\) \\|.*"));
    assertThat(out, containsString("| steady | 20k (2.7k plays) | plain Java (reference) |"));
    assertThat(out, containsString("bench: steady 20k: preparing the published root of nightly --date=2024-01-07"));
    if (BenchCommand.Launcher.find().has(BenchCommand.DUCKDB_STEADY)) {
      assertThat(out, org.hamcrest.Matchers.matchesPattern("(?s).*\\| steady \\| 20k \\(2\\.7k plays\\) \\|"
          + " DuckDB SQL \\(reference\\) \\|[^\n]*✓ \\(3 datasets\\) \\|.*"));
    } else {
      assertThat(out, containsString("skipped: dev.encore.bench.DuckDbSteadyNight is not in this build |"));
    }
    // The backfill's end state has the fresh nightly's rows in every partition the nightly publishes.
    assertThat(out, org.hamcrest.Matchers.matchesPattern(
        "(?s).*\\| backfill \\| testdata \\(41\\.3k plays\\) \\| FlinkRunner backfill \\|[^\n]*✓ \\(8"
            + " datasets\\) \\|.*"));
    assertThat(out, containsString("| backfill | testdata (41.3k plays) | nightly of T, fresh root (1×) |"));
    assertThat(out, containsString("backfill of testdata on FlinkRunner: wall "));
    assertThat(out, containsString("testdata nightly on FlinkRunner: wall "));
    assertThat(out, containsString("DuckDB's input, testdata: the Avro logs exported to Parquet beforehand"));
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0), equalTo(BenchReport.csvHeader()));
    assertThat(lines.stream().filter(l -> l.contains(",cold,20k,2667,50,FlinkRunner,1,ok,")).count(), equalTo(1L));
    assertThat(lines.stream().filter(l -> l.contains(",cold,20k,2667,50,FlinkRunner,median,ok,")).count(),
        equalTo(1L));
    assertThat(lines.stream().filter(l -> l.contains(",backfill,testdata,41345,200,nightly,median,ok,")).count(),
        equalTo(1L));
    assertThat(Files.readString(md), containsString("> **test run**"));
    // Output roots (and the prepared published root) are deleted after each run; the data stays for the next.
    assertThat(Files.list(tmp.resolve("work/runs")).toList(), equalTo(List.of()));
  }

  @Test
  void runsAreRepeatedInterleavedAndAFailedRunFailsLoudlyAndIsNotRepeated() throws Exception {
    Path csv = tmp.resolve("results.csv");
    Path md = tmp.resolve("latest.md");
    String[] args = {"--scenarios=cold", "--sizes=20k", "--days=8", "--repeats=2", "--runners=FlinkRunner",
        "--work=" + tmp.resolve("work"), "--csv=" + csv, "--markdown=" + md, "--xmx=1g"};
    // Generate the logs first (a run of DuckDB alone), then unseal a partition.
    Runs.Cli run = bench(args[0], args[1], args[2], "--repeats=1", "--runners=", "--references=duckdb", args[5],
        args[6], args[7]);
    assertThat(run.toString(), run.code(), equalTo(0));
    Path logs;
    try (var dirs = Files.list(tmp.resolve("work/data"))) {
      logs = dirs.findFirst().orElseThrow().resolve("logs");
    }
    Files.delete(logs.resolve("dt=2024-01-05/_SUCCESS"));

    // The nightly and the plain-Java reference fail: loudly, in the table, the CSV and the exit code, and are not
    // run again; the DuckDB reference, which reads its own export, runs twice, interleaved with them.
    run = bench(args);
    assertThat(run.code(), equalTo(1));
    String out = run.out();
    assertThat(out.indexOf("bench: cold 20k java run 1/2"), org.hamcrest.Matchers.lessThan(
        out.indexOf("bench: cold 20k duckdb run 1/2")));
    assertThat(out.indexOf("bench: cold 20k FlinkRunner run 1/2"), org.hamcrest.Matchers.lessThan(
        out.indexOf("bench: cold 20k duckdb run 2/2")));
    assertThat(out, org.hamcrest.Matchers.not(containsString("bench: cold 20k FlinkRunner run 2/2")));
    assertThat(run.err(), containsString("bench: cold 20k FlinkRunner run 1/2 FAILED: exit code 3"));
    assertThat(out, containsString("| cold | 20k (2.7k plays) | FlinkRunner | — | — | — | — | — |"));
    assertThat(out, containsString("| **FAILED**: exit code 3"));
    assertThat(out, containsString("FAIL  cold 20k on plain Java (reference) failed: exit code 1"));
    assertThat(run.err(), containsString("is not sealed"));
    List<String> lines = Files.readAllLines(csv);
    // The first run's DuckDB run and median; then java's median, DuckDB's two runs and median, Flink's median.
    assertThat(lines.size(), equalTo(1 + 2 + 1 + 3 + 1));
    assertThat(lines.get(5), containsString(",cold,20k,2667,50,duckdb,2,ok,"));
    assertThat(lines.get(7), containsString(",FlinkRunner,median,failed,"));
  }
}
