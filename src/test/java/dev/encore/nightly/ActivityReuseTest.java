package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.encore.EncoreException;
import dev.encore.publish.Publisher;
import dev.encore.sessions.ActivityLogic;
import dev.encore.testing.DuckDb;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published activity is reused only when it was built by the current activity logic: activity of another version
 * is rebuilt (and the run metadata says why), and when the logs it needs were removed by retention the run exits
 * 3 naming the oldest missing partition, rather than publishing activity rebuilt from nothing.
 */
class ActivityReuseTest {
  static final Path TESTDATA = Path.of("testdata/logs").toAbsolutePath();
  static final LocalDate FIRST_NIGHT = LocalDate.parse("2024-03-29");
  static final LocalDate NEXT_NIGHT = LocalDate.parse("2024-03-30");

  @TempDir static Path tmp;
  static Path logs;
  static Path out;

  @BeforeAll
  static void publishOneNightThenAgeItsActivity() throws IOException {
    logs = tmp.resolve("logs");
    TreeSnapshot.copy(TESTDATA, logs);
    out = tmp.resolve("out");
    Runs.nightly(FIRST_NIGHT, logs, out);
    // As if the activity had been published by the previous version of the activity logic.
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try (Stream<Path> partitions = Files.list(out.resolve("activity"))) {
      for (Path p : partitions.toList()) {
        Map<String, Object> meta = Publisher.readMetadata(p);
        assertThat(p.toString(), meta.get(NightlyPlanner.ACTIVITY_LOGIC_VERSION), equalTo(ActivityLogic.VERSION));
        meta.put(NightlyPlanner.ACTIVITY_LOGIC_VERSION, ActivityLogic.VERSION - 1);
        json.writeValue(p.resolve(Publisher.RUN_METADATA).toFile(), meta);
      }
    }
  }

  @Test
  void activityOfAnotherLogicVersionIsRebuiltAndTheRunSaysWhy() throws Exception {
    Path root = tmp.resolve("rebuilt");
    TreeSnapshot.copy(out, root);
    NightlySummary s = Runs.nightly(NEXT_NIGHT, logs, root);
    Map<String, Object> meta = Publisher.readMetadata(root.resolve("activity/dt=2024-01-27"));
    assertThat(meta.get("date"), equalTo(NEXT_NIGHT.toString()));
    assertThat(((Number) meta.get("activity_reused_days")).intValue(), equalTo(0));
    // Activity of 2024-01-01 .. 2024-03-26 (the days before the late window T-L) was published by the old
    // version; 2024-03-27 and later are rebuilt by every run anyway.
    Map<?, ?> why = (Map<?, ?>) meta.get("activity_rebuilt_why");
    String reason = "built by activity logic version " + (ActivityLogic.VERSION - 1) + " (this is version "
        + ActivityLogic.VERSION + ")";
    assertThat(why.toString(), ((Number) why.get(reason)).intValue(), equalTo(86));
    // Every activity day was recomputed: 86 older days plus T-L .. T; rows equal to what was published leave the
    // files as they are (unchanged) but renew the metadata with the current version.
    long recomputed = java.util.stream.Stream.concat(s.published().stream(), s.unchanged().stream())
        .filter(p -> p.startsWith("activity/")).count();
    assertThat(recomputed, equalTo(90L));
    assertThat(Publisher.readMetadata(root.resolve("activity/dt=2024-01-27"))
        .get(NightlyPlanner.ACTIVITY_LOGIC_VERSION), equalTo(ActivityLogic.VERSION));
  }

  @Test
  void rewardsPublishedUnderAnOlderDefinitionFormatAreRepublishedByTheNextRun() throws Exception {
    Path root = tmp.resolve("legacy");
    TreeSnapshot.copy(out, root);
    // 2024-01-26 was published by the first night at age 63; mark it as published under definition version 1.
    Path legacy = root.resolve("user_rewards/dt=2024-01-26");
    Map<String, Object> meta = Publisher.readMetadata(legacy);
    @SuppressWarnings("unchecked")
    Map<String, Object> definition = (Map<String, Object>) meta.get("definition");
    definition.put("version", 1);
    new ObjectMapper().writeValue(legacy.resolve(Publisher.RUN_METADATA).toFile(), meta);
    long rows = DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + legacy + "/*.parquet')");

    Runs.nightly(NEXT_NIGHT, logs, root);

    // Not a publication age of 2024-03-30 (67 days), yet rewritten as of it, in the current format; the same
    // rows (the day was final before), every value final.
    Map<String, Object> now = Publisher.readMetadata(legacy);
    assertThat(now.get("date"), equalTo(NEXT_NIGHT.toString()));
    assertThat(((Map<?, ?>) now.get("definition")).get("version"), equalTo(2));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + legacy + "/*.parquet')"
        + " WHERE as_of = DATE '2024-03-30' AND mature_60"), equalTo(rows));
    // The day's partitions of the other reward datasets are republished with it, so they stay one version.
    assertThat(Publisher.readMetadata(root.resolve("entity_rewards/dt=2024-01-26")).get("date"),
        equalTo(NEXT_NIGHT.toString()));
    // A day nobody marked stays as the first night published it (not a publication age of the next).
    assertThat(Publisher.readMetadata(root.resolve("user_rewards/dt=2024-02-27")).get("date"),
        equalTo(FIRST_NIGHT.toString()));
  }

  @Test
  void activityThatCannotBeRebuiltBecauseItsLogsAreGoneExits3() throws Exception {
    Path root = tmp.resolve("retention");
    TreeSnapshot.copy(out, root);
    Path retained = tmp.resolve("retained-logs");
    TreeSnapshot.copy(logs, retained);
    for (LocalDate d = LocalDate.parse("2024-01-01"); d.isBefore(LocalDate.parse("2024-02-01")); d = d.plusDays(1)) {
      deleteTree(retained.resolve("dt=" + d));
    }
    EncoreException e = assertThrows(EncoreException.class, () -> Runs.nightly(NEXT_NIGHT, retained, root));
    assertThat(e.exitCode(), equalTo(EncoreException.INPUT));
    assertThat(e.getMessage(), containsString("oldest missing partition is " + retained.resolve("dt=2024-01-01")));
    assertThat(e.getMessage(), containsString("built by activity logic version"));
    // Nothing was published: the night's partitions are those of the first run.
    assertThat(Publisher.readMetadata(root.resolve("activity/dt=2024-01-27")).get("date"),
        equalTo(FIRST_NIGHT.toString()));
    assertThat(Files.exists(root.resolve("sessions/dt=2024-03-29")), equalTo(false));
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
