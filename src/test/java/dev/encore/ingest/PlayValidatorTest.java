package dev.encore.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;

import dev.encore.avro.ListeningEvent;
import dev.encore.avro.internal.Play;
import dev.encore.config.PlayRules;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PlayValidatorTest {
  private static final LocalDate ARRIVAL = LocalDate.parse("2024-01-10");
  private final PlayValidator validator = new PlayValidator(PlayRules.DEFAULTS);

  static ListeningEvent.Builder event(String ts, long msPlayed) {
    return ListeningEvent.newBuilder()
        .setEventId("e1")
        .setUserId("u1")
        .setTs(Instant.parse(ts))
        .setMsPlayed(msPlayed)
        .setContentType("TRACK")
        .setItemId("t1");
  }

  private Verdict judge(ListeningEvent.Builder e) {
    return validator.judge(e.build(), ARRIVAL, 3, 4);
  }

  private String reason(ListeningEvent.Builder e) {
    Verdict v = judge(e);
    assertThat(v, instanceOf(Verdict.Rejected.class));
    return ((Verdict.Rejected) v).reason();
  }

  private Play accepted(ListeningEvent.Builder e) {
    Verdict v = judge(e);
    assertThat(v, instanceOf(Verdict.Accepted.class));
    return ((Verdict.Accepted) v).play();
  }

  @Test
  void acceptedPlayCarriesStartEndAndProvenance() {
    Play p = accepted(event("2024-01-10T12:00:00Z", 90_000));
    assertThat(p.getEndMs(), equalTo(Instant.parse("2024-01-10T12:00:00Z").toEpochMilli()));
    assertThat(p.getStartMs(), equalTo(Instant.parse("2024-01-10T11:58:30Z").toEpochMilli()));
    assertThat(p.getQualifying(), equalTo(true));
    assertThat(p.getArrivalDay(), equalTo((int) ARRIVAL.toEpochDay()));
    assertThat(p.getFileIndex(), equalTo(3));
    assertThat(p.getPosition(), equalTo(4L));
  }

  @Test
  void privatePlayIsRecognisedBeforeAnyRule() {
    // Invalid in three ways, but private: only counted, never rejected.
    assertThat(
        judge(event("2030-01-01T00:00:00Z", -5).setUserId("").setIncognitoMode(true)),
        instanceOf(Verdict.Private.class));
  }

  @Test
  void rejectionReasonsInOrder() {
    assertThat(reason(event("2024-01-10T12:00:00Z", 1).setEventId("")), equalTo("missing_field"));
    assertThat(reason(event("2024-01-10T12:00:00Z", 1).setUserId("")), equalTo("missing_field"));
    assertThat(reason(event("2024-01-10T12:00:00Z", 1).setItemId("")), equalTo("missing_field"));
    assertThat(reason(event("2024-01-10T12:00:00Z", 1).setContentType("VIDEO")), equalTo("unknown_content_type"));
    assertThat(reason(event("2024-01-10T12:00:00Z", -1)), equalTo("negative_ms_played"));
    // Both unknown type and negative: the first rule in order wins.
    assertThat(
        reason(event("2024-01-10T12:00:00Z", -1).setContentType("VIDEO")), equalTo("unknown_content_type"));
  }

  @Test
  void futureTimestampAllowsOneHourAfterTheArrivalDay() {
    accepted(event("2024-01-11T01:00:00Z", 1)); // exactly end of day + 1 h: allowed
    assertThat(reason(event("2024-01-11T01:00:00.001Z", 1)), equalTo("future_timestamp"));
  }

  @Test
  void tooLateIsMoreThanThreeDaysBeforeArrival() {
    accepted(event("2024-01-07T00:00:00Z", 1)); // day 01-07 = arrival - 3: allowed
    assertThat(reason(event("2024-01-06T23:59:59.999Z", 1)), equalTo("too_late"));
  }

  @Test
  void qualifyingThresholdsDependOnContentType() {
    assertThat(accepted(event("2024-01-10T12:00:00Z", 45_000)).getQualifying(), equalTo(true));
    assertThat(
        accepted(event("2024-01-10T12:00:00Z", 45_000).setContentType("EPISODE")).getQualifying(),
        equalTo(false));
    assertThat(
        accepted(event("2024-01-10T12:00:00Z", 60_000).setContentType("EPISODE")).getQualifying(),
        equalTo(true));
    assertThat(accepted(event("2024-01-10T12:00:00Z", 29_999)).getQualifying(), equalTo(false));
  }

  @Test
  void skipIsTheClientFlagOrAForwardButtonBeforeQualifying() {
    assertThat(accepted(event("2024-01-10T12:00:00Z", 90_000).setSkipped(true)).getSkip(), equalTo(true));
    assertThat(
        accepted(event("2024-01-10T12:00:00Z", 5_000).setSkipped(false).setReasonEnd("fwdbtn")).getSkip(),
        equalTo(false));
    assertThat(accepted(event("2024-01-10T12:00:00Z", 5_000).setReasonEnd("fwdbtn")).getSkip(), equalTo(true));
    assertThat(accepted(event("2024-01-10T12:00:00Z", 40_000).setReasonEnd("fwdbtn")).getSkip(), equalTo(false));
    assertThat(accepted(event("2024-01-10T12:00:00Z", 5_000).setReasonEnd("trackdone")).getSkip(), equalTo(false));
  }

  @Test
  void absurdlyLongPlaysAreRejected() {
    long sevenDays = 7L * 24 * 3600 * 1000;
    accepted(event("2024-01-10T12:00:00Z", sevenDays)); // exactly 7 days: allowed
    assertThat(reason(event("2024-01-10T12:00:00Z", sevenDays + 1)), equalTo("absurd_ms_played"));
    assertThat(reason(event("2024-01-10T12:00:00Z", 10L * 365 * 24 * 3600 * 1000)), equalTo("absurd_ms_played"));
  }

  @Test
  void timestampsIn1970Or2100AreTooLateOrInTheFuture() {
    assertThat(reason(event("1970-01-01T00:00:00Z", 1)), equalTo("too_late"));
    assertThat(reason(event("2100-01-01T00:00:00Z", 1)), equalTo("future_timestamp"));
  }

  @Test
  void bytesThatAreNotUtf8AreRejectedNamingTheField() {
    // Avro decodes malformed UTF-8 to U+FFFD; the validator refuses it in any string field.
    Verdict v = judge(event("2024-01-10T12:00:00Z", 1).setArtistId("ab\uFFFDc"));
    assertThat(((Verdict.Rejected) v).reason(), equalTo("invalid_utf8"));
    assertThat(((Verdict.Rejected) v).field(), equalTo("artist_id"));
  }
}
