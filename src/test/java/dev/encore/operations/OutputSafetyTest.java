package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.not;

import dev.encore.nightly.NightlySummary;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC "Operating": an output root that is not Encore's, or that overlaps the input, is refused (exit code 4)
 * before anything is written; and Encore deletes nothing in its root but the partitions it publishes.
 */
class OutputSafetyTest {
  static final String T = "2024-03-30";
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir Path tmp;

  /** Every file (by content) and every folder below {@code root}, so a created empty folder counts as a change. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> tree = new TreeMap<>(TreeSnapshot.files(root));
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(Files::isDirectory).forEach(d -> tree.put(root.relativize(d) + "/", "folder"));
    }
    return tree;
  }

  @Test
  void aUrlOfAStoreEncoreDoesNotWriteIsRefusedInsteadOfBecomingALocalFolder() throws Exception {
    // Path.of("ftp://host/encore") would be the relative folder ftp:/host/encore: it must not be written.
    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + LOGS, "--output=ftp://host/encore");

    assertThat(r.toString(), r.code(), equalTo(2));
    assertThat(r.err(), containsString("--output=ftp://host/encore uses the scheme ftp://"));
    assertThat(r.err(), containsString("hdfs://, s3:// or gs://"));
    assertThat(Files.exists(Path.of("ftp:")), equalTo(false));

    Runs.Cli noSlashes = Runs.encore("nightly", "--date=" + T, "--logs=" + LOGS, "--output=s3:/bucket/encore");
    assertThat(noSlashes.toString(), noSlashes.code(), equalTo(2));
    assertThat(noSlashes.err(), containsString("without its //"));
    assertThat(Files.exists(Path.of("s3:")), equalTo(false));
  }

  @Test
  void aFolderWithForeignFilesIsRefusedAndLeftByteForByte() throws Exception {
    Path out = tmp.resolve("reports");
    Files.createDirectories(out.resolve("2024"));
    Files.writeString(out.resolve("report.csv"), "week,plays\n12,1000\n");
    Files.writeString(out.resolve("2024/notes.txt"), "not Encore's\n");
    Map<String, String> before = tree(out);

    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + LOGS, "--output=" + out);

    assertThat(r.toString(), r.code(), equalTo(4));
    assertThat(r.err(), containsString(out.toString()));
    assertThat(r.err(), containsString("not written by Encore"));
    assertThat(tree(out), equalTo(before));
  }

  @Test
  void foreignFilesInsideEncoresRootSurviveLaterRuns() throws Exception {
    Path out = tmp.resolve("encore");
    Runs.Cli first = Runs.encore("nightly", "--date=2024-03-29", "--logs=" + LOGS, "--output=" + out);
    assertThat(first.toString(), first.code(), equalTo(0));
    List<String> publishedBefore;
    try (Stream<Path> success = Files.walk(out)) {
      publishedBefore = success.filter(f -> f.getFileName().toString().equals("_SUCCESS"))
          .map(f -> out.relativize(f.getParent()).toString()).toList();
    }

    Map<String, String> foreign = Map.of(
        "notes/readme.txt", "what this folder is\n",
        "README.txt", "owned by the ranking team\n",
        "sessions/README.txt", "sessions, one row per listening session\n",
        "activity/README.txt", "compact daily history\n",
        "user_rewards/notes/checked.txt", "checked by hand\n");
    for (Map.Entry<String, String> f : foreign.entrySet()) {
      Files.createDirectories(out.resolve(f.getKey()).getParent());
      Files.writeString(out.resolve(f.getKey()), f.getValue());
    }
    // The next night publishes new partitions into the folders that hold foreign files, and replaces some
    // published ones (moved to Encore's trash, then deleted), which is where a careless cleanup would strike.
    NightlySummary next = Runs.nightly(T, LOGS, out);
    for (String partition :
        List.of("sessions/dt=2024-03-29", "activity/dt=2024-03-30", "user_rewards/dt=2024-03-26")) {
      assertThat(partition, next.published().contains(partition), equalTo(true));
      assertThat(partition, Files.exists(out.resolve(partition).resolve("_SUCCESS")), equalTo(true));
    }
    List<String> replaced = next.published().stream()
        .filter(publishedBefore::contains).toList();
    assertThat("partitions replaced by the second run", replaced, not(empty()));
    // And the same night again (a rerun).
    Runs.Cli rerun = Runs.encore("nightly", "--date=" + T, "--logs=" + LOGS, "--output=" + out);
    assertThat(rerun.toString(), rerun.code(), equalTo(0));

    for (Map.Entry<String, String> f : foreign.entrySet()) {
      Path file = out.resolve(f.getKey());
      assertThat(f.getKey() + " still there", Files.exists(file), equalTo(true));
      assertThat(f.getKey(), Files.readString(file), equalTo(f.getValue()));
    }
  }

  @Test
  void outputEqualToTheLogsIsRefusedAndNothingIsWritten() throws Exception {
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    Map<String, String> before = tree(tmp);
    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + logs);
    assertRefusedAsOverlap(r);
    assertThat(tree(tmp), equalTo(before));
  }

  @Test
  void outputInsideTheLogsIsRefusedAndNothingIsWritten() throws Exception {
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    Map<String, String> before = tree(tmp);
    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + logs.resolve("encore"));
    assertRefusedAsOverlap(r);
    assertThat(tree(tmp), equalTo(before));
  }

  @Test
  void logsInsideTheOutputAreRefusedAndNothingIsWritten() throws Exception {
    Path out = tmp.resolve("data");
    Path logs = TreeSnapshot.copy(LOGS, out.resolve("logs"));
    Map<String, String> before = tree(tmp);
    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + out);
    assertRefusedAsOverlap(r);
    assertThat(tree(tmp), equalTo(before));
  }

  @Test
  void outputInsideTheLogsThroughARelativePathIsRefused() throws Exception {
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    Files.createDirectories(tmp.resolve("elsewhere"));
    Map<String, String> before = tree(tmp);
    // <tmp>/elsewhere/../logs/encore is <tmp>/logs/encore.
    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + logs,
        "--output=" + tmp.resolve("elsewhere").resolve("..").resolve("logs").resolve("encore"));
    assertRefusedAsOverlap(r);
    assertThat(tree(tmp), equalTo(before));
  }

  @Test
  void outputInsideTheLogsThroughASymbolicLinkIsRefused() throws Exception {
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    // /data/logs-alias -> /data/logs, as mounts and "current" links make such aliases.
    Path alias = Files.createSymbolicLink(tmp.resolve("logs-alias"), logs);
    Map<String, String> before = tree(tmp);
    Runs.Cli r = Runs.encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + alias.resolve("encore"));
    assertRefusedAsOverlap(r);
    assertThat(tree(tmp), equalTo(before));
  }

  static void assertRefusedAsOverlap(Runs.Cli r) {
    assertThat(r.toString(), r.code(), equalTo(4));
    assertThat(r.err(), containsString("overlaps the logs"));
  }
}
