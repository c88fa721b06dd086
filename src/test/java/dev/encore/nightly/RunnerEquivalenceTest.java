package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.publish.OutputRoot;
import dev.encore.testing.DuckDb;
import dev.encore.testing.PublishedRows;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Determinism does not depend on the runner, the parallelism or bundle order: the DirectRunner, the embedded
 * Flink runner at parallelism 1 and 2 and the Spark runner in local mode with two threads publish exactly the same
 * rows in every dataset, the stickiness predictions included (their sums are exact or taken in entity order).
 * (Spark once reported success while losing plays with session windows: a runner is trusted only after this
 * comparison.)
 */
class RunnerEquivalenceTest {
  static final LocalDate T = LocalDate.parse("2024-03-30");

  @TempDir Path tmp;

  @Test
  void directFlinkAtParallelism1And2AndSparkPublishTheSameRows() throws Exception {
    // The last two weeks of the sample keep the DirectRunner quick.
    Path logs = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs"));
    try (Stream<Path> dirs = Files.list(logs)) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("dt=")
          && d.getFileName().toString().compareTo("dt=" + T.minusDays(13)) < 0).toList()) {
        dev.encore.store.StoreFiles.deleteTree(d.toString());
      }
    }
    // Windows short enough that 14 days publish every dataset, the predictions with a prior included: discoveries
    // with a 2-day lookback and a 3-day trace (M = 3 + L = 6), the prior fitted on those of 03-20 .. 03-24.
    Path definition = tmp.resolve("short-windows.yaml");
    Files.writeString(definition, """
        version: 2
        plays:
          stream_threshold_ms: {TRACK: 30000, EPISODE: 60000}
          allowed_lateness_days: 3
        sessions: {gap_minutes: 30, max_session_hours: 24}
        user_rewards: {active_days_horizons: [3], volume_horizons: [3]}
        discovery: {entity_levels: [artist, show], lookback_days: 2, stickiness_days: 4, active_days_horizons: [3]}
        publishing: {checkpoints: auto}
        predictions: {fit_days: 5, min_discoverers: 2, ridge: 0.1}
        """);
    String shortWindows = "--definition=" + definition;
    Path direct = tmp.resolve("direct");
    Path flink1 = tmp.resolve("flink1");
    Path flink2 = tmp.resolve("flink2");
    Path spark = tmp.resolve("spark");
    // The DirectRunner with its checks that no stage mutates or fails to encode an element (off by default).
    NightlyEndToEnd.nightly(logs, direct, T, shortWindows,
        "--runner=DirectRunner", "--enforceImmutability=true", "--enforceEncodability=true");
    NightlyEndToEnd.nightly(logs, flink1, T, shortWindows, "--runner=FlinkRunner", "--parallelism=1");
    NightlyEndToEnd.nightly(logs, flink2, T, shortWindows, "--runner=FlinkRunner", "--parallelism=2");
    Runs.Cli sparkRun = NightlyEndToEnd.nightly(
        logs, spark, T, shortWindows, "--runner=SparkRunner", "--sparkMaster=local[2]");
    assertThat(sparkRun.out(), containsString("on SparkRunner"));
    for (String dataset : PublishedRows.DATASETS) {
      assertThat(dataset, PublishedRows.count(direct, dataset), greaterThan(0L));
    }
    try (DuckDb db = DuckDb.open()) {
      String priors = DuckDb.readDataset(direct, "reward_priors");
      assertThat("levels with a prior", db.longValue(
          "SELECT count(*) FROM " + priors + " WHERE prior_mean IS NOT NULL"), greaterThan(0L));
      String discoveries = DuckDb.readDataset(direct, "user_entity_rewards");
      assertThat("discoveries with a prediction", db.longValue(
          "SELECT count(*) FROM " + discoveries + " WHERE stickiness_4_pred IS NOT NULL"), greaterThan(0L));
    }
    PublishedRows.assertSame(direct, flink1);
    PublishedRows.assertSame(direct, flink2);
    PublishedRows.assertSame(direct, spark);
  }
}
