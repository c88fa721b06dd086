package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.testing.SpecOracle.DayAggregate;
import dev.encore.testing.SpecOracle.OracleRejection;
import dev.encore.testing.SpecOracle.OracleSession;
import dev.encore.testing.SpecOracle.PartitionCounts;
import dev.encore.testing.SpecOracle.Result;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-worked cases for the oracle. Unless a test says otherwise the run date is T = 2024-03-10 with
 * allowedLatenessDays 3, so the run reads arrival partitions 2024-03-04..2024-03-10 and publishes the session
 * days 2024-03-06..2024-03-09. Every expected value is derived by hand in the comments.
 */
class SpecOracleTest {
  private static final Schema SCHEMA = ListeningLogs.schema();
  private static final LocalDate T = LocalDate.of(2024, 3, 10);
  private static final long MIN = 60_000L;
  private static final long HOUR = 60 * MIN;

  @TempDir Path logs;

  // ---------------------------------------------------------------- helpers

  private static long t(String isoInstant) {
    return Instant.parse(isoInstant).toEpochMilli();
  }

  /** A valid TRACK play of item "item-<eventId>" that ended at endUtc. */
  private static GenericRecordBuilder play(String eventId, String user, String endUtc, long msPlayed) {
    return play(eventId, user, t(endUtc), msPlayed);
  }

  private static GenericRecordBuilder play(String eventId, String user, long endMs, long msPlayed) {
    return new GenericRecordBuilder(SCHEMA)
        .set("event_id", eventId)
        .set("user_id", user)
        .set("ts", endMs)
        .set("ms_played", msPlayed)
        .set("content_type", "TRACK")
        .set("item_id", "item-" + eventId);
  }

  private void write(String dt, String fileName, GenericRecordBuilder... plays) {
    List<GenericRecord> records = new ArrayList<>();
    for (GenericRecordBuilder p : plays) {
      records.add(p.build());
    }
    write(dt, fileName, SCHEMA, records);
  }

  private void write(String dt, String fileName, Schema writerSchema, List<GenericRecord> records) {
    Path dir = ListeningLogs.partitionDir(logs, LocalDate.parse(dt));
    ListeningLogs.write(dir.resolve(fileName), writerSchema, records);
    ListeningLogs.markSuccess(dir);
  }

  private Result run() {
    Result result = SpecOracle.nightly(logs, T);
    assertBalanced(result);
    return result;
  }

  /** Every record read ends up in exactly one bucket. */
  private static void assertBalanced(Result result) {
    for (PartitionCounts c : result.partitions().values()) {
      assertThat(
          "balance of " + c.dt(),
          c.privatePlays() + c.rejectedTotal() + c.duplicates() + c.accepted(),
          equalTo(c.records()));
    }
  }

  /** The published columns of a session, times as ISO instants, for readable comparisons. */
  private static List<Object> row(OracleSession s) {
    return List.of(
        s.userId(),
        Instant.ofEpochMilli(s.sessionStart()).toString(),
        Instant.ofEpochMilli(s.sessionEnd()).toString(),
        s.plays(),
        s.streams(),
        s.skips(),
        s.msPlayed(),
        s.distinctItems(),
        s.tracks(),
        s.episodes());
  }

  private static List<List<Object>> rows(List<OracleSession> sessions) {
    return sessions.stream().map(SpecOracleTest::row).toList();
  }

  /** Expected row: user, start, end, plays, streams, skips, ms_played, distinct_items, tracks, episodes. */
  private static List<Object> session(
      String user, String start, String end, int plays, int streams, int skips, long ms, int items,
      int tracks, int episodes) {
    return List.of(user, start, end, plays, streams, skips, ms, items, tracks, episodes);
  }

  private static PartitionCounts counts(
      String dt, long records, long priv, Map<String, Long> rejected, long duplicates, long accepted) {
    Map<String, Long> all = new java.util.TreeMap<>();
    for (String reason : SpecOracle.REASONS) {
      all.put(reason, rejected.getOrDefault(reason, 0L));
    }
    return new PartitionCounts(LocalDate.parse(dt), records, priv, all, duplicates, accepted);
  }

  // ---------------------------------------------------------------- sessions

