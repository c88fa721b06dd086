package dev.encore.sessions;

import dev.encore.avro.Activity;
import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import dev.encore.records.RecordCoder;
import dev.encore.testing.TestPipelines;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Sessionize} on two users' hand-made plays, every expected row worked out below with the default session
 * rules (30-minute gap, 24-hour cap). The run publishes session days 2024-03-08..09 and rebuilds the activity of
 * 03-08..10 at the levels artist and show; a user-day with more than 4 plays is hot.
 *
 * <p>ann: a0 on 03-07 (a session before the published days); a5 at noon on 03-08; a1 from 03-08 23:50 to 03-09
 * 00:01 (a play across midnight), a2 (an episode, delivered twice: arrival 03-09 and again 03-10) and a3 (10 s,
 * skipped), one session running across midnight; a4 on 03-10 (after the published session days). Her day 03-09
 * holds a1, a2 twice and a3: 4 deliveries, exactly the limit, so it is kept.
 *
 * <p>bot: b0 on 03-08; b1..b4 on 03-09 and b1 delivered again: 5 deliveries on 03-09, over the limit, so the whole
 * day is left out (its duplicate is not counted as one: the day is gone before deduplication).
 */
class SessionizeTest {
  private static final LocalDate DAY7 = LocalDate.parse("2024-03-07");
  private static final LocalDate DAY8 = LocalDate.parse("2024-03-08");
  private static final LocalDate DAY9 = LocalDate.parse("2024-03-09");
  private static final LocalDate DAY10 = LocalDate.parse("2024-03-10");

  @ParameterizedTest(name = "userGroups={0}")
  @ValueSource(ints = {0, 3})
  void dropsDuplicatesAndHotDaysCutsSessionsAndSummarizesDays(int userGroups) {
    List<Play> plays = List.of(
        // The later copy of a2 first: which copy is kept must not depend on the order plays come in.
        episode("ann", "a2", "2024-03-09T00:05:00Z", "2024-03-09T00:09:00Z", "p1", "S", DAY10, 3, 0)
            .setContextType("search").setReasonStart("clickrow").build(),
        track("ann", "a0", "2024-03-07T22:00:00Z", "2024-03-07T22:03:00Z", "t0", "X", DAY7, 0, 0).build(),
        track("ann", "a5", "2024-03-08T12:00:00Z", "2024-03-08T12:01:00Z", "t4", "Y", DAY8, 1, 0)
            .setContextType("search").setReasonStart("clickrow").build(),
        track("ann", "a1", "2024-03-08T23:50:00Z", "2024-03-09T00:01:00Z", "t1", "X", DAY9, 2, 0)
            .setContextType("radio").setReasonStart("trackdone").build(),
        episode("ann", "a2", "2024-03-09T00:05:00Z", "2024-03-09T00:09:00Z", "p1", "S", DAY9, 2, 1)
            .setContextType("search").setReasonStart("clickrow").build(),
        track("ann", "a3", "2024-03-09T00:20:00Z", "2024-03-09T00:20:10Z", "t2", "Y", DAY9, 2, 2)
            .setSkip(true).build(),
        track("ann", "a4", "2024-03-10T08:00:00Z", "2024-03-10T08:04:00Z", "t3", "X", DAY10, 3, 1).build(),
        track("bot", "b0", "2024-03-08T10:00:00Z", "2024-03-08T10:01:00Z", "t9", "Z", DAY8, 1, 1).build(),
        track("bot", "b1", "2024-03-09T10:00:00Z", "2024-03-09T10:01:00Z", "t9", "Z", DAY9, 2, 3).build(),
        track("bot", "b2", "2024-03-09T10:01:00Z", "2024-03-09T10:02:00Z", "t9", "Z", DAY9, 2, 4).build(),
        track("bot", "b3", "2024-03-09T10:02:00Z", "2024-03-09T10:03:00Z", "t9", "Z", DAY9, 2, 5).build(),
        track("bot", "b4", "2024-03-09T10:03:00Z", "2024-03-09T10:04:00Z", "t9", "Z", DAY9, 2, 6).build(),
        track("bot", "b1", "2024-03-09T10:00:00Z", "2024-03-09T10:01:00Z", "t9", "Z", DAY10, 3, 2).build());

    TestPipeline p = TestPipelines.create();
    PCollectionTuple out = p
        .apply("Plays", Create.of(plays).withCoder(RecordCoder.of(Play.class)))
        .apply("Sessionize", new Sessionize(
            SessionRules.DEFAULTS, DAY8, DAY9, Set.of(DAY8, DAY9, DAY10), List.of("artist", "show"), 4,
            userGroups));

    // Keyed by the day of their start. Not published: a0's session (03-07) and a4's (03-10).
    PAssert.that(out.get(Sessionize.SESSIONS)).containsInAnyOrder(
        // a5 alone: the next play, a1, starts 11 h 49 min after it ends.
        session("2024-03-08", "ann", "a5", "2024-03-08T12:00:00Z", "2024-03-08T12:01:00Z",
            1, 1, 0, 60_000, 1, 1, 0),
        // a1, a2 (4 min after a1's end), a3 (11 min after a2's end), a2's second copy dropped: 3 plays, 2 streams
        // (a3 is 10 s), 1 skip, 660 000 + 240 000 + 10 000 ms, items t1, p1, t2; belongs to 03-08, where it starts.
        session("2024-03-08", "ann", "a1", "2024-03-08T23:50:00Z", "2024-03-09T00:20:10Z",
            3, 2, 1, 910_000, 3, 2, 1),
        session("2024-03-08", "bot", "b0", "2024-03-08T10:00:00Z", "2024-03-08T10:01:00Z",
            1, 1, 0, 60_000, 1, 1, 0));

    // A play counts on the day it ends: a1 (ending 00:01) on 03-09, although its session is 03-08's. Only
    // qualifying plays count (not a3); a2 counts once; an episode has a show, no artist.
    PAssert.that(out.get(Sessionize.ACTIVITY)).containsInAnyOrder(
        activity(DAY8, "ann", "user", null, 1, 60_000, "2024-03-08T12:00:00Z", "t4", "search", "clickrow"),
        activity(DAY8, "ann", "artist", "Y", 1, 60_000, "2024-03-08T12:00:00Z", "t4", "search", "clickrow"),
        activity(DAY8, "bot", "user", null, 1, 60_000, "2024-03-08T10:00:00Z", "t9", null, null),
        activity(DAY8, "bot", "artist", "Z", 1, 60_000, "2024-03-08T10:00:00Z", "t9", null, null),
        // a1 and a2: 660 000 + 240 000 ms; the day's first play in play order is a1 (it starts on 03-08): its
        // start and item are the row's first play's.
        activity(DAY9, "ann", "user", null, 2, 900_000, "2024-03-08T23:50:00Z", "t1", "radio", "trackdone"),
        activity(DAY9, "ann", "artist", "X", 1, 660_000, "2024-03-08T23:50:00Z", "t1", "radio", "trackdone"),
        activity(DAY9, "ann", "show", "S", 1, 240_000, "2024-03-09T00:05:00Z", "p1", "search", "clickrow"),
        activity(DAY10, "ann", "user", null, 1, 240_000, "2024-03-10T08:00:00Z", "t3", null, null),
        activity(DAY10, "ann", "artist", "X", 1, 240_000, "2024-03-10T08:00:00Z", "t3", null, null));

    // The copy of a2 dropped counts for its own arrival day (03-10); bot's 03-09 with all 5 deliveries.
    PAssert.that(out.get(Sessionize.STATS)).containsInAnyOrder(
        KV.of("input/2024-03-10/duplicates", 1L),
        KV.of("hot_user_day/bot/2024-03-09", 5L));

    p.run().waitUntilFinish();
  }

