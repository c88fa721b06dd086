package dev.encore.nightly;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code encore nightly}: everything the arrival of day {@code --date} makes due. */
public interface NightlyOptions extends JobOptions {
  @Description("The arrival day to process, YYYY-MM-DD (UTC).")
  @Validation.Required
  String getDate();

  void setDate(String value);
}
