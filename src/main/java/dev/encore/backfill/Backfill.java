package dev.encore.backfill;

import dev.encore.EncoreException;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.NightlySummary;
import dev.encore.publish.RunStats;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * {@code encore backfill --from=A --to=B}: the nightly work for every date from A to B in one pipeline, reading
 * each arrival partition once and computing each partition as of the last date of the range that publishes it, so
 * the output root ends exactly as running {@code nightly} date by date leaves it (docs/operations.md, "Backfill").
 * Dates already published for the same inputs and definitions at the start of the range are skipped (and say so)
 * unless {@code --force}: a backfill stopped before it recorded its dates resumes at the first unrecorded one.
 */
public final class Backfill {
  private Backfill() {}

  /**
   * What a backfill did.
   *
   * @param ran dates computed
   * @param skipped dates already published for the same inputs and definitions
   * @param wallTime from start to the last date
   */
  public record Summary(int ran, int skipped, Duration wallTime) {}

  /** Runs the range, printing what it skips, what it computes and what it published to {@code out}. */
  public static Summary run(BackfillOptions options, PrintStream out) {
    Instant started = Instant.now();
    LocalDate from = date("--from", options.getFrom());
    LocalDate to = date("--to", options.getTo());
    if (to.isBefore(from)) {
      throw new EncoreException(EncoreException.USAGE,
          "--to=" + to + " is before --from=" + from + "; give the range in order.");
    }
    NightlyOptions nightly = options.as(NightlyOptions.class);
    int skipped = 0;
    LocalDate start = from;
    // Only a published prefix is skipped: a later date's partitions depend on the dates before it.
    while (!options.getForce() && !start.isAfter(to)) {
      nightly.setDate(start.toString());
      if (!NightlyJob.alreadyPublished(nightly)) {
        break;
      }
      out.printf("backfill %s: skipped, already published for the same inputs and definitions%n", start);
      skipped++;
      start = start.plusDays(1);
    }
    int ran = 0;
    if (!start.isAfter(to)) {
      ran = (int) (to.toEpochDay() - start.toEpochDay()) + 1;
      out.printf("backfill %s .. %s: computing %d dates in one pipeline%n", start, to, ran);
      nightly.setDate(to.toString());
      try {
        NightlySummary s = NightlyJob.backfill(nightly, start);
        out.printf("backfill %s .. %s: done in %.1f s, %d records read, %d partitions written, %d unchanged%n",
            start, to, s.wallTime().toMillis() / 1000.0, s.total(RunStats.RECORDS), s.published().size(),
            s.unchanged().size());
      } catch (EncoreException e) {
        throw new EncoreException(e.exitCode(), "backfill stopped at " + start + " (its one pipeline for "
            + start + " .. " + to + " failed; the dates before " + start + " are published; re-run the same command"
            + " to resume: the dates it recorded are skipped): "
            + e.getMessage(), e);
      }
    }
    Summary summary = new Summary(ran, skipped, Duration.between(started, Instant.now()));
    out.printf("backfill %s .. %s: %d dates run, %d skipped, %.1f s%n",
        from, to, ran, skipped, summary.wallTime().toMillis() / 1000.0);
    return summary;
  }

  private static LocalDate date(String option, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new EncoreException(EncoreException.USAGE,
          option + "=" + value + " is not a date; use YYYY-MM-DD, for example " + option + "=2024-03-30.");
    }
  }
}
