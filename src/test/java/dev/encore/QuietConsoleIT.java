package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertAll;

import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's console holds Encore's lines only; the engines' warnings and stack traces go to the run's log
 * file, in the output root when it is Encore's and can take it, else in the temporary directory.
 */
class QuietConsoleIT {
  static final Path JAR = Path.of("target/encore.jar");
  static final String T = "2024-03-30";
  /** What Encore itself writes on stderr besides an error: its log lines at info and its progress lines. */
  static final Pattern ENCORE_LINE = Pattern.compile("^\\S+Z (INFO \\w+ - |progress ).*");
  static final String LOG_LINE = "encore nightly: full log: ";

  @TempDir Path tmp;

  /** What the child printed; {@code tmpdir} is its java.io.tmpdir. */
  record Result(int code, String out, String err, Path tmpdir) {
    String console() {
      return out + err;
    }

    /** Lines of stderr that are neither Encore's log lines nor its progress. */
    List<String> otherErrLines() {
      return err.lines().filter(l -> !ENCORE_LINE.matcher(l).matches()).toList();
    }

    /** The log file the failed run named. */
    Path logFile() {
      return Path.of(err.lines().filter(l -> l.startsWith(LOG_LINE)).findFirst()
          .orElseThrow(() -> new AssertionError("no log line on stderr:\n" + err)).substring(LOG_LINE.length()));
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result encore(String... args) throws IOException, InterruptedException {
    Path tmpdir = Files.createDirectories(tmp.resolve("java-tmp"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmpdir, "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("stdout.txt");
    Path err = tmp.resolve("stderr.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("encore " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), tmpdir);
  }

  /** An empty folder marked as Encore's, as its first run leaves it. */
  Path encoreRoot() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("out/_encore")).getParent();
    Files.writeString(out.resolve("_encore/ROOT"), "This folder is an Encore output root.\n");
    return out;
  }

  /** The sample's last 7 arrival partitions (all a run for T reads on a new root), with an empty part file in T. */
  Path logsWithAnEmptyAvroFile() throws IOException {
    Path logs = tmp.resolve("logs");
    for (int back = 6; back >= 0; back--) {
      String dt = "dt=" + LocalDate.parse(T).minusDays(back);
      TreeSnapshot.copy(Path.of("testdata/logs", dt), logs.resolve(dt));
    }
    Files.write(logs.resolve("dt=" + T).resolve("part-00001.avro"), new byte[0]);
    return logs;
  }

  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  static void assertNoEngineNoise(Result r) {
    assertAll(
        () -> assertThat(r.toString(), r.console(), not(containsString("WARN"))),
        () -> assertThat(r.toString(), r.console(), not(containsString("native-hadoop"))),
        () -> assertThat(r.toString(), r.console(), not(containsString("Exception"))),
        () -> assertThat(r.toString(), r.console().lines().filter(l -> l.matches("^\\s+at .*|^Caused by:.*"))
            .toList(), empty()),
        () -> assertThat(r.toString(), r.console(), not(containsString("SLF4J:"))));
  }

  @Test
  void aNormalNightlyPrintsEncoresLinesAndItsSummaryOnly() throws Exception {
    Path out = encoreRoot();
    Result r = encore("nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + out);

    assertThat(r.toString(), r.code(), equalTo(0));
    assertThat(r.out(), startsWith("encore nightly " + T + ": done"));
    assertThat(r.out(), containsString("published: 198 partitions written, 0 unchanged"));
    assertThat(r.err(), containsString("INFO NightlyJob - nightly " + T + ": reading arrivals"));
    assertThat(r.toString(), r.otherErrLines(), empty());
    assertNoEngineNoise(r);

    // The engines' warnings went to the run's log file, kept in the root; nothing was left in the temporary folder.
    List<Path> logs = files(out.resolve("_encore/logs"));
    assertThat(logs, hasSize(1));
    assertThat(logs.get(0).getFileName().toString(), startsWith("encore-nightly-" + T + "-"));
    String log = Files.readString(logs.get(0));
    assertThat(log, containsString("INFO encore - encore nightly --date=" + T + " --logs=testdata/logs"));
    assertThat(log, containsString("INFO dev.encore.nightly.NightlyJob - nightly " + T + ": reading arrivals"));
    // Hadoop finds no native library on these machines and says so on every run.
    assertThat(log, containsString("WARN org.apache.hadoop.util.NativeCodeLoader - Unable to load native-hadoop"));
    assertThat(files(r.tmpdir()), empty());
  }

  @Test
  void aFailedRunPrintsItsMessageAndTheLogFileInTheOutputRootHasTheStackTrace() throws Exception {
    Path logs = logsWithAnEmptyAvroFile();
    Path empty = logs.resolve("dt=" + T).resolve("part-00001.avro").toAbsolutePath();
    Path out = encoreRoot();
    Result r = encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + out);

    assertThat(r.toString(), r.code(), equalTo(3));
    assertThat(r.out(), equalTo(""));
    List<String> other = r.otherErrLines();
    assertThat(r.toString(), other, hasSize(2));
    assertThat(other.get(0), startsWith("encore nightly: error: Cannot read input file " + empty));
    assertThat(other.get(0), containsString("--skipCorruptFiles=true"));
    assertThat(other.get(1), startsWith(LOG_LINE + out.resolve("_encore/logs/encore-nightly-" + T + "-")));
    assertNoEngineNoise(r);

    Path file = r.logFile();
    assertThat(files(out.resolve("_encore/logs")), equalTo(List.of(file)));
    assertEngineStackTrace(Files.readString(file), empty);
    assertThat(files(r.tmpdir()), empty());
  }

  @Test
  void anEncoreRootThatCannotTakeTheLogLeavesItInTheTemporaryFolder() throws Exception {
    Path logs = logsWithAnEmptyAvroFile();
    Path empty = logs.resolve("dt=" + T).resolve("part-00001.avro").toAbsolutePath();
    Path out = encoreRoot();
    Files.writeString(out.resolve("_encore/logs"), "a file where the logs folder would be");
    Result r = encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + out);

    assertThat(r.toString(), r.code(), equalTo(3));
    assertThat(r.toString(), r.otherErrLines(), hasSize(2));
    assertNoEngineNoise(r);
    Path file = r.logFile();
    assertThat(file.getParent(), equalTo(r.tmpdir()));
    assertEngineStackTrace(Files.readString(file), empty);
  }

  @Test
  void aRefusedOutputRootGetsNoLogFileAndTheTemporaryFolderHasIt() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("not-encores"));
    Files.writeString(out.resolve("notes.txt"), "someone else's folder");
    Result r = encore("nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + out);

    assertThat(r.toString(), r.code(), equalTo(4));
    List<String> other = r.otherErrLines();
    assertThat(r.toString(), other, hasSize(2));
    assertThat(other.get(0), containsString("is not empty and was not written by Encore"));
    Path file = r.logFile();
    assertThat(files(r.tmpdir()), equalTo(List.of(file)));
    assertNoEngineNoise(r);
    String log = Files.readString(file);
    assertThat(log, containsString("ERROR dev.encore.Encore - encore nightly failed (exit code 4)"));
    assertThat(log, containsString("dev.encore.EncoreException: Output root " + out.toAbsolutePath()));
    assertThat(log, containsString("\tat dev.encore.publish.OutputRoot.claim("));
    // The refused folder is left as it was: no _encore/logs in it.
    assertThat(TreeSnapshot.files(out).keySet(), equalTo(java.util.Set.of("notes.txt")));
  }

  @Test
  void aUsageErrorNamesNoLogFileAndLeavesNone() throws Exception {
    Result r = encore("nightly", "--date=2024-13-01", "--logs=testdata/logs", "--output=" + tmp.resolve("out"));
    assertThat(r.toString(), r.code(), equalTo(2));
    assertThat(r.err(), containsString("--date=2024-13-01"));
    assertThat(r.err(), not(containsString("full log")));
    assertThat(files(r.tmpdir()), empty());
  }

  /** The run's log holds the engine's stack trace down to Encore's message naming the file. */
  static void assertEngineStackTrace(String log, Path badFile) {
    assertAll(
        () -> assertThat(log, containsString(
            "ERROR org.apache.beam.runners.flink.FlinkRunner - Pipeline execution failed")),
        () -> assertThat(log, containsString(
            "org.apache.flink.runtime.client.JobExecutionException: Job execution failed")),
        () -> assertThat(log, containsString("\tat org.apache.flink.runtime.")),
        () -> assertThat(log, containsString(
            "Caused by: dev.encore.EncoreException: Cannot read input file " + badFile)),
        () -> assertThat(log, containsString("ERROR dev.encore.Encore - encore nightly failed (exit code 3)")));
  }
}
