package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backfill runs the nightly work date by date, skips what is already published, and resumes. */
class BackfillTest {
  @TempDir Path tmp;

  private static String encore(String... args) {
    Runs.Cli r = Runs.encore(args);
    assertThat(r.err(), r.code(), equalTo(0));
    return r.out();
  }

  @Test
  void backfillIsResumableAndEqualsNightlyDateByDate() throws Exception {
    Path out = tmp.resolve("out");
    String[] range = {"backfill", "--from=2024-03-27", "--to=2024-03-30", "--logs=testdata/logs",
        "--output=" + out};
    String first = encore(range);
    assertThat(first, containsString("4 dates run, 0 skipped"));
    Map<String, String> published = TreeSnapshot.dataFiles(out);

    // Nightly date by date on another root gives the same files.
    Path byDate = tmp.resolve("by-date");
    for (String d : new String[] {"2024-03-27", "2024-03-28", "2024-03-29", "2024-03-30"}) {
      encore("nightly", "--date=" + d, "--logs=testdata/logs", "--output=" + byDate);
    }
    assertThat(TreeSnapshot.differences(TreeSnapshot.dataFiles(byDate), published), equalTo(List.of()));

    // Everything is already published: nothing runs.
    assertThat(encore(range), containsString("0 dates run, 4 skipped"));
    // As if the backfill had died during 2024-03-29: it resumes there.
    Files.delete(out.resolve("_encore/runs/nightly-2024-03-29.json"));
    String resumed = encore(range);
    assertThat(resumed, containsString("backfill 2024-03-28: skipped, already published"));
    assertThat(resumed, containsString("backfill 2024-03-29: done"));
    assertThat(resumed, containsString("1 dates run, 3 skipped"));
    assertThat(TreeSnapshot.dataFiles(out), equalTo(published));
    // --force redoes every date, and changes nothing.
    String[] forced = java.util.Arrays.copyOf(range, range.length + 1);
    forced[range.length] = "--force=true";
    assertThat(encore(forced), containsString("4 dates run, 0 skipped"));
    assertThat(TreeSnapshot.dataFiles(out), equalTo(published));
  }
}
