package dev.encore.generate;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** The generator's settings, checked once; the generator itself never sees the Beam options. */
record GeneratorConfig(
    Path output,
    LocalDate from,
    int days,
    int users,
    long plays,
    long seed,
    int allowedLatenessDays,
    int filesPerPartition,
    boolean bot) {

  /** Upper bounds that keep one run on one machine sane (all files of a run stay open while it runs). */
  static final int MAX_DAYS = 3_660;
  static final int MAX_USERS = 10_000_000;
  static final int MAX_FILES_PER_PARTITION = 64;
  static final int MAX_LATENESS_DAYS = 365;
  /** Every file of the run is open until the end: each costs a file handle and a few hundred KB. */
  static final int MAX_OPEN_FILES = 4_000;

  /**
   * Checks the options and converts them.
   *
   * @throws IllegalArgumentException with a message naming the option and what is allowed
   */
  static GeneratorConfig from(GenerateOptions options) {
    String output = options.getOutput();
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException("--output is required: the directory to write the logs to");
    }
    LocalDate from;
    try {
      from = LocalDate.parse(options.getFrom());
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IllegalArgumentException(
          "--from=" + options.getFrom() + " is not a date; expected YYYY-MM-DD, for example 2024-01-01");
    }
    int days = options.getDays();
    requireRange("days", days, 1, MAX_DAYS);
    requireRange("users", options.getUsers(), 1, MAX_USERS);
    if (options.getPlays() < 0) {
      throw new IllegalArgumentException("--plays=" + options.getPlays() + " is negative; expected 0 or more");
    }
    requireRange("allowedLatenessDays", options.getAllowedLatenessDays(), 0, MAX_LATENESS_DAYS);
    requireRange("filesPerPartition", options.getFilesPerPartition(), 1, MAX_FILES_PER_PARTITION);
    if ((long) days * options.getFilesPerPartition() > MAX_OPEN_FILES) {
      throw new IllegalArgumentException("--days=" + days + " with --filesPerPartition="
          + options.getFilesPerPartition() + " makes more than " + MAX_OPEN_FILES
          + " files, which are all open at once; lower one of them (generate long ranges in pieces)");
    }
    if (from.getYear() < 1971 || from.plusDays(days).getYear() > 9998) {
      throw new IllegalArgumentException("--from=" + from + " with --days=" + days
          + " leaves the supported years 1971 to 9998");
    }
    return new GeneratorConfig(Path.of(output), from, days, options.getUsers(), options.getPlays(),
        options.getSeed(), options.getAllowedLatenessDays(), options.getFilesPerPartition(), options.getBot());
  }

  private static void requireRange(String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "--" + option + "=" + value + " is out of range; expected an integer from " + min + " to " + max);
    }
  }

  /** Midnight UTC of the first day, epoch milliseconds. */
  long rangeStartMs() {
    return from.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** Days since the epoch of the first day. */
  long firstEpochDay() {
    return from.toEpochDay();
  }
}
