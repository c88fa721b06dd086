package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.config.JobDefinition;
import dev.encore.testing.DuckDb;
import dev.encore.testing.PublishedRows;
import dev.encore.testing.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes the benchmark's references trustworthy: on the committed sample (90 days, a first run on an empty
 * output root, so every dataset has rows, entity_rewards included), the plain-Java single pass publishes exactly the
 * pipeline's rows in every dataset, and the DuckDB SQL reference exactly its sessions and user_rewards (version 2
 * labels: withheld partitions, days_final, days_to_return_W, user_first_active_date), whatever user_rewards column
 * families the definition has.
 */
class ReferencesMatchPipelineTest {
  static final LocalDate T = LocalDate.parse("2024-03-30");
  static final Path LOGS = Path.of("testdata/logs");
  static final List<String> ALL = PublishedRows.DATASETS;

  @TempDir static Path tmp;
  static Path pipeline;

  @BeforeAll
  static void runThePipeline() {
    pipeline = tmp.resolve("pipeline");
    Runs.nightly(T, LOGS, pipeline);
  }

  @Test
  void plainJavaPublishesThePipelinesRowsInEveryDataset() throws Exception {
    Path out = tmp.resolve("java");
    PlainJavaNightly.Result result = PlainJavaNightly.run(T, LOGS, out, 5000, JobDefinition.builtIn());
    for (String dataset : ALL) {
      long rows = sameRows(dataset, pipeline, out);
      assertThat(dataset, result.rows().get(dataset), equalTo(rows));
    }
    // The row counts the benchmark compares, read from the Parquet footers.
    assertThat(DatasetCounts.of(out), equalTo(DatasetCounts.of(pipeline)));
  }

  @Test
  void plainJavaPredictsStickinessAsThePipelineWhenALevelHasAPrior() throws Exception {
    // On 2024-03-30 no level has a prior (the fit window ends before the sample's first complete lookback), so
    // every prediction above is null. The sample's last day with min_discoverers 3 fits an artist prior (as in
    // IndependentPredictionCheckTest), so the posteriors and per-discovery predictions are compared too.
    LocalDate last = LocalDate.parse("2024-05-29");
    Path definition = tmp.resolve("min3.yaml");
    String yaml = Files.readString(Path.of("pipelines/nightly.yaml"));
    String edited = yaml.replace("\n  min_discoverers: 5\n", "\n  min_discoverers: 3\n");
    assertThat(edited.equals(yaml), equalTo(false));
    Files.writeString(definition, edited);
    Path expected = tmp.resolve("pipeline-min3");
    Runs.nightly(last, LOGS, expected, "--definition=" + definition);
    Path out = tmp.resolve("java-min3");
    PlainJavaNightly.Result result = PlainJavaNightly.run(last, LOGS, out, 5000, JobDefinition.load(definition));
    for (String dataset : ALL) {
      assertThat(dataset, result.rows().get(dataset), equalTo(sameRows(dataset, expected, out)));
    }
    try (DuckDb db = DuckDb.open()) {
      assertThat(db.longValue("SELECT count(*) FROM " + DuckDb.readDataset(out, "reward_priors")
          + " WHERE prior_mean IS NOT NULL"), greaterThan(0L));
      assertThat(db.longValue("SELECT count(*) FROM " + DuckDb.readDataset(out, "entity_predictions")
          + " WHERE stickiness_60_pred IS NOT NULL"), greaterThan(0L));
      assertThat(db.longValue("SELECT count(*) FROM " + DuckDb.readDataset(out, "user_entity_rewards")
          + " WHERE stickiness_60_pred IS NOT NULL"), greaterThan(0L));
    }
  }

  @Test
  void duckDbPublishesThePipelinesSessionsAndUserRewards() throws Exception {
    Path plays = tmp.resolve("plays");
    PlaysExport.export(LOGS, plays);
    Path out = tmp.resolve("duckdb");
    Map<String, Long> rows = DuckDbNightly.run(plays, T, out, 2, 5000, JobDefinition.builtIn());
    for (String dataset : List.of("sessions", "user_rewards")) {
      assertThat(dataset, rows.get(dataset), equalTo(sameRows(dataset, pipeline, out)));
    }
    assertThat(DatasetCounts.of(out).keySet(), equalTo(java.util.Set.of("sessions", "user_rewards")));
  }