  @Test
  void gapOfExactlyThirtyMinutesStaysInTheSessionOneMillisecondMoreSplits() {
    write(
        "2024-03-08",
        "part-0.avro",
        // a: [10:00, 10:05]
        play("a", "u", "2024-03-08T10:05:00Z", 5 * MIN),
        // b: [10:35, 10:40]; start - latest end = 30 min exactly, not more: same session
        play("b", "u", "2024-03-08T10:40:00Z", 5 * MIN),
        // c: [11:10:00.001, 11:15:00.001]; 30 min + 1 ms after 10:40: new session
        play("c", "u", "2024-03-08T11:15:00.001Z", 5 * MIN));

    Result r = run();

    assertThat(
        rows(r.sessions()),
        contains(
            // 2 streams (5 min >= 30 s), ms 2 * 300 000
            session("u", "2024-03-08T10:00:00Z", "2024-03-08T10:40:00Z", 2, 2, 0, 600_000, 2, 2, 0),
            session("u", "2024-03-08T11:10:00.001Z", "2024-03-08T11:15:00.001Z", 1, 1, 0, 300_000, 1, 1, 0)));
  }

  @Test
  void overlappingPlaysMeasureTheGapFromTheLatestEndSoFar() {
    write(
        "2024-03-08",
        "part-0.avro",
        // a: [10:00, 11:00]
        play("a", "u", "2024-03-08T11:00:00Z", 60 * MIN),
        // b: [10:10, 10:20], inside a; the latest end stays 11:00
        play("b", "u", "2024-03-08T10:20:00Z", 10 * MIN),
        // c: [11:25, 11:30]: 25 min after the latest end 11:00 -> same session
        // (65 min after b's end: a "previous play's end" rule would wrongly split here)
        play("c", "u", "2024-03-08T11:30:00Z", 5 * MIN),
        // d: [12:30, 12:31]: 60 min after 11:30 -> new session
        play("d", "u", "2024-03-08T12:31:00Z", 1 * MIN),
        // v has only a and b's shapes: session_end is the latest end (11:00), not the last play's end (10:20)
        play("va", "v", "2024-03-08T11:00:00Z", 60 * MIN),
        play("vb", "v", "2024-03-08T10:20:00Z", 10 * MIN));

    Result r = run();

    assertThat(
        rows(r.sessions()),
        contains(
            // ms 60 + 10 + 5 min = 4 500 000
            session("u", "2024-03-08T10:00:00Z", "2024-03-08T11:30:00Z", 3, 3, 0, 4_500_000, 3, 3, 0),
            session("u", "2024-03-08T12:30:00Z", "2024-03-08T12:31:00Z", 1, 1, 0, 60_000, 1, 1, 0),
            // ms 60 + 10 min = 4 200 000
            session("v", "2024-03-08T10:00:00Z", "2024-03-08T11:00:00Z", 2, 2, 0, 4_200_000, 2, 2, 0)));
  }

  @Test
  void inputOrderDoesNotMatterAndTiesBreakOnEndThenEventId() {
    // Written out of order, across files and partitions.
    write(
        "2024-03-08",
        "b.avro",
        play("a", "u", "2024-03-08T10:25:00Z", 5 * MIN), // [10:20, 10:25]
        play("e2", "u", "2024-03-08T10:02:00Z", 2 * MIN), // [10:00, 10:02]
        play("late", "u", "2024-03-08T09:05:00Z", 5 * MIN)); // [09:00, 09:05]
    write("2024-03-08", "a.avro", play("e1", "u", "2024-03-08T10:02:00Z", 2 * MIN)); // [10:00, 10:02]
    // z ended on 03-08 but arrived on 03-09: [10:00, 10:01]
    write("2024-03-09", "part-0.avro", play("z", "u", "2024-03-08T10:01:00Z", 1 * MIN));

    Result r = run();

    // Sorted by (start, end, event_id): late | z (ends first), e1, e2 (same start and end), a.
    // late -> z: 10:00 is 55 min after 09:05 -> new session; then gaps of 0 and 18 min.
    assertThat(
        rows(r.sessions()),
        contains(
            session("u", "2024-03-08T09:00:00Z", "2024-03-08T09:05:00Z", 1, 1, 0, 300_000, 1, 1, 0),
            // ms 1 + 2 + 2 + 5 min = 600 000
            session("u", "2024-03-08T10:00:00Z", "2024-03-08T10:25:00Z", 4, 4, 0, 600_000, 4, 4, 0)));
    assertThat(r.sessions().get(1).eventIds(), contains("z", "e1", "e2", "a"));
    assertThat(r.sessions().get(1).firstEventId(), equalTo("z"));
  }

