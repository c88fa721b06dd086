package dev.encore.nightly;

import dev.encore.config.FaultPoint;
import dev.encore.EncoreException;
import dev.encore.config.JobDefinition;
import dev.encore.rewards.RewardSpec;
import dev.encore.store.StoreFiles;
import dev.encore.store.Stores;
import java.nio.file.Path;
import java.util.List;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The nightly job's options and definition file turned, once, into checked immutable values; transforms receive
 * these, never options.
 *
 * @param date arrival day processed
 * @param logs root of the arrival partitions: an absolute local path, or a URL on HDFS, S3 or GCS
 * @param output Encore's output root: an absolute local path, or a URL on HDFS, S3 or GCS
 * @param definition the job and reward definitions
 * @param allowMissingDays run without missing or unsealed partitions
 * @param shardsPerPartition Parquet files per published partition
 * @param failAt where to fail on purpose (failure drills and tests), usually NONE
 * @param skipCorruptFiles leave unreadable input files out instead of failing
 * @param maxRejectedShare the largest share of the run date's partition that may be rejected
 * @param maxPlaysPerUserDay above this many plays on a day a user is left out as a bot or stuck client
 */
public record NightlyConfig(
    LocalDate date,
    String logs,
    String output,
    JobDefinition definition,
    boolean allowMissingDays,
    int shardsPerPartition,
    FaultPoint failAt,
    boolean skipCorruptFiles,
    double maxRejectedShare,
    long maxPlaysPerUserDay) {

  /** Checks and converts the options; a bad value is a usage error naming the option. */
  public static NightlyConfig from(NightlyOptions o) {
    LocalDate date;
    try {
      date = LocalDate.parse(o.getDate());
    } catch (DateTimeParseException e) {
      throw usage("--date=" + o.getDate() + " is not a date; use YYYY-MM-DD, for example --date=2024-03-30.");
    }
    if (o.getShardsPerPartition() < 1) {
      throw usage("--shardsPerPartition=" + o.getShardsPerPartition() + " is not allowed; it must be at least 1.");
    }
    if (!(o.getMaxRejectedShare() >= 0 && o.getMaxRejectedShare() <= 1)) {
      throw usage("--maxRejectedShare=" + o.getMaxRejectedShare() + " is not allowed; it must be from 0 to 1.");
    }
    if (o.getMaxPlaysPerUserDay() < 1) {
      throw usage("--maxPlaysPerUserDay=" + o.getMaxPlaysPerUserDay() + " is not allowed; it must be at least 1.");
    }
    JobDefinition definition = o.getDefinition() == null
        ? JobDefinition.builtIn()
        : JobDefinition.load(definitionFile(o.getDefinition()));
    return new NightlyConfig(
        date,
        location("--logs", o.getLogs()),
        location("--output", o.getOutput()),
        definition,
        o.getAllowMissingDays(),
        o.getShardsPerPartition(),
        o.getFailAt(),
        o.getSkipCorruptFiles(),
        o.getMaxRejectedShare(),
        o.getMaxPlaysPerUserDay());
  }

  /** What the reward stages need of the definition. */
  public RewardSpec rewardSpec() {
    return RewardSpec.of(definition);
  }

  /**
   * Everything a day's activity rows depend on; activity published under another definition is rebuilt, not
   * reused.
   */
  public String activityDefinition() {
    return "track_stream_ms=" + definition.playRules().trackStreamMs()
        + ";episode_stream_ms=" + definition.playRules().episodeStreamMs()
        + ";allowed_lateness_days=" + definition.playRules().allowedLatenessDays()
        + ";entity_levels=" + rewardSpec().levels()
        + ";max_plays_per_user_day=" + maxPlaysPerUserDay;
  }

  /**
   * A location Encore reads or writes through Beam's file systems: a local path (made absolute), or an hdfs://,
   * s3:// or gs:// URL. Any other scheme is refused rather than taken as a relative folder named "x:".
   */
  static String location(String option, String value) {
    if (!Stores.isLocal(value) || value.startsWith("file://")) {
      String scheme = Stores.scheme(value);
      if (scheme.equals("file")) {
        return StoreFiles.join(Path.of(java.net.URI.create(value)).toAbsolutePath().normalize().toString());
      }
      if (!List.of("hdfs", "s3", "gs").contains(scheme)) {
        throw usage(option + "=" + value + " uses the scheme " + scheme + "://, which Encore does not read or"
            + " write. Use a local path, hdfs://, s3:// or gs:// (README, Where the data lives).");
      }
      return StoreFiles.join(value);
    }
    if (value.matches("^[A-Za-z][A-Za-z0-9+.-]*:/.*")) {
      throw usage(option + "=" + value + " looks like a URL without its //; write it as scheme://host/path.");
    }
    return Path.of(value).toAbsolutePath().normalize().toString();
  }

  /** The definition file: read by the launcher only, so a local path. */
  private static Path definitionFile(String value) {
    if (!Stores.isLocal(value)) {
      throw usage("--definition=" + value + " is a URL; the definition is read by the launcher, so give a local"
          + " path (copy the file next to the job).");
    }
    return Path.of(value);
  }

  private static EncoreException usage(String message) {
    return new EncoreException(EncoreException.USAGE, message);
  }
}
