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
}
