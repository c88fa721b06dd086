package dev.encore.rewards;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.avro.Activity;
import dev.encore.avro.internal.Play;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DailyActivity} as tables: the entity of a play at each level, and the rows of small sets of plays,
 * worked out by hand from docs/rewards.md ("activity" and "Entity of a play").
 */
class DailyActivityTest {
  private static final LocalDate D = LocalDate.parse("2024-03-09");
  private static final Play TRACK = play("t", "2024-03-09T12:00:40Z", 40_000, true).setArtistId("A")
      .setAlbumId("AL").build();
  private static final Play EPISODE = play("e", "2024-03-09T12:01:10Z", 70_000, true).setEpisode(true)
      .setShowId("S").build();
  private static final Play TRACK_WITHOUT_ARTIST = play("t", "2024-03-09T12:00:40Z", 40_000, true).build();
  private static final Play EPISODE_WITHOUT_SHOW =
      play("e", "2024-03-09T12:01:10Z", 70_000, true).setEpisode(true).build();

  static Stream<Arguments> entities() {
    // Artists, albums and tracks (the item) of tracks; shows of episodes; a null id is no entity.
    return Stream.of(
        Arguments.of("artist", TRACK, "A"),
        Arguments.of("album", TRACK, "AL"),
        Arguments.of("track", TRACK, "item-t"),
        Arguments.of("show", TRACK, null),
        Arguments.of("artist", EPISODE, null),
        Arguments.of("album", EPISODE, null),
        Arguments.of("track", EPISODE, null),
        Arguments.of("show", EPISODE, "S"),
        Arguments.of("artist", TRACK_WITHOUT_ARTIST, null),
        Arguments.of("album", TRACK_WITHOUT_ARTIST, null),
        Arguments.of("show", EPISODE_WITHOUT_SHOW, null));
  }

  @ParameterizedTest(name = "{0} of {1}")
  @MethodSource("entities")
  void entityOfAPlayAtALevel(String level, Play play, String expected) {
    assertThat(DailyActivity.entityOf(level, play), equalTo(expected));
  }

