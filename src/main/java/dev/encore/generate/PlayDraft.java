package dev.encore.generate;

/** One play while it is being built: content and behaviour first, absolute times once its session is placed. */
final class PlayDraft {
  boolean episode;
  int artist = -1;
  int album = -1;
  long track = -1;
  int show = -1;
  int episodeNumber = -1;
  long durationMs;
  /** A few clients do not send the length of the item. */
  boolean durationKnown = true;
  long msPlayed;
  /** Pause between the end of the previous play of the session and the start of this one. */
  long gapBeforeMs;
  String contextType;
  String reasonStart;
  String reasonEnd;
  String platform;
  boolean shuffle;
  Boolean skipped;
  /** Set by placement: when playback started and ended, epoch milliseconds UTC. */
  long startMs;
  long endMs;
  /** What delivery makes of the play, decided before it is written ({@link Delivery#prepare}). */
  int fate = -1;
  /** The fault to inject when fate is {@link Delivery#FAULT}. */
  int faultReason = -1;

  /** A qualifying play (stream) by the reward definitions: ≥ 30 s of a track, ≥ 60 s of an episode. */
  boolean qualifying() {
    return msPlayed >= (episode ? 60_000 : 30_000);
  }

  /** Day (since the epoch, UTC) of the play's end, the day the rewards count it on. */
  long day() {
    return Math.floorDiv(endMs, Listener.DAY);
  }
}
