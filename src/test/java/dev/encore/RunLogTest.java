package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a run's log file goes, its name, how many are kept, how its lines look (this JVM's logging untouched). */
class RunLogTest {
  static final Instant STARTED = Instant.parse("2026-11-30T03:15:00Z");

  @TempDir Path tmp;

  @Test
  void logsGoIntoAnEncoreOutputRootOnly() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root/_encore")).getParent();
    Files.writeString(root.resolve("_encore/ROOT"), "This folder is an Encore output root.\n");
    Path notOurs = Files.createDirectories(tmp.resolve("not-ours"));
    assertThat(RunLog.logsDirOfOutputRoot(root.toString()), equalTo(Optional.of(root.resolve("_encore/logs"))));
    // A folder without the marker may become a root: a file there would make Encore refuse it.
    assertThat(RunLog.logsDirOfOutputRoot(notOurs.toString()), equalTo(Optional.empty()));
    assertThat(RunLog.logsDirOfOutputRoot(tmp.resolve("new").toString()), equalTo(Optional.empty()));
    assertThat(RunLog.logsDirOfOutputRoot("bad\0path"), equalTo(Optional.empty()));
  }

  @Test
  void theNameSaysCommandDatesTimeAndProcess() {
    assertThat(RunLog.fileName(new String[] {"nightly", "--date=2024-03-30", "--logs=x", "--output=y"}, STARTED,
        42), equalTo("encore-nightly-2024-03-30-20261130T031500Z-42.log"));
    assertThat(RunLog.fileName(new String[] {"backfill", "--to=2024-03-30", "--from=2024-01-01"}, STARTED, 42),
        equalTo("encore-backfill-2024-01-01..2024-03-30-20261130T031500Z-42.log"));
    assertThat(RunLog.fileName(new String[] {"inspect", "out/sessions"}, STARTED, 7),
        equalTo("encore-inspect-20261130T031500Z-7.log"));
    // Whatever is typed stays one file name in the logs folder.
    assertThat(RunLog.fileName(new String[] {"nightly", "--date=../../etc/x y"}, STARTED, 7),
        equalTo("encore-nightly-.._.._etc_x_y-20261130T031500Z-7.log"));
  }

  @Test
  void pruneKeepsTheNewestLogFilesAndNothingElseIsTouched() throws Exception {
    for (int i = 0; i < 5; i++) {
      Path f = Files.writeString(tmp.resolve("encore-nightly-" + i + ".log"), "run " + i);
      Files.setLastModifiedTime(f, FileTime.from(STARTED.plusSeconds(i)));
    }
    Files.writeString(tmp.resolve("notes.txt"), "mine");
    RunLog.prune(tmp, 3);
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList(), equalTo(List.of(
          "encore-nightly-2.log", "encore-nightly-3.log", "encore-nightly-4.log", "notes.txt")));
    }
  }

  @Test
  void fileLinesHaveTheStackTraceConsoleLinesDoNot() {
    LogRecord r = new LogRecord(Level.SEVERE, "Pipeline execution failed");
    r.setLoggerName("org.apache.beam.runners.flink.FlinkRunner");
    r.setInstant(STARTED);
    r.setThrown(new IllegalStateException("boom"));
    String file = new RunLog.LineFormatter(false, true).format(r);
    assertThat(file, containsString(
        "2026-11-30T03:15:00.000Z ERROR org.apache.beam.runners.flink.FlinkRunner - Pipeline execution failed"));
    assertThat(file, containsString("java.lang.IllegalStateException: boom"));
    assertThat(file, containsString("\tat dev.encore.RunLogTest."));

    String console = new RunLog.LineFormatter(true, false).format(r);
    assertThat(console, equalTo("2026-11-30T03:15:00.000Z ERROR FlinkRunner - Pipeline execution failed"
        + System.lineSeparator()));
    assertThat(console, not(containsString("boom")));
  }

  @Test
  void levelsHaveSlf4jNames() {
    assertThat(Stream.of(Level.SEVERE, Level.WARNING, Level.INFO, Level.CONFIG, Level.FINE, Level.FINEST)
        .map(RunLog.LineFormatter::level).toList(),
        equalTo(List.of("ERROR", "WARN", "INFO", "DEBUG", "DEBUG", "TRACE")));
  }
}
