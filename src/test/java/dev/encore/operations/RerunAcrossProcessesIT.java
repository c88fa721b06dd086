package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertAll;

import dev.encore.testing.TreeSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduler reruns Encore in a new process, not in the JVM of the first run (RerunTest's setting): the rerun
 * must still find every partition unchanged and rewrite no data file.
 */
class RerunAcrossProcessesIT {
  static final String T = "2024-03-30";

  @TempDir Path tmp;

  @Test
  void aRerunInANewProcessRewritesNothing() throws Exception {
    Path out = tmp.resolve("out");
    Path dir1 = java.nio.file.Files.createDirectories(tmp.resolve("first"));
    Path dir2 = java.nio.file.Files.createDirectories(tmp.resolve("second"));
    NoRawRecordsInLogsIT.Result first = NoRawRecordsInLogsIT.encore(
        dir1, "nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + out);
    assertThat(first.output(), first.code(), equalTo(0));
    Map<String, String> before = TreeSnapshot.dataFiles(out);

    NoRawRecordsInLogsIT.Result second = NoRawRecordsInLogsIT.encore(
        dir2, "nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + out);
    assertThat(second.output(), second.code(), equalTo(0));
    Map<String, String> after = TreeSnapshot.dataFiles(out);
    TreeSet<String> rewritten = new TreeSet<>();
    before.forEach((file, digest) -> {
      if (!digest.equals(after.get(file))) {
        rewritten.add(file);
      }
    });
    assertAll(
        // 4 session days, activity T-3..T, 3 reward datasets at 4 anchors, rejected (as in RerunTest).
        () -> assertThat(second.output(), containsString("published: 0 partitions written, 23 unchanged")),
        () -> assertThat("data files rewritten by the rerun", List.copyOf(rewritten), equalTo(List.of())),
        () -> assertThat(after.keySet(), equalTo(before.keySet())));
  }
}
