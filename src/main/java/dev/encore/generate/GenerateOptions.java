package dev.encore.generate;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code encore generate}: what synthetic listening logs to write, and where. */
public interface GenerateOptions extends PipelineOptions {
  @Description("Directory to write the logs to: <output>/dt=YYYY-MM-DD/part-NNNNN.avro, _SUCCESS per "
      + "partition and _generator.json. Must be new, empty, or an earlier generator output (replaced).")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("First day (UTC), YYYY-MM-DD.")
  @Default.String("2024-01-01")
  String getFrom();

  void setFrom(String value);

  @Description("Number of days of plays, and of arrival partitions, from --from on (1 to 3660).")
  @Default.Integer(90)
  int getDays();

  void setDays(int value);

  @Description("Number of listener accounts (one of them a bot unless --bot=false).")
  @Default.Integer(200)
  int getUsers();

  void setUsers(int value);

  @Description("Total plays over all days and users (duplicate deliveries not included), plus the few return "
      + "visits that a listener's later days cannot pay back (totals.return_plays_beyond_budget in "
      + "_generator.json). Each listener must sleep, so at most about 180 plays per user and day are possible.")
  @Default.Long(60_000)
  long getPlays();

  void setPlays(long value);

  @Description("Random seed: the same options give byte-identical files.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("Days an offline play may arrive after its day and still be accepted (as the pipelines' "
      + "--allowedLatenessDays); a few offline plays are made to arrive later than that (too_late).")
  @Default.Integer(3)
  int getAllowedLatenessDays();

  void setAllowedLatenessDays(int value);

  @Description("Avro files per arrival partition (1 to 64; --days x --filesPerPartition at most 4000); "
      + "they are written in parallel.")
  @Default.Integer(2)
  int getFilesPerPartition();

  void setFilesPerPartition(int value);

  @Description("Include one bot account: very many ~35 s plays in bursts (it still sleeps a few hours a day).")
  @Default.Boolean(true)
  boolean getBot();

  void setBot(boolean value);
}
