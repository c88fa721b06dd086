package dev.encore.ingest;

import dev.encore.avro.internal.Play;

/** What validation decided for one input record: a play to keep, a private play to count, or a rejection. */
public sealed interface Verdict {

  /** A valid, non-private play. */
  record Accepted(Play play) implements Verdict {}

  /** A private-session play: dropped before anything else and only counted. */
  record Private() implements Verdict {}

  /**
   * An invalid record.
   *
   * @param reason reason code, see {@link Reason}
   * @param field the offending field, or null
   * @param detail the rule and the value, for people
   */
  record Rejected(String reason, String field, String detail) implements Verdict {}

  /** The single shared instance for private plays. */
  Private PRIVATE = new Private();

  /** Reason codes of the rejected dataset. */
  final class Reason {
    public static final String MISSING_FIELD = "missing_field";
    public static final String INVALID_UTF8 = "invalid_utf8";
    public static final String UNKNOWN_CONTENT_TYPE = "unknown_content_type";
    public static final String NEGATIVE_MS_PLAYED = "negative_ms_played";
    public static final String ABSURD_MS_PLAYED = "absurd_ms_played";
    public static final String FUTURE_TIMESTAMP = "future_timestamp";
    public static final String TOO_LATE = "too_late";

    private Reason() {}
  }
}
