package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.testing.DuckDb;
import dev.encore.testing.RewardsOracle;
import dev.encore.testing.SpotifyHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reward row the real command publishes, read back with DuckDB, equals the row the independent oracle
 * computes in DuckDB SQL from the input plays (not from any pipeline data).
 */
class RewardsEndToEndTest {
  @TempDir Path tmp;

  /** Compares the three reward datasets of run {@code t} with the oracle; returns the rows compared. */
  private static long assertRewardsEqualOracle(Path logs, Path out, LocalDate t) throws Exception {
    return assertRewardsEqualOracle(logs, out, t, RewardsOracle.Definition.defaults());
  }

  /** The same under another definition, which the run was given too. */
  private static long assertRewardsEqualOracle(Path logs, Path out, LocalDate t, RewardsOracle.Definition def)
      throws Exception {
    long rows = 0;
    try (RewardsOracle oracle = RewardsOracle.load(logs, def); DuckDb db = DuckDb.open()) {
      List<String> user = RewardsOracle.renderQuery(
          db, DuckDb.readDataset(out, "user_rewards"), def.userRewardColumns());
      assertThat(user, equalTo(oracle.renderedUserRewards(t)));
      List<String> discoveries = RewardsOracle.renderQuery(
          db, DuckDb.readDataset(out, "user_entity_rewards"), def.userEntityRewardColumns());
      assertThat(discoveries, equalTo(oracle.renderedUserEntityRewards(t)));
      List<String> entities = RewardsOracle.renderQuery(
          db, DuckDb.readDataset(out, "entity_rewards"), def.entityRewardColumns());
      assertThat(entities, equalTo(oracle.renderedEntityRewards(t)));
      rows = user.size() + discoveries.size() + entities.size();
    }
    return rows;
  }

  @Test
  void testdataRewardsEqualTheSqlOracle() throws Exception {
    Path logs = Path.of("testdata/logs").toAbsolutePath();
    Path out = tmp.resolve("out");
    LocalDate t = LocalDate.parse("2024-03-30");
    NightlyEndToEnd.nightly(logs, out, t);
    assertThat(assertRewardsEqualOracle(logs, out, t), greaterThan(300L));
  }

  @Test
  void activeWeeksColumnsEqualTheSqlOracle() throws Exception {
    // The optional family active_weeks_N at 4 and 14 days, horizons no other family has (so mature_4 and mature_14
    // are new), and at 70, beyond every other window: days_final counts up to 70 and the maturity age is 73,
    // so run T publishes T-73 as well.
    Path definition = tmp.resolve("weeks.yaml");
    Files.writeString(definition, Files.readString(Path.of("pipelines/nightly.yaml"))
        .replace("\nuser_rewards:\n", "\nuser_rewards:\n  active_weeks_horizons: [70, 4, 14]\n"));
    Path logs = Path.of("testdata/logs").toAbsolutePath();
    Path out = tmp.resolve("out");
    LocalDate t = LocalDate.parse("2024-03-30");
    NightlyEndToEnd.nightly(logs, out, t, "--definition=" + definition);

    RewardsOracle.Definition def = RewardsOracle.Definition.defaults().withActiveWeeksHorizons(4, 14, 70);
    assertThat(assertRewardsEqualOracle(logs, out, t, def), greaterThan(300L));
    try (DuckDb db = DuckDb.open()) {
      String userRewards = DuckDb.readDataset(out, "user_rewards");
      List<String> columns = new ArrayList<>(def.userRewardColumns());
      columns.add("dt");
      assertThat(db.describe(out + "/user_rewards/dt=*/*.parquet").stream().map(DuckDb.Column::name).toList(),
          equalTo(columns));
      // T-73: the maturity age followed the new longest horizon.
      assertThat(db.longValue("SELECT count(*) FROM " + userRewards + " WHERE anchor_date = DATE '2024-01-17'"),
          greaterThan(0L));
      // Users back in only some of the ten blocks of (D, D+70]: the column is not a copy of another.
      assertThat(db.longValue("SELECT count(DISTINCT active_weeks_70) FROM " + userRewards), greaterThan(4L));
    }
  }

  @Test
  void realHistoriesWithMatureLabelsEqualTheSqlOracle() throws Exception {
    // 130 days of the public Spotify histories: the T-63 anchor (2020-09-01) has a complete 60-day lookback
    // (from 2020-07-03 on) and mature 60-day labels.
    Path logs = tmp.resolve("logs");
    Path out = tmp.resolve("out");
    LocalDate t = LocalDate.parse("2020-11-03");
    SpotifyHistory.convert(logs, SpotifyHistory.firstUsers(102), LocalDate.parse("2020-06-27"), t);
    NightlyEndToEnd.nightly(logs, out, t);
    assertThat(assertRewardsEqualOracle(logs, out, t), greaterThan(300L));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "user_entity_rewards")
        + " WHERE trace_mature AND lookback_complete AND stickiness_60 BETWEEN 1 AND 60"), greaterThan(20L));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "user_rewards")
        + " WHERE mature_60"), greaterThan(10L));
  }
}