  @Test
  void duckDbFollowsTheUserRewardFamiliesOfTheDefinition() throws Exception {
    // The optional family active_weeks_N (4 and 14 days, and 70, beyond every other window: days_to_return_70,
    // the maturity age 73) and no volume columns at all (volume_horizons: []).
    Path definition = tmp.resolve("weeks.yaml");
    String yaml = Files.readString(Path.of("pipelines/nightly.yaml"));
    String edited = yaml.replace("\nuser_rewards:\n", "\nuser_rewards:\n  active_weeks_horizons: [70, 4, 14]\n")
        .replace("volume_horizons: [28]", "volume_horizons: []");
    assertThat(edited.equals(yaml), equalTo(false));
    Files.writeString(definition, edited);
    Path expected = tmp.resolve("pipeline-weeks");
    Runs.nightly(T, LOGS, expected, "--definition=" + definition);
    Path plays = tmp.resolve("plays-weeks");
    PlaysExport.export(LOGS, plays);
    Path out = tmp.resolve("duckdb-weeks");
    Map<String, Long> rows = DuckDbNightly.run(plays, T, out, 2, 5000, JobDefinition.load(definition));
    assertThat(rows.get("user_rewards"), equalTo(sameRows("user_rewards", expected, out)));
    try (DuckDb db = DuckDb.open()) {
      List<String> columns = db.describe(out + "/user_rewards/dt=*/*.parquet").stream()
          .map(DuckDb.Column::name).toList();
      assertThat(columns.toString(), columns.contains("active_weeks_70") && columns.contains("days_to_return_70")
          && columns.stream().noneMatch(c -> c.startsWith("streams_")), equalTo(true));
    }
  }

  @Test
  void aHotUserDayIsLeftOutByBothReferencesAsByThePipeline() throws Exception {
    // With a limit of 60 plays a user-day, the sample's bot and its heaviest listeners are left out.
    Path limited = tmp.resolve("pipeline-limited");
    Runs.nightly(T, LOGS, limited, "--maxPlaysPerUserDay=60");
    Path java = tmp.resolve("java-limited");
    PlainJavaNightly.run(T, LOGS, java, 60, JobDefinition.builtIn());
    for (String dataset : ALL) {
      sameRows(dataset, limited, java);
    }
    Path plays = tmp.resolve("plays-limited");
    PlaysExport.export(LOGS, plays);
    Path duck = tmp.resolve("duckdb-limited");
    DuckDbNightly.run(plays, T, duck, 2, 60, JobDefinition.builtIn());
    for (String dataset : List.of("sessions", "user_rewards")) {
      sameRows(dataset, limited, duck);
    }
    assertThat(DatasetCounts.of(limited).get("sessions"), greaterThan(0L));
    assertThat(DatasetCounts.of(limited).get("sessions"), org.hamcrest.Matchers.lessThan(
        DatasetCounts.of(pipeline).get("sessions")));
  }

  /** Asserts both roots hold the same multiset of rows in a dataset (every column, dt included); returns the count. */
  static long sameRows(String dataset, Path expected, Path actual) {
    String a = DuckDb.readDataset(expected, dataset);
    String b = DuckDb.readDataset(actual, dataset);
    try (DuckDb db = DuckDb.open()) {
      long rows = db.longValue("SELECT count(*) FROM " + a);
      assertThat(dataset + " has rows", rows, greaterThan(0L));
      assertThat(dataset + " rows", db.longValue("SELECT count(*) FROM " + b), equalTo(rows));
      assertThat(dataset + ": rows of " + expected + " missing in " + actual, db.longValue(
          "SELECT count(*) FROM (SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b + ")"), equalTo(0L));
      return rows;
    }
  }
}
