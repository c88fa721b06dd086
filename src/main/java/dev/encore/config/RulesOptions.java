package dev.encore.config;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The semantic knobs of SPEC.md: stream thresholds, lateness and session cutting. */
public interface RulesOptions extends PipelineOptions {
  @Description("A TRACK play qualifies as a stream from this many milliseconds played.")
  @Default.Long(30_000)
  long getTrackStreamMs();

  void setTrackStreamMs(long value);

  @Description("An EPISODE play qualifies as a stream from this many milliseconds played.")
  @Default.Long(60_000)
  long getEpisodeStreamMs();

  void setEpisodeStreamMs(long value);

  @Description(
      "Events whose day is more than this many days before their arrival partition are rejected as too_late;"
          + " later plays up to this limit update the days they belong to.")
  @Default.Integer(3)
  int getAllowedLatenessDays();

  void setAllowedLatenessDays(int value);

  @Description("A play starting more than this many minutes after the latest end in its session opens a new one.")
  @Default.Integer(30)
  int getSessionGapMinutes();

  void setSessionGapMinutes(int value);

  @Description("A play ending more than this many hours after its session's start opens a new one.")
  @Default.Integer(24)
  int getMaxSessionHours();

  void setMaxSessionHours(int value);
}
