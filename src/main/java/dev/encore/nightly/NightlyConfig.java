package dev.encore.nightly;

import dev.encore.EncoreException;
import dev.encore.config.PlayRules;
import dev.encore.config.SessionRules;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The nightly job's options turned, once, into checked immutable values; transforms receive these, never options.
 *
 * @param date arrival day processed
 * @param logs root of the arrival partitions
 * @param output Encore's output root
 * @param playRules stream thresholds and lateness
 * @param sessionRules session gap and cap
 * @param allowMissingDays run without missing or unsealed partitions
 * @param shardsPerPartition Parquet files per published partition
 */
public record NightlyConfig(
    LocalDate date,
    Path logs,
    Path output,
    PlayRules playRules,
    SessionRules sessionRules,
    boolean allowMissingDays,
    int shardsPerPartition) {

  /** Checks and converts the options; a bad value is a usage error naming the option. */
  public static NightlyConfig from(NightlyOptions o) {
    LocalDate date;
    try {
      date = LocalDate.parse(o.getDate());
    } catch (DateTimeParseException e) {
      throw usage("--date=" + o.getDate() + " is not a date; use YYYY-MM-DD, for example --date=2024-03-30.");
    }
    requireAtLeast("allowedLatenessDays", o.getAllowedLatenessDays(), 0);
    requireAtLeast("sessionGapMinutes", o.getSessionGapMinutes(), 0);
    requireAtLeast("maxSessionHours", o.getMaxSessionHours(), 1);
    requireAtLeast("trackStreamMs", o.getTrackStreamMs(), 0);
    requireAtLeast("episodeStreamMs", o.getEpisodeStreamMs(), 0);
    requireAtLeast("shardsPerPartition", o.getShardsPerPartition(), 1);
    return new NightlyConfig(
        date,
        Path.of(o.getLogs()).toAbsolutePath().normalize(),
        Path.of(o.getOutput()).toAbsolutePath().normalize(),
        new PlayRules(o.getTrackStreamMs(), o.getEpisodeStreamMs(), o.getAllowedLatenessDays()),
        SessionRules.of(o.getSessionGapMinutes(), o.getMaxSessionHours()),
        o.getAllowMissingDays(),
        o.getShardsPerPartition());
  }

  /** The days this run reads and publishes. */
  public NightlyWindow window() {
    return new NightlyWindow(date, playRules.allowedLatenessDays());
  }

  private static void requireAtLeast(String option, long value, long min) {
    if (value < min) {
      throw usage("--" + option + "=" + value + " is not allowed; it must be at least " + min + ".");
    }
  }

  private static EncoreException usage(String message) {
    return new EncoreException(EncoreException.USAGE, message);
  }
}
