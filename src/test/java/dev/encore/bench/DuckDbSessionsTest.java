package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import dev.encore.sessions.SessionCutter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The DuckDB reference cuts sessions exactly as {@link SessionCutter}, also where the 24-hour cap cuts a chain of
 * plays (after which a gap can cut where the whole chain shows none): random plays, many of them hours long, with
 * the plays of a user starting in random order, and equal starts.
 */
class DuckDbSessionsTest {
  static final long HOUR = 3_600_000L;
  static final long MINUTE = 60_000L;

  @Test
  void sessionsMatchTheSessionCutterIncludingCapCuts() throws Exception {
    SessionRules rules = SessionRules.DEFAULTS;
    Random random = new Random(7);
    long base = LocalDate.parse("2024-01-01").toEpochDay() * 24 * HOUR;
    List<Play> plays = new ArrayList<>();
    for (int u = 0; u < 12; u++) {
      long t = base;
      for (int i = 0; i < 300; i++) {
        // Mostly back to back, sometimes a break, and now and then a play of many hours (a stuck client).
        t += random.nextInt(10) == 0 ? random.nextInt(120) * MINUTE : random.nextInt(4) * MINUTE;
        long ms = random.nextInt(15) == 0 ? random.nextInt(30) * HOUR + random.nextInt(60) * MINUTE
            : random.nextInt(5 * 60) * 1000L;
        long start = random.nextInt(20) == 0 ? t - random.nextInt(3) * HOUR : t;
        boolean episode = random.nextInt(5) == 0;
        plays.add(new Play("u" + u, "e" + u + "-" + i, start, start + ms, ms, episode, "item" + random.nextInt(30),
            null, null, null, null, null, null, ms >= 30_000, random.nextBoolean(), 0, 0, (long) i));
      }
    }
    Set<String> expected = new TreeSet<>();
    int capCuts = 0;
    for (int u = 0; u < 12; u++) {
      String user = "u" + u;
      List<Play> mine = new ArrayList<>(plays.stream().filter(p -> p.getUserId().equals(user)).toList());
      List<Session> sessions = SessionCutter.cut(mine, rules);
      for (int i = 1; i < sessions.size(); i++) {
        // A cut that is not a gap of the whole chain so far is a cap cut (or follows one).
        long start = sessions.get(i).getSessionStart().toEpochMilli();
        long latest = sessions.subList(0, i).stream().mapToLong(s -> s.getSessionEnd().toEpochMilli()).max()
            .orElseThrow();
        capCuts += start <= latest + rules.gapMs() ? 1 : 0;
      }
      for (Session s : sessions) {
        expected.add(String.join("|", s.getUserId(), s.getSessionId(),
            Long.toString(s.getSessionStart().toEpochMilli()), Long.toString(s.getSessionEnd().toEpochMilli()),
            Integer.toString(s.getPlays()), Integer.toString(s.getStreams()), Integer.toString(s.getSkips()),
            Long.toString(s.getMsPlayed()), Integer.toString(s.getDistinctItems()), Integer.toString(s.getTracks()),
            Integer.toString(s.getEpisodes())));
      }
    }
    assertThat("the data has cap cuts", capCuts, greaterThan(10));

    Set<String> actual = new TreeSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE plays (user_id VARCHAR, event_id VARCHAR, start_ms BIGINT, ts BIGINT,"
          + " ms_played BIGINT, item_id VARCHAR, episode BOOLEAN, qualifying BOOLEAN, skip BOOLEAN)");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO plays VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (Play p : plays) {
          insert.setString(1, p.getUserId());
          insert.setString(2, p.getEventId());
          insert.setLong(3, p.getStartMs());
          insert.setLong(4, p.getEndMs());
          insert.setLong(5, p.getMsPlayed());
          insert.setString(6, p.getItemId());
          insert.setBoolean(7, p.getEpisode());
          insert.setBoolean(8, p.getQualifying());
          insert.setBoolean(9, p.getSkip());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      String sql = DuckDbNightly.sessionsSql(rules, LocalDate.parse("2023-12-01"), LocalDate.parse("2024-12-31"));
      try (ResultSet rs = s.executeQuery("SELECT user_id, session_id, epoch_ms(session_start),"
          + " epoch_ms(session_end), plays, streams, skips, ms_played, distinct_items, tracks, episodes FROM ("
          + sql + ")")) {
        while (rs.next()) {
          List<String> values = new ArrayList<>();
          for (int i = 1; i <= 11; i++) {
            values.add(rs.getString(i));
          }
          actual.add(String.join("|", values));
        }
      }
    }
    assertThat(actual, equalTo(expected));
  }
}
