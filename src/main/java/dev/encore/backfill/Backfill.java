package dev.encore.backfill;

import dev.encore.EncoreException;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.NightlySummary;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * {@code encore backfill --from=A --to=B}: runs the nightly work for every date from A to B in order, in one
 * process, so the results are those of running {@code nightly} date by date. A date already published for the
 * same inputs and definitions is skipped (and says so) unless {@code --force}: an interrupted backfill resumes
 * where it stopped.
 */
public final class Backfill {
  private Backfill() {}

  /**
   * What a backfill did.
   *
   * @param ran dates processed
   * @param skipped dates already published for the same inputs and definitions
   * @param wallTime from start to the last date
   */
  public record Summary(int ran, int skipped, Duration wallTime) {}

  /** Runs the range, printing one line per date to {@code out}; stops at the first failing date. */
  public static Summary run(BackfillOptions options, PrintStream out) {
    Instant started = Instant.now();
    LocalDate from = date("--from", options.getFrom());
    LocalDate to = date("--to", options.getTo());
    if (to.isBefore(from)) {
      throw new EncoreException(EncoreException.USAGE,
          "--to=" + to + " is before --from=" + from + "; give the range in order.");
    }
    NightlyOptions nightly = options.as(NightlyOptions.class);
    int ran = 0;
    int skipped = 0;
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      nightly.setDate(d.toString());
      if (!options.getForce() && NightlyJob.alreadyPublished(nightly)) {
        out.printf("backfill %s: skipped, already published for the same inputs and definitions%n", d);
        skipped++;
        continue;
      }
      try {
        NightlySummary s = NightlyJob.run(nightly);
        out.printf("backfill %s: done in %.1f s, %d partitions written, %d unchanged%n",
            d, s.wallTime().toMillis() / 1000.0, s.published().size(), s.unchanged().size());
        ran++;
      } catch (EncoreException e) {
        throw new EncoreException(e.exitCode(), "backfill stopped at " + d + " (dates before it are published;"
            + " re-run the same command to resume): " + e.getMessage(), e);
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
