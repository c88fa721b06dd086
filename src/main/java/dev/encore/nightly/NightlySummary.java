package dev.encore.nightly;

import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.InputPartition;
import dev.encore.publish.RunStats;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a nightly run did, for the scheduler's log and for tests.
 *
 * @param date the run's arrival day
 * @param runId unique id of the run, also in every partition's run metadata
 * @param input partitions read and days skipped
 * @param counts the run's exact counts, see {@link RunStats}
 * @param datasets the datasets the run wrote, in registry order ({@link Outputs})
 * @param published partitions whose data was (re)written, as dataset/dt=YYYY-MM-DD
 * @param unchanged partitions not rewritten: recomputed with exactly the rows already published (only their
 *     metadata renewed), or published by a run for a later date (kept)
 * @param withheld partitions not published because their day is not final, with why (docs/rewards.md)
 * @param wallTime from start to the last partition published
 * @param runner the Beam runner used
 */
public record NightlySummary(
    LocalDate date,
    String runId,
    ArrivalPartitions.Found input,
    Map<String, Long> counts,
    List<String> datasets,
    List<String> published,
    List<String> unchanged,
    Map<String, String> withheld,
    Duration wallTime,
    String runner) {

  /** Total of an input count over every partition read. */
  public long total(String name) {
    return RunStats.totalInput(counts, name);
  }

  /** Rows written per partition of a dataset: dt → rows. */
  public Map<String, Long> rows(String dataset) {
    return RunStats.forOutput(counts, dataset);
  }

  /** A few lines for people: partitions read, what became of the plays, what was written, how long it took. */
  public String render() {
    StringBuilder s = new StringBuilder();
    s.append(String.format(
        "encore nightly %s: done in %.1f s on %s (run %s)%n",
        date, wallTime.toMillis() / 1000.0, runner, runId));
    List<InputPartition> parts = input.partitions();
    s.append(String.format(
        "  input partitions read: %d%s%s%n",
        parts.size(),
        parts.isEmpty() ? "" : " (" + parts.get(0).day() + " .. " + parts.get(parts.size() - 1).day() + ")",
        input.skipped().isEmpty()
            ? ""
            : ", skipped: " + input.skipped().stream()
                .map(k -> k.day() + " " + k.why()).collect(Collectors.joining(", "))));
    s.append(String.format(
        "  records read: %d; accepted %d, rejected %d, private %d, duplicate %d%n",
        total(RunStats.RECORDS), total(RunStats.ACCEPTED), total(RunStats.REJECTED),
        total(RunStats.PRIVATE), total(RunStats.DUPLICATES)));
    Map<String, Map<String, Long>> hot = RunStats.hotUserDays(counts);
    if (!hot.isEmpty()) {
      s.append(String.format(
          "  left out as bots or stuck clients (over --maxPlaysPerUserDay): %d users, %d user-days%n",
          hot.size(), hot.values().stream().mapToInt(Map::size).sum()));
    }
    if (parts.stream().anyMatch(p -> p.day().equals(date))) {
      Map<String, Long> today = RunStats.forInput(counts, date.toString());
      long rejected = 0;
      List<String> reasons = new ArrayList<>();
      for (Map.Entry<String, Long> e : today.entrySet()) {
        if (e.getKey().startsWith(RunStats.REJECTED + "/")) {
          rejected += e.getValue();
          reasons.add(e.getKey().substring(RunStats.REJECTED.length() + 1) + " " + e.getValue());
        }
      }
      s.append(String.format(
          "  arrival %s: records %d; accepted %d, rejected %d%s, private %d, duplicate %d%n",
          date, today.get(RunStats.RECORDS), today.get(RunStats.ACCEPTED), rejected,
          reasons.isEmpty() ? "" : " (" + String.join(", ", reasons) + ")",
          today.get(RunStats.PRIVATE), today.get(RunStats.DUPLICATES)));
    } else {
      s.append(String.format("  arrival %s: not read%n", date));
    }
    for (String dataset : datasets) {
      Map<String, Long> rows = rows(dataset);
      List<String> dts = new ArrayList<>(rows.keySet());
      s.append(String.format("  %s written: %d rows in %s%n", dataset,
          rows.values().stream().mapToLong(Long::longValue).sum(),
          dts.size() <= 6 ? rows.toString()
              : dts.size() + " partitions " + dts.get(0) + " .. " + dts.get(dts.size() - 1)));
    }
    s.append(String.format(
        "  published: %d partitions written, %d unchanged", published.size(), unchanged.size()));
    if (!withheld.isEmpty()) {
      // One line per day: the datasets of a day share the reason.
      Map<String, List<String>> byReason = new LinkedHashMap<>();
      withheld.forEach((partition, why) -> byReason.computeIfAbsent(why, w -> new ArrayList<>()).add(partition));
      s.append(String.format(", %d withheld", withheld.size()));
      byReason.forEach((why, partitions) ->
          s.append(String.format("%n  withheld %s: %s", String.join(", ", partitions), why)));
    }
    return s.toString();
  }
}