  @Test
  void anUnknownLevelIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DailyActivity.entityOf("label", TRACK));
  }

  static Stream<Arguments> days() {
    Play stream = play("a", "2024-03-09T12:00:40Z", 40_000, true).setArtistId("A").setAlbumId("AL")
        .setContextType("search").setReasonStart("clickrow").setPlatform("android").build();
    Play a = play("a", "2024-03-09T10:00:40Z", 40_000, true).setArtistId("A").setContextType("radio").build();
    Play b = play("b", "2024-03-09T11:00:50Z", 50_000, true).setArtistId("B").setContextType("search").build();
    Play c = play("c", "2024-03-09T12:01:00Z", 60_000, true).setArtistId("A").setContextType("home").build();
    Play short10 =
        play("a", "2024-03-09T10:00:10Z", 10_000, false).setArtistId("A").setContextType("radio").build();
    Play b40 = play("b", "2024-03-09T11:00:40Z", 40_000, true).setArtistId("A").setContextType("search").build();
    Play beforeMidnight = play("b", "2024-03-08T23:59:59.999Z", 59_999, true).build();
    Play atMidnight = play("a", "2024-03-09T00:00:00Z", 60_000, true).build();
    Play day8 = play("a", "2024-03-08T12:00:40Z", 40_000, true).build();
    Play day9 = play("b", "2024-03-09T12:00:50Z", 50_000, true).build();
    Play day10 = play("c", "2024-03-10T12:01:00Z", 60_000, true).build();
    return Stream.of(
        Arguments.of("a play that is no stream gives no row",
            List.of(play("a", "2024-03-09T12:00:10Z", 10_000, false).setArtistId("A").build()),
            D, D, List.of("artist"), List.of()),
        Arguments.of("a stream gives a user row and one row per level with an entity; each keeps its first play",
            List.of(stream),
            D, D, List.of("artist", "album", "track", "show"), List.of(
                row(stream, D, "user", null, 1, 40_000),
                row(stream, D, "artist", "A", 1, 40_000),
                row(stream, D, "album", "AL", 1, 40_000),
                row(stream, D, "track", "item-a", 1, 40_000))),
        // a (A, 40 s, radio), b (B, 50 s, search), c (A, 60 s, home), in play order: the user 3 streams,
        // 150 000 ms; A 2 streams, 100 000 ms; each row keeps the start, item and context of its first play.
        Arguments.of("streams and ms add up per day and entity, the first play's context stays",
            List.of(a, b, c),
            D, D, List.of("artist"), List.of(
                row(a, D, "user", null, 3, 150_000),
                row(a, D, "artist", "A", 2, 100_000),
                row(b, D, "artist", "B", 1, 50_000))),
        // The 10 s play of A is neither counted nor the first play of A's row.
        Arguments.of("plays that are no streams count nowhere",
            List.of(short10, b40),
            D, D, List.of("artist"), List.of(
                row(b40, D, "user", null, 1, 40_000),
                row(b40, D, "artist", "A", 1, 40_000))),
        // a: 03-08 23:59:00 to 03-09 00:00:00.000 (60 s), counts on 03-09; b: 03-08 23:59:00 to 23:59:59.999,
        // counts on 03-08.
        Arguments.of("a play counts on the UTC day it ends",
            List.of(beforeMidnight, atMidnight),
            D.minusDays(1), D, List.of(), List.of(
                row(beforeMidnight, D.minusDays(1), "user", null, 1, 59_999),
                row(atMidnight, D, "user", null, 1, 60_000))),
        Arguments.of("days outside the range are left out",
            List.of(day8, day9, day10),
            D, D, List.of("artist"), List.of(row(day9, D, "user", null, 1, 50_000))),
        // The episode (70 s, show S) has a show and no artist; the track without an artist only counts for the
        // user: 2 streams, 110 000 ms. Both start at 12:00:00; the track ends first, so it is the user's first.
        Arguments.of("an entity is only counted at a level where the play has one",
            List.of(TRACK_WITHOUT_ARTIST, EPISODE),
            D, D, List.of("artist", "show"), List.of(
                row(TRACK_WITHOUT_ARTIST, D, "user", null, 2, 110_000),
                row(EPISODE, D, "show", "S", 1, 70_000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("days")
  void rowsOfTheDays(
      String name, List<Play> plays, LocalDate from, LocalDate to, List<String> levels, List<Activity> expected) {
    List<Activity> rows = DailyActivity.of(plays, from.toEpochDay(), to.toEpochDay(), levels);
    if (expected.isEmpty()) {
      assertThat(rows, empty());
    } else {
      assertThat(rows, containsInAnyOrder(expected.toArray(new Activity[0])));
    }
  }

  /** A play of user u ending at {@code end}, whose qualifying flag (set at ingest) is given. */
  private static Play.Builder play(String event, String end, long ms, boolean qualifying) {
    long endMs = Instant.parse(end).toEpochMilli();
    return Play.newBuilder()
        .setUserId("u").setEventId(event).setStartMs(endMs - ms).setEndMs(endMs).setMsPlayed(ms)
        .setEpisode(false).setItemId("item-" + event).setQualifying(qualifying).setSkip(false)
        .setArrivalDay((int) D.toEpochDay()).setFileIndex(0).setPosition(0);
  }

  /** An expected row whose first qualifying play is {@code first}. */
  private static Activity row(Play first, LocalDate day, String level, String entity, int streams, long ms) {
    return Activity.newBuilder()
        .setUserId("u").setEntityLevel(level).setEntityId(entity).setActivityDate(day).setStreams(streams)
        .setStreamMs(ms).setFirstStartMs(first.getStartMs()).setFirstItemId(first.getItemId())
        .setFirstPlatform(first.getPlatform()).setFirstContextType(first.getContextType())
        .setFirstReasonStart(first.getReasonStart()).build();
  }
}
