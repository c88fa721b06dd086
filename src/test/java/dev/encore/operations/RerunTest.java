package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.ListeningEvent;
import dev.encore.nightly.NightlySummary;
import dev.encore.testing.LogsFixture;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reruns: the same run twice changes nothing; a rerun after late data rewrites exactly what that data changes. */
class RerunTest {
  static final LocalDate T = LocalDate.parse("2024-03-30");

  @TempDir Path tmp;

  static NightlySummary nightly(Path logs, Path out) {
    return Runs.nightly(T, logs, out);
  }

  @Test
  void sameRunTwiceIsIdempotentAndLateDataRewritesOnlyItsPartitions() throws Exception {
    Path logs = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs"));
    Path out = tmp.resolve("out");
    NightlySummary first = nightly(logs, out);
    Map<String, String> afterFirst = TreeSnapshot.dataFiles(out);

    NightlySummary second = nightly(logs, out);
    assertThat(second.published(), equalTo(List.of()));
    // The rerun reads the activity the first run kept, so it recomputes only what T makes due: 4 session days,
    // activity T-3..T, 3 reward datasets at 4 anchors, the 2 prediction datasets of T, rejected: 23 partitions,
    // all exactly as published.
    assertThat(second.unchanged().size(), equalTo(4 + 4 + 12 + 2 + 1));
    assertThat(first.published().containsAll(second.unchanged()), equalTo(true));
    assertThat(TreeSnapshot.dataFiles(out), equalTo(afterFirst));

    // A play of 2024-03-28 by a new listener arrives late, in a new file of partition 2024-03-30.
    LogsFixture.writePartition(logs, T, "part-late.avro", List.of(ListeningEvent.newBuilder()
        .setEventId("late-1").setUserId("late-listener").setTs(Instant.parse("2024-03-28T12:00:00Z"))
        .setMsPlayed(200_000).setContentType("TRACK").setItemId("t").setArtistId("a").build()));
    NightlySummary third = nightly(logs, out);
    assertThat(third.published(), equalTo(List.of("sessions/dt=2024-03-28", "activity/dt=2024-03-28")));
    Map<String, String> afterLate = TreeSnapshot.dataFiles(out);
    afterFirst.forEach((file, digest) -> {
      if (!file.startsWith("sessions/dt=2024-03-28/") && !file.startsWith("activity/dt=2024-03-28/")) {
        assertThat(file, afterLate.get(file), equalTo(digest));
      }
    });
    assertThat(third.render(), containsString("2 partitions written"));
  }
}
