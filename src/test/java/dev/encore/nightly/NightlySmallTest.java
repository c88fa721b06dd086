package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.Encore;
import dev.encore.avro.ListeningEvent;
import dev.encore.testing.DuckDb;
import dev.encore.testing.LogsFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the real command on a handful of hand-made plays whose sessions are worked out by hand. */
class NightlySmallTest {
  @TempDir Path tmp;

  private static ListeningEvent play(String id, String user, String ts, long ms) {
    return ListeningEvent.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setTs(Instant.parse(ts))
        .setMsPlayed(ms)
        .setContentType("TRACK")
        .setItemId("t-" + id)
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"FlinkRunner", "DirectRunner"})
  void publishesHandComputedSessions(String runner) throws Exception {
    Path logs = tmp.resolve("logs");
    Path out = tmp.resolve("out");
    LocalDate t = LocalDate.parse("2024-01-10");
    LogsFixture.sealDays(logs, t.minusDays(6), t);
    // User a on 01-09: 23:50-23:55 and 00:05-00:09 on 01-10: one session on 01-09 crossing midnight.
    // User b on 01-09: two plays 40 min apart (new session), one duplicate delivery, one private play.
    // User b late play for 01-08, arriving on 01-10 (within lateness): a session on 01-08.
    LogsFixture.writePartition(logs, t.minusDays(1), "part-0.avro", List.of(
        play("a1", "a", "2024-01-09T23:55:00Z", 300_000),
        play("b1", "b", "2024-01-09T10:03:00Z", 180_000),
        play("b2", "b", "2024-01-09T10:46:00Z", 180_000)));
    ListeningEvent privatePlay = play("b3", "b", "2024-01-09T10:50:00Z", 60_000);
    privatePlay.setIncognitoMode(true);
    ListeningEvent invalid = play("x1", "b", "2024-01-10T10:00:00Z", -1);
    LogsFixture.writePartition(logs, t, "part-0.avro", List.of(
        play("a2", "a", "2024-01-10T00:09:00Z", 240_000),
        play("b2", "b", "2024-01-09T10:46:00Z", 180_000), // duplicate of b2
        privatePlay,
        invalid,
        play("b4", "b", "2024-01-08T08:00:00Z", 20_000)));

    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = Encore.run(
        // On the DirectRunner with its checks that no stage mutates or fails to encode an element.
        new String[] {"nightly", "--date=" + t, "--logs=" + logs, "--output=" + out, "--runner=" + runner,
            "--enforceImmutability=true", "--enforceEncodability=true"},
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertThat(stderr.toString(StandardCharsets.UTF_8), code, equalTo(0));
    String summary = stdout.toString(StandardCharsets.UTF_8);
    assertThat(summary, containsString("records read: 8; accepted 5, rejected 1, private 1, duplicate 1"));

    // Sessions: 01-08: b(1 play, 20 s, no stream). 01-09: a (2 plays crossing midnight), b (1), b (1).
    List<List<Object>> rows = DuckDb.query(
        "SELECT CAST(dt AS VARCHAR), user_id, plays, streams, ms_played,"
            + " CAST(session_start AS VARCHAR), CAST(session_end AS VARCHAR)"
            + " FROM read_parquet('" + out + "/sessions/dt=*/*.parquet', hive_partitioning=true)"
            + " ORDER BY dt, user_id, session_start");
    assertThat(rows, equalTo(List.of(
        List.of("2024-01-08", "b", 1, 0, 20_000L, "2024-01-08 07:59:40+00", "2024-01-08 08:00:00+00"),
        List.of("2024-01-09", "a", 2, 2, 540_000L, "2024-01-09 23:50:00+00", "2024-01-10 00:09:00+00"),
        List.of("2024-01-09", "b", 1, 1, 180_000L, "2024-01-09 10:00:00+00", "2024-01-09 10:03:00+00"),
        List.of("2024-01-09", "b", 1, 1, 180_000L, "2024-01-09 10:43:00+00", "2024-01-09 10:46:00+00"))));
    // Every published session day has _SUCCESS, including the empty ones.
    for (LocalDate d = t.minusDays(4); d.isBefore(t); d = d.plusDays(1)) {
      assertThat(d.toString(), Files.exists(out.resolve("sessions/dt=" + d + "/_SUCCESS")), equalTo(true));
    }
    List<List<Object>> rejected = DuckDb.query(
        "SELECT reason, position, field FROM read_parquet('" + out + "/rejected/dt=2024-01-10/*.parquet')");
    assertThat(rejected, equalTo(List.of(List.of("negative_ms_played", 3L, "ms_played"))));
  }
}
