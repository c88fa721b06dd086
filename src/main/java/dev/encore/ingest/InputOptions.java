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
}
