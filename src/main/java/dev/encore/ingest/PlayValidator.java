package dev.encore.ingest;

import dev.encore.avro.ListeningEvent;
import dev.encore.avro.internal.Play;
import dev.encore.config.PlayRules;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The input rules of SPEC.md as a pure function. Private plays are recognised first (they are only counted), then
 * the first failing rule wins, in this order: missing_field, invalid_utf8, unknown_content_type,
 * negative_ms_played, absurd_ms_played, future_timestamp, too_late.
 */
public final class PlayValidator implements Serializable {
  private static final long FUTURE_TOLERANCE_MS = Duration.ofHours(1).toMillis();
  private static final long DAY_MS = Duration.ofDays(1).toMillis();
  /** Longer plays than this are absurd (a stuck client, a corrupt counter): 7 days. */
  public static final long MAX_MS_PLAYED = Duration.ofDays(7).toMillis();
  /** What Avro's decoder puts in place of bytes that are not UTF-8. */
  private static final char REPLACEMENT = '\uFFFD';

  private final PlayRules rules;

  public PlayValidator(PlayRules rules) {
    this.rules = rules;
  }

  /**
   * Judges one record read from the arrival partition {@code arrivalDay}, at {@code position} of the run's input
   * file number {@code fileIndex}.
   */
  public Verdict judge(ListeningEvent e, LocalDate arrivalDay, int fileIndex, long position) {
    if (e.getIncognitoMode()) {
      return Verdict.PRIVATE;
    }
    for (String field : new String[] {"event_id", "user_id", "item_id"}) {
      Object value = e.get(field);
      if (value == null || value.toString().isEmpty()) {
        return new Verdict.Rejected(
            Verdict.Reason.MISSING_FIELD, field, field + " is empty; every play needs one");
      }
    }
    for (org.apache.avro.Schema.Field f : e.getSchema().getFields()) {
      if (e.get(f.pos()) instanceof CharSequence text && text.toString().indexOf(REPLACEMENT) >= 0) {
        return new Verdict.Rejected(
            Verdict.Reason.INVALID_UTF8, f.name(), f.name() + " holds bytes that are not UTF-8");
      }
    }
    String contentType = e.getContentType();
    boolean episode = "EPISODE".equals(contentType);
    if (!episode && !"TRACK".equals(contentType)) {
      return new Verdict.Rejected(
          Verdict.Reason.UNKNOWN_CONTENT_TYPE,
          "content_type",
          "content_type '" + contentType + "' is not TRACK or EPISODE");
    }
    long msPlayed = e.getMsPlayed();
    if (msPlayed < 0) {
      return new Verdict.Rejected(
          Verdict.Reason.NEGATIVE_MS_PLAYED, "ms_played", "ms_played " + msPlayed + " is negative");
    }
    if (msPlayed > MAX_MS_PLAYED) {
      return new Verdict.Rejected(
          Verdict.Reason.ABSURD_MS_PLAYED, "ms_played",
          "ms_played " + msPlayed + " is more than 7 days (" + MAX_MS_PLAYED + " ms)");
    }
    long ts = e.getTs().toEpochMilli();
    long arrivalStart = arrivalDay.toEpochDay() * DAY_MS;
    if (ts > arrivalStart + DAY_MS + FUTURE_TOLERANCE_MS) {
      return new Verdict.Rejected(
          Verdict.Reason.FUTURE_TIMESTAMP,
          "ts",
          "ts " + Instant.ofEpochMilli(ts) + " is more than 1 hour after the end of arrival day " + arrivalDay);
    }
    long tsDay = Math.floorDiv(ts, DAY_MS);
    if (tsDay < arrivalDay.toEpochDay() - rules.allowedLatenessDays()) {
      return new Verdict.Rejected(
          Verdict.Reason.TOO_LATE,
          "ts",
          "ts day " + LocalDate.ofEpochDay(tsDay) + " is more than " + rules.allowedLatenessDays()
              + " days before arrival day " + arrivalDay);
    }
    boolean qualifying = rules.qualifies(episode, msPlayed);
    Boolean skipped = e.getSkipped();
    boolean skip =
        skipped != null ? skipped : ("fwdbtn".equals(e.getReasonEnd()) && !qualifying);
    Play play =
        Play.newBuilder()
            .setUserId(e.getUserId())
            .setEventId(e.getEventId())
            .setStartMs(ts - msPlayed)
            .setEndMs(ts)
            .setMsPlayed(msPlayed)
            .setEpisode(episode)
            .setItemId(e.getItemId())
            .setArtistId(e.getArtistId())
            .setAlbumId(e.getAlbumId())
            .setShowId(e.getShowId())
            .setContextType(e.getContextType())
            .setReasonStart(e.getReasonStart())
            .setPlatform(e.getPlatform())
            .setQualifying(qualifying)
            .setSkip(skip)
            .setArrivalDay((int) arrivalDay.toEpochDay())
            .setFileIndex(fileIndex)
            .setPosition(position)
            .build();
    return new Verdict.Accepted(play);
  }
}
