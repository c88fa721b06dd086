package dev.encore.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How plays are cut into sessions (SPEC.md "Session").
 *
 * @param gapMs a play starting more than this after the latest end seen in the session opens a new one
 * @param maxSessionMs a play ending more than this after the session's start opens a new one
 */
public record SessionRules(long gapMs, long maxSessionMs) implements Serializable {

  /** Defaults of SPEC.md: a 30-minute gap and a 24-hour cap. */
  public static final SessionRules DEFAULTS = of(30, 24);

  public SessionRules {
    if (gapMs < 0 || maxSessionMs <= 0) {
      throw new IllegalArgumentException("session gap must be >= 0 and the session cap > 0");
    }
  }

  /** Rules from minutes of gap and hours of cap, as the options and pipeline files state them. */
  public static SessionRules of(long gapMinutes, long maxSessionHours) {
    return new SessionRules(
        Duration.ofMinutes(gapMinutes).toMillis(), Duration.ofHours(maxSessionHours).toMillis());
  }
}
