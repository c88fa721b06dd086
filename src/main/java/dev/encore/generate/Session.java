package dev.encore.generate;

import java.util.ArrayList;
import java.util.List;

/** Plays listened back to back on one device; the whole session is private or offline, or neither. */
final class Session {
  final List<PlayDraft> plays = new ArrayList<>();
  boolean privateMode;
  boolean offline;
  long startMs;
  /** For an offline session: the day its plays arrive (decided by {@link Delivery#prepare}). */
  long reconnectDay = -1;
  /** A return visit added by {@link Returns}: never private, offline or broken, so that it counts. */
  boolean forceValid;

  /** From the first play's start to the last play's end. */
  long durationMs() {
    long total = 0;
    for (int i = 0; i < plays.size(); i++) {
      PlayDraft p = plays.get(i);
      total += (i == 0 ? 0 : p.gapBeforeMs) + p.msPlayed;
    }
    return total;
  }

  /** Fixes every play's start and end once the session's start is known. */
  void placeAt(long start) {
    startMs = start;
    long t = start;
    for (int i = 0; i < plays.size(); i++) {
      PlayDraft p = plays.get(i);
      if (i > 0) {
        t += p.gapBeforeMs;
      }
      p.startMs = t;
      t += p.msPlayed;
      p.endMs = t;
    }
  }

  long endMs() {
    return plays.get(plays.size() - 1).endMs;
  }

  /**
   * Makes the session fit in maxDurationMs, for the rare day that is fuller than its window: pauses go first,
   * then full plays are cut short (they then end with endplay, as when the listener stopped them).
   */
  void shrinkTo(long maxDurationMs) {
    for (int i = 1; i < plays.size() && durationMs() > maxDurationMs; i++) {
      plays.get(i).gapBeforeMs = Math.min(plays.get(i).gapBeforeMs, 500);
    }
    long over = durationMs() - maxDurationMs;
    if (over <= 0) {
      return;
    }
    long played = 0;
    for (PlayDraft p : plays) {
      played += p.msPlayed;
    }
    double keep = Math.max(0, (double) (played - over) / played);
    for (PlayDraft p : plays) {
      long cut = (long) Math.floor(p.msPlayed * keep);
      if (cut < p.msPlayed) {
        p.msPlayed = cut;
        if ("trackdone".equals(p.reasonEnd)) {
          p.reasonEnd = "endplay";
        }
      }
    }
    // Whatever rounding left over comes off the gaps, down to zero.
    for (int i = 1; i < plays.size() && durationMs() > maxDurationMs; i++) {
      plays.get(i).gapBeforeMs = 0;
    }
  }
}
