package dev.encore.publish;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where Encore publishes its datasets and how it lays out the files. */
public interface OutputOptions extends PipelineOptions {
  @Description(
      "Output root that Encore owns: datasets are published under <output>/<dataset>/dt=YYYY-MM-DD/. It must"
          + " not overlap the logs, and must be empty or an Encore output root.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Parquet files per published partition; rows are spread over them by a hash of the user.")
  @Default.Integer(1)
  int getShardsPerPartition();

  void setShardsPerPartition(int value);

  @Description(
      "On HDFS, S3 and GCS: how long a run's lock on the output root lasts (its lease). A lock left by a killed run"
          + " is taken over once its lease has ended. (A local root's lock is the operating system's and ends with"
          + " the process.)")
  @Default.Integer(360)
  int getLockLeaseMinutes();

  void setLockLeaseMinutes(int value);

  @Description(
      "Break the output root's lock even though its lease has not ended: only when the run holding it is known to"
          + " be dead. The run that held it publishes nothing more (it checks the lock before every commit).")
  @Default.Boolean(false)
  boolean getBreakLock();

  void setBreakLock(boolean value);
}
