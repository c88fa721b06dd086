package dev.encore.progress;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Without a terminal (as under a scheduler, and in this test), progress is plain timestamped lines. */
class RunProgressTest {
  @Test
  void writesTimestampedLinesWithStageFilesAndRecords() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (RunProgress progress = RunProgress.start("nightly 2024-03-30", 4, out, Duration.ofMillis(100))) {
      progress.stage("computing");
      RunProgress.recordsRead(12_345);
      RunProgress.fileRead();
      Thread.sleep(350);
      String text = bytes.toString(StandardCharsets.UTF_8);
      String[] lines = text.split("\n");
      assertThat(lines.length, greaterThanOrEqualTo(2));
      assertThat(lines[lines.length - 1], matchesPattern(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z progress nightly 2024-03-30: reading input, files 1/4,"
              + " 12,345 records read, \\d+ s elapsed"));
      for (int i = 0; i < 3; i++) {
        RunProgress.fileRead();
      }
      progress.stage("computing");
      Thread.sleep(250);
      assertThat(bytes.toString(StandardCharsets.UTF_8), containsString("sessions, rewards, writing, files 4/4"));
      progress.stage("publishing");
      Thread.sleep(250);
      assertThat(bytes.toString(StandardCharsets.UTF_8), containsString("publishing, files 4/4"));
    }
  }

  @Test
  void aJobWhoseStepsRunElsewhereShowsItsStageWithoutCounts() throws Exception {
    // On a remote cluster the reading step never counts in this JVM: no "reading input, files 0/N".
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (RunProgress progress = RunProgress.start("nightly 2024-03-30", 4, out, Duration.ofMillis(100))) {
      progress.stage("computing");
      Thread.sleep(250);
      String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
      assertThat(lines[lines.length - 1], matchesPattern(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z progress nightly 2024-03-30: computing, \\d+ s elapsed"));
    }
  }
}
