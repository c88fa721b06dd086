package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.ListeningEvent;
import dev.encore.testing.DuckDb;
import dev.encore.testing.LogsFixture;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rewards through the real command on hand-made logs: every value is worked out by hand below. Logs start on
 * 2024-01-01 (F); the run is T = 2024-01-29, so the publication ages 1, 7, 28 (63 is before F) publish the anchors
 * 2024-01-28, 2024-01-22 and 2024-01-01.
 */
class RewardsSmallTest {
  static final LocalDate F = LocalDate.parse("2024-01-01");
  static final LocalDate T = LocalDate.parse("2024-01-29");

  @TempDir static Path tmp;
  static Path out;

  private static ListeningEvent play(String id, String user, String ts, long ms, String type) {
    return ListeningEvent.newBuilder()
        .setEventId(id).setUserId(user).setTs(Instant.parse(ts)).setMsPlayed(ms).setContentType(type)
        .setItemId("item-" + id)
        .setArtistId("TRACK".equals(type) ? "artist-" + user : null)
        .setShowId("EPISODE".equals(type) ? "show-" + user : null)
        .setContextType("search").setReasonStart("clickrow")
        .build();
  }

  private static ListeningEvent track(String id, String user, String ts, long ms) {
    return play(id, user, ts, ms, "TRACK");
  }

  private static void arrive(Path logs, String day, ListeningEvent... events) throws Exception {
    LogsFixture.writePartition(logs, LocalDate.parse(day), "part-" + events[0].getEventId() + ".avro",
        Arrays.asList(events));
  }

  @BeforeAll
  static void run() throws Exception {
    Path logs = tmp.resolve("logs");
    out = tmp.resolve("out");
    LogsFixture.sealDays(logs, F, T);
    // u1: a 45 s TRACK on D = 01-01 qualifies (30 s threshold); back on 01-08 (D+7) and 01-09 (D+8), 3 min each;
    // and on 01-28 and 01-29.
    arrive(logs, "2024-01-01", track("u1a", "u1", "2024-01-01T12:00:00Z", 45_000));
    arrive(logs, "2024-01-08", track("u1b", "u1", "2024-01-08T12:00:00Z", 180_000));
    arrive(logs, "2024-01-09", track("u1c", "u1", "2024-01-09T12:00:00Z", 180_000));
    arrive(logs, "2024-01-28", track("u1d", "u1", "2024-01-28T12:00:00Z", 180_000));
    arrive(logs, "2024-01-29", track("u1e", "u1", "2024-01-29T12:00:00Z", 180_000));
    // u2: a 45 s EPISODE on 01-01 does not qualify (60 s threshold): u2 is not active, no row.
    arrive(logs, "2024-01-01", play("u2a", "u2", "2024-01-01T12:00:00Z", 45_000, "EPISODE"));
    // u3: active on 01-01 and 01-05; private plays on 01-02 and 01-03 would otherwise make it return on D+1.
    ListeningEvent p2 = track("u3p2", "u3", "2024-01-02T12:00:00Z", 180_000);
    p2.setIncognitoMode(true);
    ListeningEvent p3 = track("u3p3", "u3", "2024-01-03T12:00:00Z", 180_000);
    p3.setIncognitoMode(true);
    arrive(logs, "2024-01-01", track("u3a", "u3", "2024-01-01T12:00:00Z", 180_000));
    arrive(logs, "2024-01-02", p2);
    arrive(logs, "2024-01-03", p3);
    arrive(logs, "2024-01-05", track("u3b", "u3", "2024-01-05T12:00:00Z", 180_000));
    // u4: active on 01-01; on 01-03 one play delivered twice (01-03 and again 01-04): one stream, not two.
    arrive(logs, "2024-01-01", track("u4a", "u4", "2024-01-01T12:00:00Z", 180_000));
    arrive(logs, "2024-01-03", track("u4b", "u4", "2024-01-03T12:00:00Z", 180_000));
    arrive(logs, "2024-01-04", track("u4b", "u4", "2024-01-03T12:00:00Z", 180_000));
    // u5: active on 01-01; a 01-02 play arrives 3 days late (01-05: accepted), a 01-03 play 4 days late (01-07:
    // too_late, rejected).
    arrive(logs, "2024-01-01", track("u5a", "u5", "2024-01-01T12:00:00Z", 180_000));
    arrive(logs, "2024-01-05", track("u5b", "u5", "2024-01-02T12:00:00Z", 180_000));
    arrive(logs, "2024-01-07", track("u5c", "u5", "2024-01-03T12:00:00Z", 180_000));
    NightlyEndToEnd.nightly(logs, out, T);
  }

