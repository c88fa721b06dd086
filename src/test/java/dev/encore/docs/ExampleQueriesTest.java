package dev.encore.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.encore.config.JobDefinition;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.OutputDataset;
import dev.encore.nightly.Outputs;
import dev.encore.rewards.RewardSpec;
import dev.encore.testing.DuckDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every DuckDB query of docs/datasets.md runs against the real output of the nightly job on the committed sample
 * and returns rows; the column types the page states are the ones DuckDB reads; the impressions joins keep exactly
 * the rows they promise (mature labels only; discoveries credited only to impressions at or before the discovering
 * play's start).
 */
class ExampleQueriesTest {
  private static final Pattern DUCKDB_BLOCK = Pattern.compile("```sql\n(-- DuckDB\n.*?)```", Pattern.DOTALL);

  @TempDir static Path tmp;
  static Path out;

  @BeforeAll
  static void runNightly() {
    out = tmp.resolve("out").toAbsolutePath();
    NightlyOptions options = PipelineOptionsFactory.fromArgs(
            "--date=2024-03-30", "--logs=" + Path.of("testdata/logs").toAbsolutePath(), "--output=" + out)
        .as(NightlyOptions.class);
    options.setRunner(FlinkRunner.class);
    NightlyJob.run(options);
  }

  /** The DuckDB blocks of the committed page, {@code <out>} replaced by the test's output root. */
  static List<String> duckDbQueries() throws Exception {
    String page = Files.readString(DatasetReference.COMMITTED);
    List<String> queries = new ArrayList<>();
    Matcher m = DUCKDB_BLOCK.matcher(page);
    while (m.find()) {
      String sql = m.group(1).strip();
      if (sql.endsWith(";")) {
        sql = sql.substring(0, sql.length() - 1);
      }
      assertFalse(sql.contains(";"), "one statement per DuckDB block:\n" + sql);
      queries.add(sql.replace("<out>", out.toString()));
    }
    return queries;
  }

  /** The one DuckDB example whose text contains {@code marker}. */
  static String duckDbQuery(String marker) throws Exception {
    List<String> matching = duckDbQueries().stream().filter(q -> q.contains(marker)).toList();
    assertEquals(1, matching.size(), "DuckDB examples containing " + marker + ": " + matching);
    return matching.get(0);
  }

  @Test
  void everyDuckDbExampleRunsAndReturnsRows() throws Exception {
    List<String> queries = duckDbQueries();
    assertTrue(queries.size() >= 5, "expected at least 5 DuckDB examples, found " + queries.size());
    boolean sawJoin = false;
    try (DuckDb db = DuckDb.open()) {
      createRecommendationImpressions(db);
      // The reader's own impressions: real user_rewards keys, mature and not yet mature, and an unknown user.
      String rewards = DuckDb.readDataset(out, "user_rewards");
      db.execute("CREATE TABLE impressions AS"
          + " SELECT user_id, anchor_date, 'item-' || row_number() OVER (ORDER BY user_id, anchor_date) AS item_id"
          + " FROM ((SELECT user_id, anchor_date FROM " + rewards + " WHERE mature_7"
          + "        ORDER BY user_id, anchor_date LIMIT 5)"
          + "   UNION ALL (SELECT user_id, anchor_date FROM " + rewards + " WHERE NOT mature_7"
          + "        ORDER BY user_id, anchor_date LIMIT 5)"
          + "   UNION ALL (SELECT 'no-such-user', DATE '2024-03-02'))");
      assertEquals(11, db.longValue("SELECT count(*) FROM impressions"));
      assertTrue(db.longValue("SELECT count(*) FROM impressions i JOIN " + rewards
          + " r USING (user_id, anchor_date) WHERE NOT r.mature_7") > 0, "the sample must have immature labels");
      for (String sql : queries) {
        List<List<Object>> rows = db.rows(sql);
        assertFalse(rows.isEmpty(), "no rows from:\n" + sql);
        if (sql.contains("FROM impressions AS i")) {
          sawJoin = true;
          assertEquals(0, db.longValue("SELECT count(*) FROM (" + sql + ") q WHERE q.mature_7 IS DISTINCT FROM true"),
              "the impressions join must keep mature labels only:\n" + sql);
          assertEquals(5, rows.size(), "every mature impression gets its label:\n" + sql);
        }
      }
    }
    assertTrue(sawJoin, "docs/datasets.md has no DuckDB query joining impressions");
  }

  /** Discoveries the test builds impressions around: this many, of kind new_to_entity. */
  private static final int DISCOVERIES = 6;

  /** Ten minutes, in milliseconds. */
  private static final long MINUTES_10 = 10 * 60_000L;

  /**
   * The reader's recommendation impressions, built around real discoveries of the output. The impression_id says
   * what each one is, with the discovery number n:
   * <ul>
   *   <li>{@code before-n}: 10 minutes before the discovering play's start, and {@code at-n}: exactly at it. Both may
   *       have caused the discovery.
   *   <li>{@code after-n}: 1 ms after the start, and {@code after10-n}: 10 minutes after it. The discovery came
   *       before them.
   *   <li>{@code early-n}: 25 hours before the start, outside the 24-hour window.
   *   <li>{@code other-n}: 10 minutes before the start, shown to another real user who has no discovery of the
   *       entity.
   *   <li>{@code notnew-n}: 10 minutes before the start of a discovery that is not new_to_entity (new_user, or
   *       lookback incomplete), when the output has some.
   * </ul>
   */
  static void createRecommendationImpressions(DuckDb db) {
    String discoveries = DuckDb.readDataset(out, "user_entity_rewards");
    db.execute("CREATE OR REPLACE TABLE picked AS"
        + " SELECT row_number() OVER (ORDER BY discovery_date, user_id, entity_level, entity_id) AS n, *"
        + " FROM (SELECT user_id, entity_level, entity_id, discovery_date, discovery_ts FROM " + discoveries
        + "       WHERE discovery_kind = 'new_to_entity'"
        + "       ORDER BY discovery_date, user_id, entity_level, entity_id LIMIT " + DISCOVERIES + ")");
    assertEquals(DISCOVERIES, db.longValue("SELECT count(*) FROM picked"),
        "the sample must have " + DISCOVERIES + " new_to_entity discoveries");
    String other = "(SELECT min(o.user_id) FROM " + discoveries + " o WHERE o.user_id <> p.user_id"
        + " AND NOT EXISTS (SELECT 1 FROM " + discoveries + " x WHERE x.user_id = o.user_id"
        + " AND x.entity_level = p.entity_level AND x.entity_id = p.entity_id))";
    db.execute("CREATE OR REPLACE TABLE recommendation_impressions AS"
        + " SELECT 'before-' || n AS impression_id, user_id, entity_level, entity_id,"
        + "   discovery_ts - " + MINUTES_10 + " AS impression_ts FROM picked"
        + " UNION ALL SELECT 'at-' || n, user_id, entity_level, entity_id, discovery_ts FROM picked"
        + " UNION ALL SELECT 'after-' || n, user_id, entity_level, entity_id, discovery_ts + 1 FROM picked"
        + " UNION ALL SELECT 'after10-' || n, user_id, entity_level, entity_id, discovery_ts + " + MINUTES_10
        + "   FROM picked"
        + " UNION ALL SELECT 'early-' || n, user_id, entity_level, entity_id, discovery_ts - 25 * 3600 * 1000"
        + "   FROM picked"
        + " UNION ALL SELECT 'other-' || n, " + other + ", entity_level, entity_id,"
        + "   discovery_ts - " + MINUTES_10 + " FROM picked p"
        + " UNION ALL SELECT 'notnew-' || row_number() OVER (ORDER BY user_id, entity_level, entity_id),"
        + "   user_id, entity_level, entity_id, discovery_ts - " + MINUTES_10
        + "   FROM (SELECT * FROM " + discoveries + " WHERE discovery_kind IS DISTINCT FROM 'new_to_entity'"
        + "         ORDER BY user_id, entity_level, entity_id, discovery_date LIMIT 3)");
    assertEquals(0, db.longValue("SELECT count(*) FROM recommendation_impressions WHERE user_id IS NULL"),
        "every discovery needs another user to show its entity to");
  }

  @Test
  void attributionCreditsOnlyImpressionsAtOrBeforeTheDiscoveringPlay() throws Exception {
    String sql = duckDbQuery("recommendation_impressions");
    try (DuckDb db = DuckDb.open()) {
      createRecommendationImpressions(db);
      long notNew = db.longValue("SELECT count(*) FROM recommendation_impressions WHERE impression_id LIKE 'notnew-%'");
      assertEquals(6L * DISCOVERIES + notNew, db.longValue("SELECT count(*) FROM recommendation_impressions"));

      List<String> credited = new ArrayList<>();
      for (List<Object> row : db.rows("SELECT impression_id FROM (" + sql + ") q ORDER BY impression_id")) {
        credited.add((String) row.get(0));
      }
      List<String> expected = new ArrayList<>();
      for (int n = 1; n <= DISCOVERIES; n++) {
        expected.add("at-" + n);
        expected.add("before-" + n);
      }
      expected.sort(null);
      // N discoveries: 2N impressions at or before the discovering play's start are credited, the 2N after it,
      // the N too early, the N shown to other users and the not-new ones are not.
      assertEquals(expected, credited, "impressions credited by:\n" + sql);
      assertEquals(0, db.longValue("SELECT count(*) FROM (" + sql + ") q WHERE q.impression_ts > q.discovery_ts"),
          "an impression after the discovering play's start is never credited");
      assertEquals(2L * DISCOVERIES, db.longValue("SELECT count(*) FROM (" + sql + ") q JOIN picked p"
              + " USING (user_id, entity_level, entity_id, discovery_date, discovery_ts)"),
          "each credited impression carries the discovery it was built around");
    }
  }

  @Test
  void statedColumnTypesAreWhatDuckDbReads() {
    for (OutputDataset<?> p : Outputs.standard(RewardSpec.of(JobDefinition.builtIn()))) {
      Schema schema = new Schema.Parser().parse(readSchema(p.schemaFile()));
      List<String> stated = new ArrayList<>();
      for (Schema.Field f : schema.getFields()) {
        stated.add(f.name() + " " + DatasetReference.readerType(f.schema()).replaceFirst(" \\(Parquet .*\\)$", ""));
      }
      stated.add("dt DATE");
      List<String> read = new ArrayList<>();
      try (DuckDb db = DuckDb.open()) {
        for (DuckDb.Column c : db.describe(out.resolve(p.name()) + "/dt=*/*.parquet")) {
          read.add(c.name() + " " + c.type());
        }
      }
      assertEquals(stated, read, p.name());
    }
  }

  private static String readSchema(String file) {
    try {
      return Files.readString(Path.of("schemas", file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
