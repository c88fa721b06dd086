package dev.encore.sessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionCutterTest {
  private static final long MIN = 60_000L;
  private static final long HOUR = 60 * MIN;
  /** 2024-01-10T00:00:00Z. */
  private static final long DAY0 = Instant.parse("2024-01-10T00:00:00Z").toEpochMilli();

  private static final SessionRules RULES = SessionRules.DEFAULTS;

  /** A track play of user u from start to end (epoch ms), qualifying from 30 s. */
  static Play play(String eventId, long start, long end) {
    long ms = end - start;
    return Play.newBuilder()
        .setUserId("u")
        .setEventId(eventId)
        .setStartMs(start)
        .setEndMs(end)
        .setMsPlayed(ms)
        .setEpisode(false)
        .setItemId("item-" + eventId)
        .setQualifying(ms >= 30_000)
        .setSkip(false)
        .setArrivalDay(0)
        .setFileIndex(0)
        .setPosition(0)
        .build();
  }

  private static List<Session> cut(Play... plays) {
    return SessionCutter.cut(new ArrayList<>(Arrays.asList(plays)), RULES);
  }

  private static List<Integer> sizes(List<Session> sessions) {
    return sessions.stream().map(Session::getPlays).toList();
  }

  @Test
  void gapExactlyTheLimitStaysInTheSession() {
    // a ends at 00:03; b starts exactly 30 min later at 00:33: not MORE than the gap, same session.
    Play a = play("a", DAY0, DAY0 + 3 * MIN);
    Play b = play("b", DAY0 + 33 * MIN, DAY0 + 36 * MIN);
    assertThat(sizes(cut(a, b)), contains(2));
  }

  @Test
  void gapOneMillisecondOverTheLimitOpensANewSession() {
    Play a = play("a", DAY0, DAY0 + 3 * MIN);
    Play b = play("b", DAY0 + 33 * MIN + 1, DAY0 + 36 * MIN);
    List<Session> s = cut(a, b);
    assertThat(sizes(s), contains(1, 1));
    assertThat(s.get(1).getSessionStart(), equalTo(Instant.ofEpochMilli(DAY0 + 33 * MIN + 1)));
  }

  @Test
  void gapIsMeasuredFromTheLatestEndNotTheLastPlay() {
    // a: 00:00-01:00 (long), b: 00:10-00:12 (overlaps a), c starts 01:20: 20 min after a's end, 68 min after
    // b's end. The latest end so far is a's 01:00, so c stays; one session of 3 plays ending at c's end.
    Play a = play("a", DAY0, DAY0 + HOUR);
    Play b = play("b", DAY0 + 10 * MIN, DAY0 + 12 * MIN);
    Play c = play("c", DAY0 + 80 * MIN, DAY0 + 83 * MIN);
    List<Session> s = cut(c, b, a);
    assertThat(sizes(s), contains(3));
    assertThat(s.get(0).getSessionEnd(), equalTo(Instant.ofEpochMilli(DAY0 + 83 * MIN)));
    assertThat(s.get(0).getMsPlayed(), equalTo(HOUR + 2 * MIN + 3 * MIN));
  }

  @Test
  void outOfOrderInputIsOrderedByStartEndAndEventId() {
    // Same start and end for x and y: event_id breaks the tie, so the session's first play (and id) is x.
    Play y = play("y", DAY0, DAY0 + MIN);
    Play x = play("x", DAY0, DAY0 + MIN);
    Play z = play("z", DAY0 + 5 * MIN, DAY0 + 6 * MIN);
    Session s = cut(z, y, x).get(0);
    assertThat(s.getSessionId(), equalTo(SessionCutter.sessionId("u", DAY0, "x")));
    assertThat(s.getPlays(), equalTo(3));
    assertThat(s.getSessionStart(), equalTo(Instant.ofEpochMilli(DAY0)));
  }

  @Test
  void zeroLengthPlayIsAPlayButNotAStream() {
    Play zero = play("z", DAY0 + MIN, DAY0 + MIN);
    Play full = play("f", DAY0 + 2 * MIN, DAY0 + 5 * MIN);
    Session s = cut(zero, full).get(0);
    assertThat(s.getPlays(), equalTo(2));
    assertThat(s.getStreams(), equalTo(1));
    assertThat(s.getSessionStart(), equalTo(Instant.ofEpochMilli(DAY0 + MIN)));
    assertThat(s.getMsPlayed(), equalTo(3 * MIN));
  }

  @Test
  void thirtyHourContinuousStreamIsOneSessionThenTheCapCutsTheNextPlay() {
    // One 30-hour play opens a session on its own (its end is more than 24 h after its start, but it is the
    // first play). The next play, back to back, ends more than 24 h after that start: a new session.
    Play marathon = play("m", DAY0, DAY0 + 30 * HOUR);
    Play next = play("n", DAY0 + 30 * HOUR, DAY0 + 30 * HOUR + 3 * MIN);
    List<Session> s = cut(marathon, next);
    assertThat(sizes(s), contains(1, 1));
    assertThat(s.get(0).getSessionEnd(), equalTo(Instant.ofEpochMilli(DAY0 + 30 * HOUR)));
    assertThat(s.get(1).getSessionStart(), equalTo(Instant.ofEpochMilli(DAY0 + 30 * HOUR)));
  }

  @Test
  void backToBackPlaysLongerThanTheCapAreCutEvery24Hours() {
    // 3-minute plays back to back for 30 hours: 600 plays. Play k ends at (k+1)*3 min. It stays in the first
    // session while its end <= 24 h = 1440 min after 00:00, so plays 0..479 (ends 3..1440 min); the second
    // session starts at 24:00 with the remaining 120 plays.
    List<Play> plays = new ArrayList<>();
    for (int k = 0; k < 600; k++) {
      plays.add(play(String.format("p%04d", k), DAY0 + k * 3 * MIN, DAY0 + (k + 1) * 3 * MIN));
    }
    List<Session> s = SessionCutter.cut(plays, RULES);
    assertThat(sizes(s), contains(480, 120));
    assertThat(s.get(1).getSessionStart(), equalTo(Instant.ofEpochMilli(DAY0 + 24 * HOUR)));
  }

  @Test
  void sessionRunningPastMidnightIsNotCutAndBelongsToItsStart() {
    Play before = play("a", DAY0 - 10 * MIN, DAY0 - 5 * MIN); // 23:50-23:55 on 2024-01-09
    Play after = play("b", DAY0 + 5 * MIN, DAY0 + 9 * MIN); // 00:05-00:09 on 2024-01-10
    List<Session> s = cut(after, before);
    assertThat(s, hasSize(1));
    assertThat(s.get(0).getSessionStart(), equalTo(Instant.parse("2024-01-09T23:50:00Z")));
    assertThat(s.get(0).getSessionEnd(), equalTo(Instant.parse("2024-01-10T00:09:00Z")));
  }

  @Test
  void countsStreamsSkipsTracksEpisodesAndDistinctItems() {
    Play a = play("a", DAY0, DAY0 + 20_000); // 20 s track: not a stream
    a.setSkip(true);
    Play b = play("b", DAY0 + MIN, DAY0 + 2 * MIN); // 60 s track: stream
    Play c = play("c", DAY0 + 3 * MIN, DAY0 + 4 * MIN); // 60 s episode: stream at 60 s
    c.setEpisode(true);
    Play d = play("d", DAY0 + 5 * MIN, DAY0 + 6 * MIN); // the same item as b again
    d.setItemId(b.getItemId());
    Session s = cut(a, b, c, d).get(0);
    assertThat(s.getPlays(), equalTo(4));
    assertThat(s.getStreams(), equalTo(3));
    assertThat(s.getSkips(), equalTo(1));
    assertThat(s.getTracks(), equalTo(3));
    assertThat(s.getEpisodes(), equalTo(1));
    assertThat(s.getDistinctItems(), equalTo(3));
    assertThat(s.getMsPlayed(), equalTo(20_000L + 3 * MIN));
  }

  @Test
  void sessionIdIsStableAndDependsOnUserStartAndFirstEvent() {
    String id = SessionCutter.sessionId("u", DAY0, "x");
    assertThat(id, equalTo(SessionCutter.sessionId("u", DAY0, "x")));
    assertThat(id.length(), equalTo(16));
    assertThat(id, not(equalTo(SessionCutter.sessionId("v", DAY0, "x"))));
    assertThat(id, not(equalTo(SessionCutter.sessionId("u", DAY0 + 1, "x"))));
    assertThat(id, not(equalTo(SessionCutter.sessionId("u", DAY0, "y"))));
  }
}
