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
}