  @Test
  void zeroLengthPlaysAreOrdinaryPlays() {
    write(
        "2024-03-08",
        "part-0.avro",
        // Alone: [12:00, 12:00], ms 0; fwdbtn with skipped null before qualifying -> a skip.
        play("z0", "u", "2024-03-08T12:00:00Z", 0).set("reason_end", "fwdbtn"),
        // v: a [10:00, 10:10]; z [10:40, 10:40] starts 30 min after 10:10 -> same session and moves the
        // latest end to 10:40; b [11:10, 11:15] starts 30 min after 10:40 -> same session.
        play("va", "v", "2024-03-08T10:10:00Z", 10 * MIN),
        play("vz", "v", "2024-03-08T10:40:00Z", 0),
        play("vb", "v", "2024-03-08T11:15:00Z", 5 * MIN));

    Result r = run();

    assertThat(
        rows(r.sessions()),
        contains(
            session("u", "2024-03-08T12:00:00Z", "2024-03-08T12:00:00Z", 1, 0, 1, 0, 1, 1, 0),
            // 2 streams (the zero-length play is not one), ms 10 + 0 + 5 min = 900 000
            session("v", "2024-03-08T10:00:00Z", "2024-03-08T11:15:00Z", 3, 2, 0, 900_000, 3, 3, 0)));
  }

  @Test
  void aThirtyHourPlayIsOneSessionAndTheNextPlayStartsAnother() {
    write(
        "2024-03-08",
        "part-0.avro",
        // [03-07 00:00, 03-08 06:00]: opens a session; nothing caps a session's first play.
        play("long", "u", "2024-03-08T06:00:00Z", 30 * HOUR),
        // [06:00, 06:05]: gap 0, but ends 30 h 5 min after the session start (> 24 h) -> new session
        play("next", "u", "2024-03-08T06:05:00Z", 5 * MIN),
        // [06:10, 06:15]: 5 min gap, 15 min after its session start -> same session as "next"
        play("after", "u", "2024-03-08T06:15:00Z", 5 * MIN));

    Result r = run();

    assertThat(
        rows(r.sessions()),
        contains(
            // belongs to 03-07, the day of its start, although the play's ts is on 03-08
            session("u", "2024-03-07T00:00:00Z", "2024-03-08T06:00:00Z", 1, 1, 0, 108_000_000, 1, 1, 0),
            session("u", "2024-03-08T06:00:00Z", "2024-03-08T06:15:00Z", 2, 2, 0, 600_000, 2, 2, 0)));
    assertThat(r.sessions().get(0).day(), equalTo(LocalDate.of(2024, 3, 7)));
  }

  @Test
  void backToBackPlaysAreCutAfterTwentyFourHours() {
    // 26 one-hour plays c00..c25, play k = [03-06 12:00 + k h, 03-06 13:00 + k h], each in the arrival
    // partition of its ts day (c00..c10 end on 03-06, c11..c25 on 03-07).
    long first = t("2024-03-06T12:00:00Z");
    for (int k = 0; k < 26; k++) {
      long end = first + (k + 1) * HOUR;
      String dt = SpecOracle.dayOf(end).toString();
      write(dt, String.format("c%02d.avro", k), play(String.format("c%02d", k), "u", end, HOUR));
    }

    Result r = run();

    // c23 ends at start + 24 h exactly (not more) -> still in the first session; c24 ends at start + 25 h -> new
    // session starting 03-07 12:00, and c25 ends 2 h after that start.
    assertThat(
        rows(r.sessions()),
        contains(
            session("u", "2024-03-06T12:00:00Z", "2024-03-07T12:00:00Z", 24, 24, 0, 24 * HOUR, 24, 24, 0),
            session("u", "2024-03-07T12:00:00Z", "2024-03-07T14:00:00Z", 2, 2, 0, 2 * HOUR, 2, 2, 0)));
    assertThat(r.sessions().get(1).firstEventId(), equalTo("c24"));
    assertThat(
        r.aggregate(LocalDate.of(2024, 3, 6)),
        equalTo(new DayAggregate(LocalDate.of(2024, 3, 6), 1, 24, 24, 0, 24 * HOUR, 24, 24, 0, 1)));
  }

