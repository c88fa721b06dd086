package dev.encore.nightly;

import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.InputCalendar;
import dev.encore.publish.OutputRoot;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One nightly run, fixed before its pipeline is built: what it reads, what it writes and where. Built by
 * {@link NightlyPlanner}; the pipeline ({@link NightlyPipeline}) and the publishing step read it, never options.
 *
 * @param config the checked options and definition
 * @param plan the days read and written
 * @param input the arrival partitions found (and days skipped)
 * @param calendar the input calendar: recorded by earlier runs, plus what this run found first
 * @param rejectedDays arrival days whose rejected records this run publishes: its own date, and every day it is
 *     the first to read
 * @param activityRebuiltWhy why activity days before T-L (older than the days every run rebuilds) are rebuilt
 *     rather than reused: reason → days
 * @param reusedActivityFiles the Parquet files of the published activity partitions the plan reuses
 * @param outputs the datasets written and published
 * @param root the output root, claimed and locked for this run
 * @param runId unique id, also in every partition's run metadata
 * @param started when the run started
 * @param runner the Beam runner's name
 */
public record NightlyRun(
    NightlyConfig config,
    NightlyPlan plan,
    ArrivalPartitions.Found input,
    InputCalendar calendar,
    List<LocalDate> rejectedDays,
    Map<String, List<LocalDate>> activityRebuiltWhy,
    List<String> reusedActivityFiles,
    Outputs outputs,
    OutputRoot root,
    String runId,
    Instant started,
    String runner) {

  /**
   * A run id that sorts by date and start time and is unique: nightly-DATE-yyyyMMddTHHmmss-xxxxxxxx, or
   * backfill-FROM-TO-... for a one-pass backfill.
   */
  static String newRunId(LocalDate from, LocalDate date, Instant started) {
    return (from.equals(date) ? "nightly-" + date : "backfill-" + from + "-" + date) + "-"
        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(started) + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Whether the run computes the results of several dates: a one-pass backfill. */
  public boolean isBackfill() {
    return !plan.firstDate().equals(plan.date());
  }

  /** This run's staging folder: the pipeline writes there, the publisher moves partitions from there. */
  public String staging() {
    return root.staging(runId);
  }
}
