package dev.encore.ingest;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where the listening logs are and how strictly their partitions are required. */
public interface InputOptions extends PipelineOptions {
  @Description("Root of the listening logs: the folder that holds the dt=YYYY-MM-DD arrival partitions.")
  @Validation.Required
  String getLogs();

  void setLogs(String value);

  @Description(
      "Run even when arrival partitions the run needs are missing or not sealed by _SUCCESS; the days skipped"
          + " are recorded in the run metadata.")
  @Default.Boolean(false)
  boolean getAllowMissingDays();

  void setAllowMissingDays(boolean value);

  @Description(
      "Leave input files that cannot be read (corrupt, truncated, not matching the contract) out of the run"
          + " instead of failing it; they are counted and listed in the run metadata.")
  @Default.Boolean(false)
  boolean getSkipCorruptFiles();

  void setSkipCorruptFiles(boolean value);

  @Description(
      "Fail the run when more than this share of the run date's arrival partition is rejected (0..1); the"
          + " rejected dataset is published first, so the records can be inspected.")
  @Default.Double(0.25)
  double getMaxRejectedShare();

  void setMaxRejectedShare(double value);
}