  @Test
  void sessionsBelongToTheirStartDayAndOnlyTheRunsSessionDaysArePublished() {
    // u: [03-08 23:50, 23:59] and [03-09 00:10, 00:20] (11 min gap) -> one session of 03-08
    write("2024-03-08", "part-0.avro", play("ua", "u", "2024-03-08T23:59:00Z", 9 * MIN));
    write(
        "2024-03-09",
        "part-0.avro",
        play("ub", "u", "2024-03-09T00:20:00Z", 10 * MIN),
        // x: ts on 03-09 but start [03-08 23:50] -> a session of 03-08
        play("x1", "x", "2024-03-09T00:10:00Z", 20 * MIN));
    // v: [03-05 23:40, 23:55] and [03-06 00:05, 00:15] -> one session of 03-05, before the published days.
    // Cutting only the published days' plays would wrongly publish a session on 03-06.
    write("2024-03-05", "part-0.avro", play("va", "v", "2024-03-05T23:55:00Z", 15 * MIN));
    write("2024-03-06", "part-0.avro", play("vb", "v", "2024-03-06T00:15:00Z", 10 * MIN));
    write(
        "2024-03-10",
        "part-0.avro",
        // w: a session of the run date itself is not final yet: not published
        play("w1", "w", "2024-03-10T08:05:00Z", 5 * MIN),
        // y: ts 00:59 the next day is within the hour after the arrival day: accepted, not published
        play("y1", "y", "2024-03-11T00:59:00Z", 1 * MIN));
    // Outside the arrival window [03-04, 03-10]: never read.
    write("2024-03-03", "part-0.avro", play("old", "z", "2024-03-03T12:00:00Z", 5 * MIN));
    write("2024-03-11", "part-0.avro", play("new", "z", "2024-03-11T00:30:00Z", 5 * MIN));

    Result r = run();

    assertThat(
        r.inputPartitions(),
        contains(
            LocalDate.of(2024, 3, 5),
            LocalDate.of(2024, 3, 6),
            LocalDate.of(2024, 3, 8),
            LocalDate.of(2024, 3, 9),
            LocalDate.of(2024, 3, 10)));
    assertThat(
        r.sessionDays(),
        contains(
            LocalDate.of(2024, 3, 6),
            LocalDate.of(2024, 3, 7),
            LocalDate.of(2024, 3, 8),
            LocalDate.of(2024, 3, 9)));
    assertThat(
        rows(r.sessions()),
        contains(
            session("u", "2024-03-08T23:50:00Z", "2024-03-09T00:20:00Z", 2, 2, 0, 19 * MIN, 2, 2, 0),
            session("x", "2024-03-08T23:50:00Z", "2024-03-09T00:10:00Z", 1, 1, 0, 20 * MIN, 1, 1, 0)));
    assertThat(r.sessionsOn(LocalDate.of(2024, 3, 9)), empty());
    Map<LocalDate, DayAggregate> aggregates = r.aggregates();
    assertThat(aggregates.keySet(), contains(r.sessionDays().toArray()));
    // 03-08: 2 sessions of 2 users, 3 plays, 39 min
    assertThat(
        aggregates.get(LocalDate.of(2024, 3, 8)),
        equalTo(new DayAggregate(LocalDate.of(2024, 3, 8), 2, 3, 3, 0, 39 * MIN, 3, 3, 0, 2)));
    assertThat(
        aggregates.get(LocalDate.of(2024, 3, 6)),
        equalTo(new DayAggregate(LocalDate.of(2024, 3, 6), 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    // Every valid record of the window is accepted, published or not.
    assertThat(r.totals().accepted(), equalTo(7L));
  }

  @Test
  void streamsSkipsAndContentTypes() {
    // One session of u; each play ends at its own minute, starts are worked out below.
    write(
        "2024-03-08",
        "part-0.avro",
        // stream (30 000 >= 30 000) and skip (flag); [10:00:30, 10:01]
        play("s1", "u", "2024-03-08T10:01:00Z", 30_000).set("skipped", true),
        // neither: the flag says no skip even though fwdbtn ended it early
        play("s2", "u", "2024-03-08T10:02:00Z", 29_999).set("skipped", false).set("reason_end", "fwdbtn"),
        // skip: no flag, fwdbtn before qualifying
        play("s3", "u", "2024-03-08T10:03:00Z", 29_999).set("reason_end", "fwdbtn"),
        // stream, not a skip: fwdbtn after qualifying
        play("s4", "u", "2024-03-08T10:04:00Z", 30_000).set("reason_end", "fwdbtn"),
        // neither: short but ended by trackdone
        play("s5", "u", "2024-03-08T10:05:00Z", 1_000).set("reason_end", "trackdone"),
        // episode below its 60 s threshold, fwdbtn: skip
        play("s6", "u", "2024-03-08T10:06:00Z", 59_999).set("content_type", "EPISODE").set("reason_end", "fwdbtn"),
        // episode at its threshold: stream
        play("s7", "u", "2024-03-08T10:07:00Z", 60_000).set("content_type", "EPISODE").set("reason_end", "fwdbtn"),
        // same item as s1: not a new distinct item
        play("s8", "u", "2024-03-08T10:08:00Z", 0).set("item_id", "item-s1"));

    Result r = run();

    // plays 8; streams s1 s4 s7 = 3; skips s1 s3 s6 = 3;
    // ms 30000 + 29999 + 29999 + 30000 + 1000 + 59999 + 60000 + 0 = 240 997; 7 distinct items; 6 tracks, 2 episodes
    assertThat(
        rows(r.sessions()),
        contains(session("u", "2024-03-08T10:00:30Z", "2024-03-08T10:08:00Z", 8, 3, 3, 240_997, 7, 6, 2)));

    // With a 1 s track threshold s2, s3 and s5 qualify too: streams s1..s5, s7 = 6;
    // s3 no longer counts as a skip (it qualified): skips s1, s6 = 2.
    Result custom = SpecOracle.nightly(logs, T, new SpecOracle.Params(3, 30, 24, 1_000, 60_000));
    assertThat(
        rows(custom.sessions()),
        contains(session("u", "2024-03-08T10:00:30Z", "2024-03-08T10:08:00Z", 8, 6, 2, 240_997, 7, 6, 2)));
  }

  // ---------------------------------------------------------------- counts, dedup, validation

  @Test
  void duplicatesKeepTheEarliestArrivalThenFileThenPosition() {
    // d1 and d2 of u are each delivered three times with different ms_played, so the kept copy shows.
    write(
        "2024-03-07",
        "a.avro",
        play("d2", "u", "2024-03-07T10:05:00Z", 1_000), // pos 0: kept
        play("d2", "u", "2024-03-07T10:05:00Z", 2_000), // pos 1: same file, later position -> duplicate
        play("d1", "u", "2024-03-07T10:00:00Z", 40_000)); // pos 2: kept (a.avro sorts before b.avro)
    write(
        "2024-03-07",
        "b.avro",
        play("d1", "u", "2024-03-07T10:00:00Z", 50_000), // pos 0: duplicate despite the smaller position
        play("d1", "v", "2024-03-07T10:00:00Z", 45_000)); // another user's d1: not a duplicate
    write(
        "2024-03-08",
        "a.avro",
        play("d1", "u", "2024-03-07T10:00:00Z", 60_000), // later arrival -> duplicate
        play("d2", "u", "2024-03-07T10:05:00Z", 3_000)); // later arrival -> duplicate

    Result r = run();

    assertThat(
        r.partitions().values(),
        contains(
            counts("2024-03-07", 5, 0, Map.of(), 2, 3),
            // duplicates are counted where the dropped copy arrived
            counts("2024-03-08", 2, 0, Map.of(), 2, 0)));
    // u: d1 [09:59:20, 10:00] + d2 [10:04:59, 10:05]; 1 stream (40 000); ms 41 000
    assertThat(
        rows(r.sessions()),
        contains(
            session("u", "2024-03-07T09:59:20Z", "2024-03-07T10:05:00Z", 2, 1, 0, 41_000, 2, 2, 0),
            session("v", "2024-03-07T09:59:15Z", "2024-03-07T10:00:00Z", 1, 1, 0, 45_000, 1, 1, 0)));
  }

  @Test
  void privatePlaysAreCountedBeforeValidationAndNeverUsed() {
    write(
        "2024-03-08",
        "part-0.avro",
        play("p1", "", "2024-03-08T10:00:00Z", 1_000).set("incognito_mode", true), // invalid but private
        play("p2", "u", "2024-03-08T10:00:00Z", -5).set("content_type", "MUSIC").set("incognito_mode", true),
        play("dup", "u", "2024-03-08T10:00:00Z", 99_000).set("incognito_mode", true), // private copy
        play("dup", "u", "2024-03-08T10:00:00Z", 40_000)); // the only usable copy: kept, not a duplicate

    Result r = run();

    assertThat(r.partitions().values(), contains(counts("2024-03-08", 4, 3, Map.of(), 0, 1)));
    assertThat(r.rejections(), empty());
    assertThat(
        rows(r.sessions()),
        contains(session("u", "2024-03-08T09:59:20Z", "2024-03-08T10:00:00Z", 1, 1, 0, 40_000, 1, 1, 0)));
  }

  @Test
  void eachRejectionReasonAndTheFirstFailingRuleWins() {
    // Arrival 03-08, L = 3: future when ts > 03-09 01:00:00.000; too_late when the ts day is before 03-05.
    write(
        "2024-03-08",
        "part-0.avro",
        play("", "u0", "2024-03-08T10:00:00Z", 1_000), // 0 missing_field event_id
        play("r1", "", "2024-03-08T10:00:00Z", 1_000), // 1 missing_field user_id
        play("r2", "u2", "2024-03-08T10:00:00Z", 1_000).set("item_id", "").set("content_type", "MUSIC"), // 2 item_id first
        play("r3", "u3", "2024-03-08T10:00:00Z", -1).set("content_type", "MUSIC"), // 3 unknown before negative
        play("r4", "u4", "2024-03-08T10:00:00Z", 1_000).set("content_type", "track"), // 4 case matters
        play("r5", "u5", "2024-03-10T10:00:00Z", -1), // 5 negative before future
        play("r6", "u6", "2024-03-09T01:00:00.001Z", 1_000), // 6 future by 1 ms
        play("r7", "u7", "2024-03-09T01:00:00Z", 1_000), // 7 accepted: exactly 1 h after the day's end
        play("r8", "u8", "2024-03-04T23:59:59.999Z", 1_000), // 8 too_late: day 03-04 < 03-05
        play("r9", "u9", "2024-03-05T00:00:00Z", 0), // 9 accepted: day 03-05 = arrival - 3
        play("r10", "u10", "2024-03-08T10:00:00Z", 1_000).set("content_type", "EPISODE")); // 10 accepted

    Result r = run();

    assertThat(
        r.partitions().values(),
        contains(
            counts(
                "2024-03-08",
                11,
                0,
                Map.of(
                    "missing_field", 3L,
                    "unknown_content_type", 2L,
                    "negative_ms_played", 1L,
                    "future_timestamp", 1L,
                    "too_late", 1L),
                0,
                3)));
    String file = logs.toAbsolutePath().resolve("dt=2024-03-08/part-0.avro").toString();
    LocalDate dt = LocalDate.of(2024, 3, 8);
    assertThat(
        r.rejections(),
        contains(
            new OracleRejection(dt, file, 0, "missing_field", "event_id"),
            new OracleRejection(dt, file, 1, "missing_field", "user_id"),
            new OracleRejection(dt, file, 2, "missing_field", "item_id"),
            new OracleRejection(dt, file, 3, "unknown_content_type", "content_type"),
            new OracleRejection(dt, file, 4, "unknown_content_type", "content_type"),
            new OracleRejection(dt, file, 5, "negative_ms_played", "ms_played"),
            new OracleRejection(dt, file, 6, "future_timestamp", "ts"),
            new OracleRejection(dt, file, 8, "too_late", "ts")));

    // With L = 1 the day limit becomes 03-07: r9 (03-05) is too late as well. The run reads 03-06..03-10.
    Result strict = SpecOracle.nightly(logs, T, new SpecOracle.Params(1, 30, 24, 30_000, 60_000));
    assertBalanced(strict);
    assertThat(strict.partitions().get(dt).rejected("too_late"), equalTo(2L));
    assertThat(strict.partitions().get(dt).accepted(), equalTo(2L));
    assertThat(strict.sessionDays(), contains(LocalDate.of(2024, 3, 8), LocalDate.of(2024, 3, 9)));
  }

  @Test
  void readsOlderAndNewerWriterSchemasThroughTheReaderSchema() {
    Schema tsType = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    // An older writer: only the six required fields.
    Schema older =
        SchemaBuilder.record("ListeningEvent").namespace("dev.encore.avro").fields()
            .requiredString("event_id")
            .requiredString("user_id")
            .name("ts").type(tsType).noDefault()
            .requiredLong("ms_played")
            .requiredString("content_type")
            .requiredString("item_id")
            .endRecord();
    // A newer writer: a field the reader does not know, fields in another order.
    Schema newer =
        SchemaBuilder.record("ListeningEvent").namespace("dev.encore.avro").fields()
            .requiredString("client_build")
            .requiredString("item_id")
            .requiredString("event_id")
            .requiredString("user_id")
            .name("ts").type(tsType).noDefault()
            .requiredLong("ms_played")
            .requiredString("content_type")
            .optionalBoolean("skipped")
            .requiredBoolean("incognito_mode")
            .endRecord();

    GenericRecord old1 = new GenericData.Record(older);
    old1.put("event_id", "o1");
    old1.put("user_id", "u");
    old1.put("ts", t("2024-03-08T10:05:00Z"));
    old1.put("ms_played", 5 * MIN); // [10:00, 10:05], a stream; skipped and incognito_mode take defaults
    old1.put("content_type", "TRACK");
    old1.put("item_id", "i1");
    write("2024-03-08", "old.avro", older, List.of(old1));

    GenericRecord new1 = new GenericData.Record(newer);
    new1.put("client_build", "9.1");
    new1.put("item_id", "i2");
    new1.put("event_id", "n1");
    new1.put("user_id", "u");
    new1.put("ts", t("2024-03-08T10:10:00Z"));
    new1.put("ms_played", 10_000L); // [10:09:50, 10:10], not a stream
    new1.put("content_type", "TRACK");
    new1.put("skipped", true);
    new1.put("incognito_mode", false);
    GenericRecord new2 = new GenericData.Record(newer);
    new2.put("client_build", "9.1");
    new2.put("item_id", "i3");
    new2.put("event_id", "n2");
    new2.put("user_id", "u");
    new2.put("ts", t("2024-03-08T10:20:00Z"));
    new2.put("ms_played", 10_000L);
    new2.put("content_type", "TRACK");
    new2.put("skipped", null);
    new2.put("incognito_mode", true); // private: counted only
    write("2024-03-08", "new.avro", newer, List.of(new1, new2));

    Result r = run();

    assertThat(r.partitions().values(), contains(counts("2024-03-08", 3, 1, Map.of(), 0, 2)));
    // o1 + n1: 1 stream, 1 skip (n1's flag), ms 300 000 + 10 000
    assertThat(
        rows(r.sessions()),
        contains(session("u", "2024-03-08T10:00:00Z", "2024-03-08T10:10:00Z", 2, 1, 1, 310_000, 2, 2, 0)));
  }

  @Test
  void noInputGivesEmptyDaysAndNoPartitions() {
    Result r = run();
    assertThat(r.inputPartitions(), empty());
    assertThat(r.sessions(), empty());
    assertThat(r.totals().records(), equalTo(0L));
    assertThat(r.aggregates().size(), equalTo(4));
  }

  // ---------------------------------------------------------------- corrupt files and the input calendar

  /** Writes 300 plays to dt=2024-03-08/name in blocks of about 1 KiB (many blocks, many sync markers). */
  private Path manyBlocks(String name) throws java.io.IOException {
    Path dir = ListeningLogs.partitionDir(logs, LocalDate.parse("2024-03-08"));
    java.nio.file.Files.createDirectories(dir);
    Path file = dir.resolve(name);
    try (org.apache.avro.file.DataFileWriter<GenericRecord> w =
        new org.apache.avro.file.DataFileWriter<>(new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(SCHEMA))) {
      w.setSyncInterval(1024);
      w.create(SCHEMA, file.toFile());
      for (int i = 0; i < 300; i++) {
        w.append(play("e" + i, "u", "2024-03-08T10:00:00Z", MIN).build());
      }
    }
    ListeningLogs.markSuccess(dir);
    return file;
  }

  private static void cut(Path file, long length) throws java.io.IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
  }

  @Test
  void aFileReadsCompletelyOnlyWhenItIsWholeBlocksUpToItsLastByte() throws Exception {
    Path whole = manyBlocks("whole.avro");
    assertThat(SpecOracle.readsCompletely(whole), equalTo(true));
    long length = java.nio.file.Files.size(whole);

    // Cut in the middle (inside a block): Avro's reader stops quietly there, the block walk does not.
    Path half = manyBlocks("half.avro");
    cut(half, length / 2);
    assertThat(SpecOracle.readsCompletely(half), equalTo(false));
    // Cut inside the last sync marker (its 16 bytes end the file).
    Path sync = manyBlocks("sync.avro");
    cut(sync, length - 5);
    assertThat(SpecOracle.readsCompletely(sync), equalTo(false));
    // Cut inside the header.
    Path header = manyBlocks("header.avro");
    cut(header, 10);
    assertThat(SpecOracle.readsCompletely(header), equalTo(false));
    // Garbled: a byte of the last sync marker changed.
    Path garbled = manyBlocks("garbled.avro");
    byte[] bytes = java.nio.file.Files.readAllBytes(garbled);
    bytes[bytes.length - 3] ^= 0x5a;
    java.nio.file.Files.write(garbled, bytes);
    assertThat(SpecOracle.readsCompletely(garbled), equalTo(false));
    // Not Avro at all.
    Path text = whole.resolveSibling("text.avro");
    java.nio.file.Files.writeString(text, "not avro");
    assertThat(SpecOracle.readsCompletely(text), equalTo(false));
    // A header-only file (no records) is a whole file.
    Path empty = whole.resolveSibling("empty.avro");
    ListeningLogs.write(empty, SCHEMA, List.of());
    assertThat(SpecOracle.readsCompletely(empty), equalTo(true));

    // The day is incomplete; acceptedPlays leaves every bad file out whole and keeps the 300 plays of whole.avro
    // (the other copies of e0 .. e299 in the bad files are not read at all).
    assertThat(SpecOracle.completeArrivalDays(logs), empty());
    assertThat(SpecOracle.acceptedPlays(logs, T).size(), equalTo(300));
  }

  @Test
  void theCalendarHoldsSealedPartitionsWhoseFilesAllRead() {
    write("2024-03-05", "a.avro", play("a", "u", "2024-03-05T10:00:00Z", MIN));
    write("2024-03-06", "b.avro", play("b", "u", "2024-03-06T10:00:00Z", MIN));
    // 03-07: a partition without _SUCCESS.
    ListeningLogs.write(
        ListeningLogs.partitionDir(logs, LocalDate.parse("2024-03-07")).resolve("c.avro"),
        SCHEMA,
        List.of(play("c", "u", "2024-03-07T10:00:00Z", MIN).build()));
    assertThat(
        SpecOracle.completeArrivalDays(logs),
        contains(LocalDate.parse("2024-03-05"), LocalDate.parse("2024-03-06")));
    // The unsealed partition is not read by acceptedPlays.
    assertThat(
        SpecOracle.acceptedPlays(logs, T).stream().map(SpecOracle.OraclePlay::eventId).toList(),
        contains("a", "b"));
  }
}
