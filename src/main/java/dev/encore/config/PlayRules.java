package dev.encore.config;

import java.io.Serializable;

/**
 * What makes a play count (SPEC.md "Semantics"): stream thresholds per content type and the lateness window.
 *
 * @param trackStreamMs a TRACK play qualifies (is a stream) from this many milliseconds played
 * @param episodeStreamMs an EPISODE play qualifies from this many milliseconds played
 * @param allowedLatenessDays events whose day is more than this many days before their arrival day are too late
 */
public record PlayRules(long trackStreamMs, long episodeStreamMs, int allowedLatenessDays)
    implements Serializable {

  /** Defaults of SPEC.md: the public 30-second music and 60-second podcast stream thresholds, 3 days late. */
  public static final PlayRules DEFAULTS = new PlayRules(30_000, 60_000, 3);

  public PlayRules {
    if (trackStreamMs < 0 || episodeStreamMs < 0) {
      throw new IllegalArgumentException("stream thresholds must be >= 0 ms");
    }
    if (allowedLatenessDays < 0) {
      throw new IllegalArgumentException("allowedLatenessDays must be >= 0, got " + allowedLatenessDays);
    }
  }

  /** Whether a play of this content type and length is a qualifying play (a stream). */
  public boolean qualifies(boolean episode, long msPlayed) {
    return msPlayed >= (episode ? episodeStreamMs : trackStreamMs);
  }
}
