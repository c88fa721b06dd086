package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.ListeningEvent;
import dev.encore.testing.DuckDb;
import dev.encore.testing.LogsFixture;
import java.nio.file.Files;
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
 * 2024-01-01 (F, never final: no arrival day precedes it); the run is T = 2024-02-02, so the publication ages 4, 10,
 * 31 (63 is before F) publish the anchors 2024-01-29, 2024-01-23 and 2024-01-02. Input is complete: the final days
 * are 01-02 .. 01-30 (d + 3 ≤ T).
 */
class RewardsSmallTest {
  static final LocalDate F = LocalDate.parse("2024-01-01");
  static final LocalDate T = LocalDate.parse("2024-02-02");

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
    // u1: a 45 s TRACK on D = 01-02 qualifies (30 s threshold); back on 01-09 (D+7) and 01-10 (D+8), 3 min each;
    // on 01-29 and 01-30; and on 02-01, which is not final at T.
    arrive(logs, "2024-01-02", track("u1a", "u1", "2024-01-02T12:00:00Z", 45_000));
    arrive(logs, "2024-01-09", track("u1b", "u1", "2024-01-09T12:00:00Z", 180_000));
    arrive(logs, "2024-01-10", track("u1c", "u1", "2024-01-10T12:00:00Z", 180_000));
    arrive(logs, "2024-01-29", track("u1d", "u1", "2024-01-29T12:00:00Z", 180_000));
    arrive(logs, "2024-01-30", track("u1e", "u1", "2024-01-30T12:00:00Z", 180_000));
    arrive(logs, "2024-02-01", track("u1f", "u1", "2024-02-01T12:00:00Z", 180_000));
    // u2: a 45 s EPISODE on 01-02 does not qualify (60 s threshold): u2 is not active, no row.
    arrive(logs, "2024-01-02", play("u2a", "u2", "2024-01-02T12:00:00Z", 45_000, "EPISODE"));
    // u3: active on 01-02 and 01-06; private plays on 01-03 and 01-04 would otherwise make it return on D+1.
    ListeningEvent p2 = track("u3p2", "u3", "2024-01-03T12:00:00Z", 180_000);
    p2.setIncognitoMode(true);
    ListeningEvent p3 = track("u3p3", "u3", "2024-01-04T12:00:00Z", 180_000);
    p3.setIncognitoMode(true);
    arrive(logs, "2024-01-02", track("u3a", "u3", "2024-01-02T12:00:00Z", 180_000));
    arrive(logs, "2024-01-03", p2);
    arrive(logs, "2024-01-04", p3);
    arrive(logs, "2024-01-06", track("u3b", "u3", "2024-01-06T12:00:00Z", 180_000));
    // u4: active on 01-02; on 01-04 one play delivered twice (01-04 and again 01-05): one stream, not two.
    arrive(logs, "2024-01-02", track("u4a", "u4", "2024-01-02T12:00:00Z", 180_000));
    arrive(logs, "2024-01-04", track("u4b", "u4", "2024-01-04T12:00:00Z", 180_000));
    arrive(logs, "2024-01-05", track("u4b", "u4", "2024-01-04T12:00:00Z", 180_000));
    // u5: active on 01-02; a 01-03 play arrives 3 days late (01-06: accepted), a 01-04 play 4 days late (01-08:
    // too_late, rejected).
    arrive(logs, "2024-01-02", track("u5a", "u5", "2024-01-02T12:00:00Z", 180_000));
    arrive(logs, "2024-01-06", track("u5b", "u5", "2024-01-03T12:00:00Z", 180_000));
    arrive(logs, "2024-01-08", track("u5c", "u5", "2024-01-04T12:00:00Z", 180_000));
    NightlyEndToEnd.nightly(logs, out, T);
  }

  private static List<String> userRewards(String dt) throws Exception {
    List<String> rows = new ArrayList<>();
    for (List<Object> r : DuckDb.query(
        "SELECT user_id, active_days_7, active_days_28, active_days_60, return_d1, days_to_return_60, streams_28,"
            + " ms_played_28, CAST(user_first_active_date AS VARCHAR), days_final, mature_1, mature_7, mature_28,"
            + " mature_60, CAST(as_of AS VARCHAR)"
            + " FROM read_parquet('" + out + "/user_rewards/dt=" + dt + "/*.parquet') ORDER BY user_id")) {
      rows.add(r.toString());
    }
    return rows;
  }

  @Test
  void anchorAtAge31() throws Exception {
    // D = 01-02: days 01-03 .. 01-30 are final (days_final 28); mature_N for N <= 28. The 60 days before D are
    // not all observed (F = 01-01): no user_first_active_date.
    assertThat(userRewards("2024-01-02"), equalTo(List.of(
        // D+7 counts in active_days_7, D+8 from 28 on; 01-29 and 01-30 too: 4 days, 4 streams of 180 s. 02-01 is
        // active but not final: counted nowhere, not even in active_days_60.
        "[u1, 1, 4, 4, false, 7, 4, 720000, null, 28, true, true, true, false, 2024-02-02]",
        // private plays on 01-03 and 01-04 do not count: back on 01-06 only.
        "[u3, 1, 1, 1, false, 4, 1, 180000, null, 28, true, true, true, false, 2024-02-02]",
        // the duplicate delivery is one stream on one day.
        "[u4, 1, 1, 1, false, 2, 1, 180000, null, 28, true, true, true, false, 2024-02-02]",
        // the 3-days-late play counts (01-03), the 4-days-late one does not (01-04).
        "[u5, 1, 1, 1, true, 1, 1, 180000, null, 28, true, true, true, false, 2024-02-02]")));
  }

  @Test
  void anchorAtAge4() throws Exception {
    // D = 01-29: only 01-30 is final (days_final 1): return_d1 is known and final; 02-01 is not counted.
    assertThat(userRewards("2024-01-29"), equalTo(List.of(
        "[u1, 1, 1, 1, true, 1, 1, 180000, null, 1, true, false, false, false, 2024-02-02]")));
    // Nobody was active on 01-23: its partition is published, empty.
    assertThat(userRewards("2024-01-23"), equalTo(List.of()));
    // Days that are never published: the first input day (not final) and ages below L.
    assertThat(Files.exists(out.resolve("user_rewards/dt=2024-01-01")), equalTo(false));
  }

  @Test
  void discoveriesWithAnIncompleteLookbackHaveNoKindAndPartialTraces() throws Exception {
    List<List<Object>> rows = DuckDb.query(
        "SELECT user_id, entity_id, trace, stickiness_60, active_days_7, active_days_28, lookback_complete,"
            + " discovery_kind, days_final, discovery_context_type, discovery_item_id, discovery_ts,"
            + " trace_mature FROM read_parquet('" + out
            + "/user_entity_rewards/dt=2024-01-02/*.parquet') WHERE user_id = 'u1'");
    assertThat(rows.size(), equalTo(1));
    List<Object> u1 = rows.get(0);
    assertThat(u1.get(1), equalTo("artist-u1"));
    // trace k = 1..59: true at 7, 8, 27 (01-29), 28 (01-30); days that are not final (k >= 29) null.
    List<Boolean> trace = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      trace.add(k > 28 ? null : (k == 7 || k == 8 || k == 27 || k == 28));
    }
    assertThat(u1.get(2), equalTo(trace));
    // The discovering play u1a: 45 s ending at 12:00:00, so it started at 11:59:15.
    assertThat(u1.subList(3, 13), equalTo(Arrays.asList(null, 1, 4, false, null, 28, "search", "item-u1a",
        Instant.parse("2024-01-02T11:59:15Z").toEpochMilli(), false)));
    // Lookback incomplete: no entity statistics for 01-02.
    assertThat(DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + out
        + "/entity_rewards/dt=2024-01-02/*.parquet')"), equalTo(0L));
  }
}
