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
    for (String option : List.of("--sizes=<String>  (default 1M,10M,30M)",
        "--runners=<String>  (default FlinkRunner,SparkRunner,DirectRunner)", "--days=<int>  (default 60)",
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
    assertThat(tmp.toFile().list(), equalTo(new String[0]));
  }

  @Test
  void aTinyRunMeasuresEveryEngineRecordsItAndAFailedRunFailsLoudly() throws Exception {
    Path csv = tmp.resolve("results.csv");
    Path md = tmp.resolve("latest.md");
    String[] args = {"--sizes=20k", "--days=8", "--runners=FlinkRunner", "--work=" + tmp.resolve("work"),
        "--csv=" + csv, "--markdown=" + md, "--xmx=1g", "--note=test run"};
    Runs.Cli run = bench(args);
    assertThat(run.toString(), run.code(), equalTo(0));
    assertThat(run.out(), containsString("bench: 20k FlinkRunner: "));
    assertThat(run.out(), containsString("| 20k | FlinkRunner |"));
    assertThat(run.out(), containsString("✓ (8 datasets)"));
    assertThat(run.out(), containsString("✓ (2 datasets)"));
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines, hasSize(4));
    assertThat(lines.get(0), equalTo(BenchReport.csvHeader()));
    assertThat(lines.get(3), containsString(",20000,50,FlinkRunner,ok,"));
    assertThat(Files.readString(md), containsString("> **test run**"));
    // Output roots are deleted after each run; the data stays for the next.
    assertThat(Files.list(tmp.resolve("work/runs")).toList(), equalTo(List.of()));

    // A partition that is no longer sealed makes the nightly and the plain-Java reference fail: loudly, in the
    // table, the CSV and the exit code; the DuckDB reference, which reads its own export, still runs.
    Path logs;
    try (var dirs = Files.list(tmp.resolve("work/data"))) {
      logs = dirs.findFirst().orElseThrow().resolve("logs");
    }
    Files.delete(logs.resolve("dt=2024-01-05/_SUCCESS"));
    run = bench(args);
    assertThat(run.code(), equalTo(1));
    assertThat(run.err(), containsString("bench: 20k FlinkRunner FAILED: exit code 3"));
    assertThat(run.out(), containsString("| 20k | FlinkRunner | — | — | — | — | — | — | **FAILED**: exit code 3"));
    assertThat(run.out(), containsString("FAIL  20k on plain Java (reference) failed: exit code 1"));
    assertThat(run.err(), containsString("is not sealed"));
    lines = Files.readAllLines(csv);
    assertThat(lines, hasSize(7));
    assertThat(lines.get(6), containsString(",FlinkRunner,failed,"));
  }
}
