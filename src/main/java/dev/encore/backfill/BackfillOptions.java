package dev.encore.backfill;

import dev.encore.nightly.JobOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code encore backfill}: the nightly work for every date of a range, in order. */
public interface BackfillOptions extends JobOptions {
  @Description("First arrival day to process, YYYY-MM-DD (UTC).")
  @Validation.Required
  String getFrom();

  void setFrom(String value);

  @Description("Last arrival day to process, YYYY-MM-DD (UTC), inclusive.")
  @Validation.Required
  String getTo();

  void setTo(String value);

  @Description(
      "Redo dates already published for the same inputs and definitions (they are skipped otherwise, which makes"
          + " an interrupted backfill resumable).")
  @Default.Boolean(false)
  boolean getForce();

  void setForce(boolean value);
}
