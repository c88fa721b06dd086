package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.backfill.Backfill;
import dev.encore.publish.PartitionLayout;
import dev.encore.store.StoreFiles;
import dev.encore.testing.LateDelivery;
import dev.encore.testing.Runs;
import dev.encore.testing.SpotifyHistory;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-pass backfill leaves the output root exactly as running {@code nightly} date by date does: every dataset,
 * every partition, every row (the data files, byte for byte), and a record of every date. The reference side
 * calls {@code nightly} for each date, never the backfill code.
 */
class BackfillEquivalenceTest {
  @TempDir Path tmp;

  /**
   * Generated logs with late arrivals (testdata: the generator delivers plays up to L days late, and too late),
   * on a fresh root, over dates that publish final anchors, mature discoveries and predictions. A backfill that
   * dies while publishing (some partitions published, no date recorded) is rerun and completes the same; then the
   * command line skips what is recorded, resumes at the first unrecorded date, and {@code --force} changes nothing.
   */
  @Test
  void generatedLogsOnAFreshRootAfterADeathWhilePublishingAndResumed() throws IOException {
    Path logs = Path.of("testdata/logs");
    LocalDate from = LocalDate.parse("2024-05-26");
    LocalDate to = LocalDate.parse("2024-05-29");
    Path byDate = tmp.resolve("by-date");
    nightlyDateByDate(logs, byDate, from, to);

    Path oneRun = tmp.resolve("one-run");
    AtomicInteger completed = new AtomicInteger();
    try (AutoCloseable dies = StoreFiles.observe(op -> {
      // The 40th partition completed (its run metadata written): the process dies there.
      if (op.endsWith("/" + PartitionLayout.RUN_METADATA) && completed.incrementAndGet() == 40) {
        throw new IllegalStateException("killed while publishing");
      }
    })) {
      assertThrows(RuntimeException.class, () -> backfill(logs, oneRun, from, to));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertThat("partitions published before the death", dataPartitions(oneRun).size(), greaterThan(10));
    assertThat("not all", dataPartitions(oneRun).size(), lessThan(dataPartitions(byDate).size()));
    assertThat("no date recorded", recordedDates(oneRun), empty());

    Backfill.Summary rerun = backfill(logs, oneRun, from, to);
    assertThat(List.of(rerun.ran(), rerun.skipped()), equalTo(List.of(4, 0)));
    assertSameOutputs(byDate, oneRun, from, to);
    // Rows of every kind are there: the comparison is not of empty partitions.
    Set<String> datasets = dataPartitions(oneRun).stream().map(p -> p.split("/")[0]).collect(Collectors.toSet());
    for (String dataset : List.of("sessions", "activity", "user_rewards", "user_entity_rewards", "entity_rewards",
        "reward_priors", "entity_predictions", "rejected")) {
      assertThat(datasets, hasItem(dataset));
    }

    // Everything is recorded now: a rerun computes nothing.
    String[] range = {"backfill", "--from=" + from, "--to=" + to, "--logs=" + logs, "--output=" + oneRun};
    assertThat(encore(range), containsString("0 dates run, 4 skipped"));
    // As if the backfill had died before recording 2024-05-28: it resumes there, and changes nothing.
    Map<String, String> published = TreeSnapshot.dataFiles(oneRun);
    Files.delete(oneRun.resolve("_encore/runs/nightly-2024-05-28.json"));
    String resumed = encore(range);
    assertThat(resumed, containsString("backfill 2024-05-27: skipped, already published"));
    assertThat(resumed, containsString("backfill 2024-05-28 .. 2024-05-29: computing 2 dates in one pipeline"));
    assertThat(resumed, containsString("2 dates run, 2 skipped"));
    assertThat(TreeSnapshot.dataFiles(oneRun), equalTo(published));
    // --force computes every date again, and changes nothing.
    String[] forced = java.util.Arrays.copyOf(range, range.length + 1);
    forced[range.length] = "--force=true";
    assertThat(encore(forced), containsString("4 dates run, 0 skipped"));
    assertThat(TreeSnapshot.dataFiles(oneRun), equalTo(published));
  }

  /**
   * A slice of the real listening histories (20 users, 130 days, 10 % of the plays 1–3 days late), on a root
   * where the nightly of the day before the range had already published its history (so the backfill reuses
   * published activity, as a scheduler's root has).
   */
  @Test
  void realHistoriesSliceOnARootWithHistory() throws IOException {
    Path logs = tmp.resolve("logs");
    LocalDate first = LocalDate.parse("2020-06-27");
    LocalDate last = first.plusDays(129);
    SpotifyHistory.Conversion c = SpotifyHistory.convert(logs, SpotifyHistory.firstUsers(20), first, last);
    assertThat(c.plays(), greaterThan(5_000L));
    LateDelivery.Result late = LateDelivery.apply(logs, 0.10, 3);
    assertThat(late.toString(), late.movedShare(), greaterThan(0.08));

    LocalDate from = last.minusDays(2);
    Path history = tmp.resolve("history");
    Runs.nightly(from.minusDays(1), logs, history);
    Path byDate = TreeSnapshot.copy(history, tmp.resolve("by-date"));
    nightlyDateByDate(logs, byDate, from, last);
    Path oneRun = TreeSnapshot.copy(history, tmp.resolve("one-run"));
    assertThat(backfill(logs, oneRun, from, last).ran(), equalTo(3));
    assertSameOutputs(byDate, oneRun, from, last);
  }

  private static String encore(String... args) {
    Runs.Cli r = Runs.encore(args);
    assertThat(r.err(), r.code(), equalTo(0));
    return r.out();
  }

  private static void nightlyDateByDate(Path logs, Path out, LocalDate from, LocalDate to) {
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      Runs.nightly(d, logs, out);
    }
  }

  private static Backfill.Summary backfill(Path logs, Path out, LocalDate from, LocalDate to) {
    return Runs.backfill(List.of("--from=" + from, "--to=" + to, "--logs=" + logs, "--output=" + out));
  }

  private static void assertSameOutputs(Path byDate, Path oneRun, LocalDate from, LocalDate to) throws IOException {
    assertThat(TreeSnapshot.differences(TreeSnapshot.dataFiles(byDate), TreeSnapshot.dataFiles(oneRun)), empty());
    assertThat(recordedDates(oneRun), equalTo(recordedDates(byDate)));
    assertThat(recordedDates(oneRun).size(), greaterThan((int) (to.toEpochDay() - from.toEpochDay())));
    assertThat("the input calendar", Files.readString(oneRun.resolve("_encore/input_calendar.json")),
        equalTo(Files.readString(byDate.resolve("_encore/input_calendar.json"))));
  }

  /** The published partitions, as dataset/dt=.... */
  private static Set<String> dataPartitions(Path root) throws IOException {
    Map<String, String> files = TreeSnapshot.dataFiles(root);
    return files.keySet().stream().filter(f -> f.endsWith(".parquet"))
        .map(f -> f.substring(0, f.lastIndexOf('/'))).collect(Collectors.toSet());
  }

  /** The dates whose run is recorded under the root. */
  private static List<String> recordedDates(Path root) throws IOException {
    Path runs = root.resolve("_encore/runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(runs)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
