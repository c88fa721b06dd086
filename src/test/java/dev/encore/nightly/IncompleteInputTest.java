package dev.encore.nightly;

import static dev.encore.nightly.LabelsV2.date;
import static dev.encore.nightly.LabelsV2.day;
import static dev.encore.nightly.LabelsV2.integer;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.encore.publish.OutputRoot;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incomplete input in the middle of the range (docs/rewards.md version 2, "The input calendar and final days"): one
 * arrival partition missing ({@code --allowMissingDays=true}) and, separately, one corrupt file skipped
 * ({@code --skipCorruptFiles=true}). Arrival day X incomplete makes the days X − 3 … X + 1 non-final (day d depends on
 * arrival days d − 1 … d + L): no row for such a day (its partitions withheld, listed in {@code _run.json}); no window
 * or lookback covering one is final, mature or lookback_complete; the input calendar marks X incomplete and keeps it.
 * When the missing partition arrives later, the day stays incomplete, nothing already published changes, withheld
 * partitions stay withheld, and the run log names the partition.
 *
 * <p>On the committed sample with its last arrival day Z: runs T0 = Z − 7 (X = T0 − 2 missing), then T0 + 1 (X has
 * arrived; the 10 oldest partitions deleted by retention, their calendar entries kept) and T0 + 7; and T0 with a
 * corrupt file in Y = T0 − 9 on another output root.
 */
class IncompleteInputTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir Path tmp;

  private static LocalDate last() {
    List<LocalDate> days = LabelsV2.arrivalDays(LOGS);
    return days.get(days.size() - 1);
  }

  private static LocalDate first() {
    return LabelsV2.arrivalDays(LOGS).get(0);
  }

  private static LabelsV2.Counts check(Path out, LabelsV2.Finality fin, String what) {
    LabelsV2.Counts c = new LabelsV2.Counts();
    LabelsV2.checkRun(out, fin, c);
    System.out.println(what + " (run " + fin.t() + ", incomplete arrival days " + fin.incomplete() + "):\n" + c);
    assertThat(what + "\n" + c, c.nonZero(), equalTo(Map.of()));
    return c;
  }

  private static java.util.NavigableMap<LocalDate, String> calendar(Path out, LocalDate from, LocalDate to) throws IOException {
    JsonNode cal = LabelsV2.inputCalendar(out);
    java.util.NavigableMap<LocalDate, String> m = new TreeMap<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      m.put(d, LabelsV2.calendarEntry(cal, d));
    }
    return m;
  }

  /** The reward partitions a root holds, with the digest of every data file. */
  private static Map<String, String> rewardFiles(Path out) throws IOException {
    Map<String, String> files = TreeSnapshot.dataFiles(out);
    files.keySet().removeIf(f -> LabelsV2.REWARDS.stream().noneMatch(d -> f.startsWith(d + "/")));
    return files;
  }

  /** What a run logs (java.util.logging, where the run log file gets its lines) while {@code run} runs. */
  private static String logged(java.util.function.Supplier<Runs.Cli> run) {
    StringBuilder b = new StringBuilder();
    java.util.logging.Handler h = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        synchronized (b) {
          b.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ")
              .append(new java.util.logging.SimpleFormatter().formatMessage(r)).append('\n');
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.addHandler(h);
    try {
      Runs.Cli cli = run.get();
      synchronized (b) {
        return b + cli.out() + cli.err();
      }
    } finally {
      root.removeHandler(h);
    }
  }

  private static List<Map<String, Object>> rowsOf(Path out, String dataset, LocalDate d) {
    return LabelsV2.rows(out, dataset).stream().filter(r -> d.equals(day(r))).toList();
  }

  @Test
  void aMissingPartitionMakesItsDaysNonFinalForeverEvenAfterItArrives() throws Exception {
    LocalDate f = first();
    LocalDate t0 = last().minusDays(7);
    LocalDate x = t0.minusDays(2);
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    Path held = tmp.resolve("held");
    TreeSnapshot.copy(logs.resolve("dt=" + x), held);
    dev.encore.store.StoreFiles.deleteTree(logs.resolve("dt=" + x).toString());
    Path out = tmp.resolve("out");
    Set<LocalDate> incomplete = Set.of(x);

    LabelsV2.nightly(logs, out, t0, "--allowMissingDays=true");
    check(out, new LabelsV2.Finality(f, t0, incomplete), "missing " + x);
    // T0 - 4 lies in X - 3 .. X + 1: withheld in every reward dataset, and said so.
    LocalDate withheld = t0.minusDays(4);
    LocalDate tenDays = t0.minusDays(10);
    for (String dataset : LabelsV2.REWARDS) {
      assertThat(dataset, Files.exists(out.resolve(dataset + "/dt=" + withheld)), equalTo(false));
      assertThat(dataset, LabelsV2.withheld(out.resolve(dataset + "/dt=" + tenDays)),
          containsString(withheld.toString()));
    }
    // T0 - 10: D + 1 .. D + 4 final (X - 3 = T0 - 5 is not): days_final 4, mature_1 but not mature_7.
    List<Map<String, Object>> tenDayRows = rowsOf(out, "user_rewards", tenDays);
    assertThat(tenDayRows.size(), greaterThan(0));
    for (Map<String, Object> r : tenDayRows) {
      assertThat(r.toString(), integer(r.get("days_final")), equalTo(4));
      assertThat(r.toString(), r.get("mature_7"), equalTo(false));
    }
    Map<LocalDate, String> calendar0 = calendar(out, f, t0);
    assertThat(calendar0.get(x), equalTo("incomplete"));
    assertThat(calendar0.values().stream().filter("complete"::equals).count(),
        equalTo((long) calendar0.size() - 1));
    Map<String, String> published0 = rewardFiles(out);
    assertThat(published0.size(), greaterThan(0));

    // X arrives; retention deletes the 10 oldest partitions.
    TreeSnapshot.copy(held, logs.resolve("dt=" + x));
    for (int i = 0; i < 10; i++) {
      dev.encore.store.StoreFiles.deleteTree(logs.resolve("dt=" + f.plusDays(i)).toString());
    }
    String said = logged(() -> LabelsV2.nightly(logs, out, t0.plusDays(1)));
    String line = said.lines().filter(l -> l.contains(x.toString()) && l.contains("incomplete")).findFirst()
        .orElse(null);
    System.out.println("the run log on " + x + ": " + line);
    assertThat("the run log names the partition that arrived after its day was recorded incomplete\n" + said,
        line != null, equalTo(true));
    check(out, new LabelsV2.Finality(f, t0.plusDays(1), incomplete), "after " + x + " arrived");
    java.util.NavigableMap<LocalDate, String> calendar1 = calendar(out, f, t0.plusDays(1));
    assertThat(calendar1.subMap(f, true, t0, true), equalTo(calendar0));
    assertThat(calendar1.get(t0.plusDays(1)), equalTo("complete"));
    Map<String, String> after1 = rewardFiles(out);
    after1.keySet().retainAll(published0.keySet());
    assertThat("partitions published before X arrived are unchanged", after1, equalTo(published0));

    // A week later (X is still read: the runs after a skipped night rebuild activity from T0 - 2 on) nothing of the
    // above has moved.
    LocalDate t7 = t0.plusDays(7);
    LabelsV2.nightly(logs, out, t7);
    check(out, new LabelsV2.Finality(f, t7, incomplete), "a week later, " + x + " deleted by retention");
    assertThat(calendar(out, f, t0), equalTo(calendar0));
    // T0 - 3 (age 10 now) stays withheld although its input is all there now.
    assertThat(Files.exists(out.resolve("user_rewards/dt=" + t0.minusDays(3))), equalTo(false));
    // T0 + 3 (age 4): every lookback covers X - 3 .. X + 1, so no discovery of it is known to be new.
    List<Map<String, Object>> discoveries = rowsOf(out, "user_entity_rewards", t0.plusDays(3));
    assertThat(discoveries.size(), greaterThan(0));
    for (Map<String, Object> r : discoveries) {
      assertThat(r.toString(), r.get("lookback_complete"), equalTo(false));
      assertThat(r.toString(), r.get("discovery_kind"), equalTo(null));
    }
    assertThat(rowsOf(out, "entity_rewards", t0.plusDays(3)).size(), equalTo(0));
    Map<String, String> after7 = rewardFiles(out);
    after7.keySet().retainAll(published0.keySet());
    assertThat(after7, equalTo(published0));
  }

  @Test
  void aSkippedCorruptFileMakesItsArrivalDayIncomplete() throws Exception {
    LocalDate f = first();
    LocalDate t0 = last().minusDays(7);
    LocalDate y = t0.minusDays(9);
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    Path file;
    try (Stream<Path> s = Files.list(logs.resolve("dt=" + y))) {
      file = s.filter(p -> p.toString().endsWith(".avro")).sorted().findFirst().orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }
    Path out = tmp.resolve("out");
    LabelsV2.nightly(logs, out, t0, "--skipCorruptFiles=true");
    check(out, new LabelsV2.Finality(f, t0, Set.of(y)), "corrupt file in " + y);
    assertThat(LabelsV2.calendarEntry(LabelsV2.inputCalendar(out), y), equalTo("incomplete"));
    assertThat(LabelsV2.calendarEntry(LabelsV2.inputCalendar(out), y.plusDays(1)), equalTo("complete"));
    // T0 - 10 in Y - 3 .. Y + 1: withheld. T0 - 31: days_final stops before Y - 3 (18 days), so mature_7 but not
    // mature_28. T0 - 4: its discoveries' lookback covers Y - 3 .. Y + 1.
    assertThat(Files.exists(out.resolve("user_rewards/dt=" + t0.minusDays(10))), equalTo(false));
    assertThat(LabelsV2.withheld(out.resolve("user_rewards/dt=" + t0.minusDays(4))),
        containsString(t0.minusDays(10).toString()));
    List<Map<String, Object>> month = rowsOf(out, "user_rewards", t0.minusDays(31));
    assertThat(month.size(), greaterThan(0));
    for (Map<String, Object> r : month) {
      assertThat(r.toString(), integer(r.get("days_final")), equalTo(18));
      assertThat(r.toString(), List.of(r.get("mature_7"), r.get("mature_28")), equalTo(List.of(true, false)));
    }
    List<Map<String, Object>> recent = rowsOf(out, "user_entity_rewards", t0.minusDays(4));
    assertThat(recent.size(), greaterThan(0));
    assertThat(recent.stream().filter(r -> !Boolean.FALSE.equals(r.get("lookback_complete"))).count(),
        equalTo(0L));
    assertThat(date(recent.get(0).get("as_of")), equalTo(t0));
  }
}
