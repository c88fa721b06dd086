package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.EncoreException;
import dev.encore.config.FaultPoint;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that fails at any point leaves every published partition byte for byte as it was, and no half-written
 * partition visible; the next run completes.
 */
class FailureTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir Path tmp;

  static void nightly(Path out, String date, FaultPoint failAt) {
    Runs.nightly(date, LOGS, out, "--failAt=" + failAt);
  }

  /** Every file under the root, staging excluded only if empty (a failed run must have cleaned it up). */
  static Map<String, String> published(Path out) throws Exception {
    return TreeSnapshot.files(out);
  }

  @Test
  void aFailureAtAnyPointLeavesPublishedPartitionsAsTheyWere() throws Exception {
    Path out = tmp.resolve("out");
    nightly(out, "2024-03-29", FaultPoint.NONE);
    Map<String, String> before = published(out);
    for (FaultPoint fault : new FaultPoint[] {FaultPoint.READING, FaultPoint.WRITING, FaultPoint.PUBLISHING}) {
      EncoreException e = assertThrows(EncoreException.class, () -> nightly(out, "2024-03-30", fault));
      assertThat(e.getMessage(), containsString("--failAt=" + fault.name().toLowerCase()));
      assertThat(e.getMessage(), containsString("Nothing was published"));
      assertThat(fault.name(), published(out), equalTo(before));
      assertThat(Files.exists(out.resolve("sessions/dt=2024-03-29")), equalTo(false));
    }
    nightly(out, "2024-03-30", FaultPoint.NONE);
    assertThat(Files.exists(out.resolve("sessions/dt=2024-03-29/_SUCCESS")), equalTo(true));
  }

  @Test
  void aPartitionLeftInTheTrashByACrashIsPutBack() throws Exception {
    Path out = tmp.resolve("out");
    nightly(out, "2024-03-29", FaultPoint.NONE);
    Map<String, String> before = published(out);
    // As if a run died between moving the old partition aside and moving the new one in.
    Path trashed = out.resolve("_encore/trash/nightly-crashed/sessions/dt=2024-03-28");
    Files.createDirectories(trashed.getParent());
    Files.move(out.resolve("sessions/dt=2024-03-28"), trashed);
    // The next run restores it before anything else (here it then fails on purpose while reading).
    assertThrows(EncoreException.class, () -> nightly(out, "2024-03-30", FaultPoint.READING));
    assertThat(published(out), equalTo(before));
  }
}
