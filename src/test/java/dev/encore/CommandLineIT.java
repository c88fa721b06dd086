package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;

import dev.encore.testing.DuckDb;
import dev.encore.testing.LogsFixture;
import java.time.LocalDate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a scheduler runs it: a separate JVM, exit codes and messages. */
class CommandLineIT {
  private static final Path JAR = Path.of("target/encore.jar");
  private static final Path BENCH_JAR = Path.of("target/encore-bench.jar");
  private static final String TESTDATA_DATE = "2024-03-30";

  /** The children's temporary folder, where failed runs leave their log files: under target/, not in /tmp. */
  static final Path CHILD_TMP = Path.of("target/it-tmp").toAbsolutePath();

  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result encore(String... args) throws IOException, InterruptedException {
    return javaJar(JAR, args);
  }

  static Result javaJar(Path jar, String... args) throws IOException, InterruptedException {
    Files.createDirectories(CHILD_TMP);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + CHILD_TMP, "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(CHILD_TMP, "encore-out", ".txt");
    Path err = Files.createTempFile(CHILD_TMP, "encore-err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("encore " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryOptionWithItsDefault() throws Exception {
    Result r = encore("nightly", "--help");
    assertThat(r.err(), r.code(), equalTo(0));
    for (String option : List.of("--date", "--logs", "--output", "--definition", "--allowMissingDays",
        "--shardsPerPartition", "--runner")) {
      assertThat(r.out(), containsString(option + "="));
    }
    assertThat(r.out(), containsString("Default: 1"));
    assertThat(r.out(), containsString("SparkRunner"));
  }

  @Test
  void theProductJarHoldsNeitherTheBenchmarkNorDuckDbAndSaysWhereTheBenchmarkIs() throws Exception {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> benchOnly = jar.stream().map(JarEntry::getName)
          .filter(n -> n.startsWith("dev/encore/bench/") || n.startsWith("org/duckdb/") || n.contains("duckdb"))
          .toList();
      assertThat(benchOnly, equalTo(List.of()));
    }
    Result r = encore("bench", "--sizes=1M");
    assertThat(r.code(), equalTo(2));
    assertThat(r.out(), equalTo(""));
    assertThat(r.err().strip().lines().count(), equalTo(1L));
    assertThat(r.err(), containsString("run `java -jar target/encore-bench.jar"));
    // The bench jar finds Encore in the product jar beside it (its manifest's class path).
    Result bench = javaJar(BENCH_JAR, "--help");
    assertThat(bench.err(), bench.code(), equalTo(0));
    assertThat(bench.out(), containsString("--sizes=<String>  (default 10M)"));
    assertThat(bench.out(), containsString("--runners=<String>  (default FlinkRunner)"));
  }

