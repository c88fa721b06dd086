package dev.encore.nightly;

import dev.encore.config.FaultPoint;
import dev.encore.EncoreException;
import dev.encore.config.JobDefinition;
import dev.encore.rewards.RewardSpec;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The nightly job's options and definition file turned, once, into checked immutable values; transforms receive
 * these, never options.
 *
 * @param date arrival day processed
 * @param logs root of the arrival partitions
 * @param output Encore's output root
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
    Path logs,
    Path output,
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
        : JobDefinition.load(localPath("--definition", o.getDefinition()));
    return new NightlyConfig(
        date,
        localPath("--logs", o.getLogs()).toAbsolutePath().normalize(),
        localPath("--output", o.getOutput()).toAbsolutePath().normalize(),
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
   * A path on this machine's file systems. Encore lists, stages and publishes with local file operations (on a
   * cluster: a shared file system mounted at the same path everywhere), so a URL such as gs://bucket/x is refused
   * rather than taken as a relative folder named "gs:".
   */
  private static Path localPath(String option, String value) {
    if (value.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      throw usage(option + "=" + value + " is a URL; Encore reads and writes file system paths only (gs://, s3://,"
          + " hdfs:// are not supported yet). On a cluster, use a shared file system mounted at the same path on"
          + " every machine; see README, Running on a cluster.");
    }
    return Path.of(value);
  }

  private static EncoreException usage(String message) {
    return new EncoreException(EncoreException.USAGE, message);
  }
}
