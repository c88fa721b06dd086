package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;

import dev.encore.publish.Publisher;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An arrival partition without {@code _SUCCESS} may still be being written: a run that needs it stops (exit code
 * 3) before anything is written, naming it; {@code --allowMissingDays=true} runs without it and records it in
 * every partition's run metadata. A partition after the run's date is none of its business.
 */
class UnsealedInputTest {
  static final String T = "2024-03-30";
  static final String UNSEALED = "2024-03-28";

  @TempDir Path tmp;

  @Test
  void anUnsealedPartitionInTheWindowIsRefusedUnlessMissingDaysAreAllowed() throws Exception {
    Path logs = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs"));
    // The logs as they were on the evening of T: nothing after it has arrived yet.
    try (Stream<Path> dirs = Files.list(logs)) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().compareTo("dt=" + T) > 0).toList()) {
        try (Stream<Path> files = Files.walk(d)) {
          for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(f);
          }
        }
      }
    }
    Files.delete(logs.resolve("dt=" + UNSEALED + "/_SUCCESS"));
    // Tomorrow's partition, still being written by the upstream job: outside run T's window.
    Files.createDirectories(logs.resolve("dt=2024-03-31"));
    Files.copy(logs.resolve("dt=" + T + "/part-00000.avro"), logs.resolve("dt=2024-03-31/part-00000.avro"));
    Path out = tmp.resolve("out");

    Runs.Cli refused = Runs.encore("nightly", "--date=" + T, "--logs=" + logs, "--output=" + out);
    assertThat(refused.toString(), refused.code(), equalTo(3));
    assertThat(refused.err(), containsString(logs.resolve("dt=" + UNSEALED).toString()));
    assertThat(refused.err(), containsString("not sealed"));
    assertThat(refused.err(), containsString("--allowMissingDays=true"));
    assertThat(refused.err(), not(containsString("dt=2024-03-31")));
    assertThat("nothing written", Files.exists(out), equalTo(false));

    Runs.Cli allowed = Runs.encore(
        "nightly", "--date=" + T, "--logs=" + logs, "--output=" + out, "--allowMissingDays=true");
    assertThat(allowed.toString(), allowed.code(), equalTo(0));
    assertThat(allowed.out(), containsString("skipped: " + UNSEALED + " unsealed"));

    List<Path> partitions;
    try (Stream<Path> files = Files.walk(out)) {
      partitions = files.filter(f -> f.getFileName().toString().equals(Publisher.RUN_METADATA))
          .filter(f -> !f.startsWith(out.resolve("_encore")))
          .map(Path::getParent).sorted().toList();
    }
    // 4 session days, activity 2024-01-01 .. 2024-03-30, rewards at 3 of the 4 anchors in 3 datasets, and the
    // rejections of each of the 89 arrival partitions read (a first run publishes them all; 2024-03-28 was
    // skipped), and the 2 prediction partitions of T (reward_priors, entity_predictions). The anchor 2024-03-26
    // (age 4) is not final: its plays can be in arrivals 03-25 .. 03-29, and 03-28 is incomplete. Its partitions
    // are withheld, and the run says why.
    assertThat(partitions.size(), equalTo(4 + 90 + 9 + 2 + 89));
    assertThat(allowed.out(), containsString("withheld user_rewards/dt=2024-03-26, user_entity_rewards/dt=2024-03-26,"
        + " entity_rewards/dt=2024-03-26: not final: arrival days 2024-03-25 .. 2024-03-29 must be complete;"
        + " incomplete: 2024-03-28 unsealed"));
    for (Path partition : partitions) {
      Map<String, Object> meta = Publisher.readMetadata(partition);
      assertThat(partition.toString(), meta.get("skipped_input_days"),
          equalTo(List.of(Map.of("dt", UNSEALED, "why", "unsealed"))));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> read = (List<Map<String, Object>>) meta.get("input_partitions");
      List<Object> days = read.stream().map(p -> p.get("dt")).toList();
      assertThat(partition.toString(), days.contains(UNSEALED), equalTo(false));
      assertThat(partition.toString(), days.contains("2024-03-31"), equalTo(false));
      assertThat(partition.toString(), days.size(), equalTo(89));
      assertThat(partition.toString(), ((Map<?, ?>) meta.get("options")).get("allowMissingDays"), equalTo(true));
    }
    assertThat(partitions.size(), greaterThan(0));
  }
}