  @Test
  void sparkRunnerInLocalModeFromThePackagedJarWithoutJvmFlags() throws Exception {
    // Spark on JDK 17 needs --add-opens: the jar's manifest carries them, so a plain `java -jar` works.
    Path out = tmp.resolve("out");
    Result r = encore("nightly", "--date=" + TESTDATA_DATE, "--logs=testdata/logs", "--output=" + out,
        "--runner=SparkRunner", "--sparkMaster=local[2]");
    assertThat(r.err(), r.code(), equalTo(0));
    assertThat(r.out(), containsString("on SparkRunner"));
    assertThat(Files.exists(out.resolve("sessions/dt=2024-03-29/_SUCCESS")), equalTo(true));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "sessions")), greaterThan(100L));
    // Exactly one SLF4J binding (slf4j-jdk14): SLF4J complains on stderr about none or several. Spark's warnings
    // go to the run's log file like the other engines'.
    assertThat(r.err(), not(containsString("SLF4J:")));
    assertThat(r.err(), not(containsString("WARN")));
  }

  @Test
  void nightlyOnTheCommittedSampleWithTheDefaultRunner() throws Exception {
    Path out = tmp.resolve("out");
    Result r = encore("nightly", "--date=" + TESTDATA_DATE, "--logs=testdata/logs", "--output=" + out);
    assertThat(r.err(), r.code(), equalTo(0));
    assertThat(r.out(), containsString("encore nightly " + TESTDATA_DATE + ": done"));
    assertThat(r.out(), containsString("on FlinkRunner"));
    for (String dt : List.of("2024-03-26", "2024-03-27", "2024-03-28", "2024-03-29")) {
      assertThat(dt, Files.exists(out.resolve("sessions/dt=" + dt + "/_SUCCESS")), equalTo(true));
    }
    assertThat(Files.exists(out.resolve("rejected/dt=" + TESTDATA_DATE + "/_SUCCESS")), equalTo(true));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "sessions")), greaterThan(100L));
    // Every nightly ends with the run report.
    assertThat(r.out(), containsString("report: "));
    assertThat(Files.exists(out.resolve("_report/report.html")), equalTo(true));
    assertThat(Files.exists(out.resolve("_report/retention.png")), equalTo(true));
  }

  @Test
  void badDateIsAUsageError() throws Exception {
    Result r = encore("nightly", "--date=2024-13-01", "--logs=testdata/logs", "--output=" + tmp);
    assertThat(r.code(), equalTo(2));
    assertThat(r.err(), containsString("--date=2024-13-01"));
  }

  @Test
  void missingOptionIsAUsageError() throws Exception {
    Result r = encore("nightly", "--date=2024-03-30", "--output=" + tmp);
    assertThat(r.code(), equalTo(2));
    assertThat(r.err(), containsString("--logs"));
  }

  @Test
  void missingPartitionIsNamedAndNothingIsWritten() throws Exception {
    Path logs = tmp.resolve("logs");
    LogsFixture.seal(logs, LocalDate.parse("2024-01-01"));
    LogsFixture.seal(logs, LocalDate.parse("2024-01-03"));
    Path out = tmp.resolve("out");
    Result r = encore("nightly", "--date=2024-01-03", "--logs=" + logs, "--output=" + out);
    assertThat(r.code(), equalTo(3));
    assertThat(r.err(), containsString("dt=2024-01-02"));
    assertThat(r.err(), containsString("--allowMissingDays=true"));
    assertThat(Files.exists(out), equalTo(false));
  }

  @Test
  void aDateBeforeTheLogsBeginIsRefused() throws Exception {
    Path out = tmp.resolve("out");
    Result r = encore("nightly", "--date=2023-06-01", "--logs=testdata/logs", "--output=" + out);
    assertThat(r.code(), equalTo(3));
    assertThat(r.err(), containsString("dt=2023-06-01"));
    assertThat(Files.exists(out), equalTo(false));
  }

  @Test
  void outputInsideTheLogsIsRefused() throws Exception {
    Result r = encore("nightly", "--date=" + TESTDATA_DATE, "--logs=testdata/logs", "--output=testdata/logs/out");
    assertThat(r.code(), equalTo(4));
    assertThat(r.err(), containsString("overlaps the logs"));
    assertThat(Files.exists(Path.of("testdata/logs/out")), equalTo(false));
  }

  @Test
  void badDefinitionFileIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, Files.readString(Path.of("pipelines/nightly.yaml"))
        .replace("entity_levels: [artist, show]", "entity_levels: [artist, genre]"));
    Path out = tmp.resolve("out");
    Result r = encore("nightly", "--date=" + TESTDATA_DATE, "--logs=testdata/logs", "--output=" + out,
        "--definition=" + bad);
    assertThat(r.code(), equalTo(2));
    assertThat(r.err(), containsString(bad.toString()));
    assertThat(r.err(), containsString("discovery.entity_levels[1]"));
    assertThat(r.err(), containsString("artist, show, track, album"));
    assertThat(Files.exists(out), equalTo(false));
  }

  @Test
  void aNewHorizonInACopiedDefinitionIsANewColumn() throws Exception {
    Path custom = tmp.resolve("custom.yaml");
    Files.writeString(custom, Files.readString(Path.of("pipelines/nightly.yaml"))
        .replace("active_days_horizons: [7, 28, 60]", "active_days_horizons: [7, 14, 28, 60]"));
    Path out = tmp.resolve("out");
    Result r = encore("nightly", "--date=" + TESTDATA_DATE, "--logs=testdata/logs", "--output=" + out,
        "--definition=" + custom);
    assertThat(r.err(), r.code(), equalTo(0));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "user_rewards")
        + " WHERE active_days_14 BETWEEN active_days_7 AND active_days_28"),
        equalTo(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "user_rewards"))));
  }

  @Test
  void inspectDescribesAnInputPartition() throws Exception {
    Result r = encore("inspect", "testdata/logs/dt=2024-03-30", "--rows=2");
    assertThat(r.err(), r.code(), equalTo(0));
    assertThat(r.out(), containsString("rows: 153"));
    assertThat(r.out(), containsString("When playback ended, UTC"));
  }
}