  private static List<String> userRewards(String dt) throws Exception {
    List<String> rows = new ArrayList<>();
    for (List<Object> r : DuckDb.query(
        "SELECT user_id, active_days_7, active_days_28, active_days_60, return_d1, days_to_return, streams_28,"
            + " ms_played_28, days_observed, mature_1, mature_7, mature_28, mature_60, CAST(as_of AS VARCHAR)"
            + " FROM read_parquet('" + out + "/user_rewards/dt=" + dt + "/*.parquet') ORDER BY user_id")) {
      rows.add(r.toString());
    }
    return rows;
  }

  @Test
  void anchorOfTheFirstDay() throws Exception {
    // Window (01-01, 01-29] is observed up to T: 28 days; mature_N needs 01-01 + N + 3 <= 01-29: N <= 25.
    assertThat(userRewards("2024-01-01"), equalTo(List.of(
        // D+7 counts in active_days_7, D+8 only from 28 on; 01-28 and 01-29 too: 4 days, 4 streams of 180 s.
        "[u1, 1, 4, 4, false, 7, 4, 720000, 28, true, true, false, false, 2024-01-29]",
        // private plays on 01-02 and 01-03 do not count: back on 01-05 only.
        "[u3, 1, 1, 1, false, 4, 1, 180000, 28, true, true, false, false, 2024-01-29]",
        // the duplicate delivery is one stream on one day.
        "[u4, 1, 1, 1, false, 2, 1, 180000, 28, true, true, false, false, 2024-01-29]",
        // the 3-days-late play counts (01-02), the 4-days-late one does not (01-03).
        "[u5, 1, 1, 1, true, 1, 1, 180000, 28, true, true, false, false, 2024-01-29]")));
  }

  @Test
  void partlyObservedAnchor() throws Exception {
    // D = 01-28: only 01-29 observed (days_observed 1); return_d1 true; nothing is mature (01-28+1+3 > 01-29).
    assertThat(userRewards("2024-01-28"), equalTo(List.of(
        "[u1, 1, 1, 1, true, 1, 1, 180000, 1, false, false, false, false, 2024-01-29]")));
    // Nobody was active on 01-22.
    assertThat(userRewards("2024-01-22"), equalTo(List.of()));
  }

  @Test
  void discoveriesOfTheFirstDayHaveIncompleteLookbackAndPartialTraces() throws Exception {
    List<List<Object>> rows = DuckDb.query(
        "SELECT user_id, entity_id, trace, stickiness_60, active_days_7, active_days_28, lookback_complete,"
            + " days_observed, discovery_context_type FROM read_parquet('" + out
            + "/user_entity_rewards/dt=2024-01-01/*.parquet') WHERE user_id = 'u1'");
    assertThat(rows.size(), equalTo(1));
    List<Object> u1 = rows.get(0);
    assertThat(u1.get(1), equalTo("artist-u1"));
    // trace k = 1..59: true at 7, 8, 27 (01-28), 28 (01-29); days after T (k >= 29) null.
    List<Boolean> trace = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      trace.add(k > 28 ? null : (k == 7 || k == 8 || k == 27 || k == 28));
    }
    assertThat(u1.get(2), equalTo(trace));
    assertThat(u1.subList(3, 9), equalTo(Arrays.asList(null, 1, 4, false, 28, "search")));
    // Lookback incomplete: no entity statistics for 01-01.
    assertThat(DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + out
        + "/entity_rewards/dt=2024-01-01/*.parquet')"), equalTo(0L));
  }
}