  /** A track play: a stream from 30 s played. */
  private static Play.Builder track(
      String user, String event, String start, String end, String item, String artist, LocalDate arrival,
      int file, long position) {
    return play(user, event, start, end, false, item, arrival, file, position).setArtistId(artist);
  }

  /** An episode play: a stream from 60 s played. */
  private static Play.Builder episode(
      String user, String event, String start, String end, String item, String show, LocalDate arrival,
      int file, long position) {
    return play(user, event, start, end, true, item, arrival, file, position).setShowId(show);
  }

  private static Play.Builder play(
      String user, String event, String start, String end, boolean episode, String item, LocalDate arrival,
      int file, long position) {
    long startMs = Instant.parse(start).toEpochMilli();
    long endMs = Instant.parse(end).toEpochMilli();
    long ms = endMs - startMs;
    return Play.newBuilder()
        .setUserId(user).setEventId(event).setStartMs(startMs).setEndMs(endMs).setMsPlayed(ms)
        .setEpisode(episode).setItemId(item).setQualifying(ms >= (episode ? 60_000 : 30_000)).setSkip(false)
        .setArrivalDay((int) arrival.toEpochDay()).setFileIndex(file).setPosition(position);
  }

  private static KV<String, Session> session(
      String dt, String user, String firstEvent, String start, String end, int plays, int streams, int skips,
      long ms, int distinctItems, int tracks, int episodes) {
    return KV.of(dt, Session.newBuilder()
        .setUserId(user).setSessionId(sessionId(user, start, firstEvent))
        .setSessionStart(Instant.parse(start)).setSessionEnd(Instant.parse(end))
        .setPlays(plays).setStreams(streams).setSkips(skips).setMsPlayed(ms).setDistinctItems(distinctItems)
        .setTracks(tracks).setEpisodes(episodes).build());
  }

  private static KV<String, Activity> activity(
      LocalDate day, String user, String level, String entity, int streams, long ms, String firstStart,
      String firstItem, String context, String reasonStart) {
    return KV.of(day.toString(), Activity.newBuilder()
        .setUserId(user).setEntityLevel(level).setEntityId(entity).setActivityDate(day)
        .setStreams(streams).setStreamMs(ms).setFirstStartMs(Instant.parse(firstStart).toEpochMilli())
        .setFirstItemId(firstItem).setFirstPlatform(null).setFirstContextType(context)
        .setFirstReasonStart(reasonStart).build());
  }

  /**
   * session_id as schemas/session.avsc defines it, computed here without the pipeline's code: the first 16 hex
   * digits of SHA-256 over the user id (UTF-8), a 0 byte, the start in epoch ms (8 bytes, little-endian, as
   * Guava's Hasher writes a long) and the first play's event id (UTF-8).
   */
  private static String sessionId(String user, String start, String firstEvent) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(user.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
          .putLong(Instant.parse(start).toEpochMilli()).array());
      sha.update(firstEvent.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
