package dev.encore.nightly;

import dev.encore.config.FaultPoint;
import dev.encore.ingest.InputOptions;
import dev.encore.publish.OutputOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options shared by every command that runs the nightly work: nightly and backfill. */
public interface JobOptions extends InputOptions, OutputOptions {
  @Description(
      "Job and reward definitions (YAML): thresholds, session rules, horizons, entity levels, checkpoints. When"
          + " unset, the built-in copy of pipelines/nightly.yaml.")
  String getDefinition();

  void setDefinition(String value);

  @Description(
      "A user with more plays than this on one day is taken as a bot or a stuck client: their plays of that day are"
          + " left out of the run (sessions, activity, rewards), counted and listed in the run metadata.")
  @Default.Long(5000)
  long getMaxPlaysPerUserDay();

  void setMaxPlaysPerUserDay(long value);

  @Description(
      "For failure drills and tests: make the run fail on purpose at reading, writing or publishing (after"
          + " staging, before the first partition is published). Published partitions must stay as they were.")
  @Default.Enum("NONE")
  FaultPoint getFailAt();

  void setFailAt(FaultPoint value);
}
