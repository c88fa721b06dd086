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
 * and returns rows; the column types the page states are the ones DuckDB reads.
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

  @Test
  void everyDuckDbExampleRunsAndReturnsRows() throws Exception {
    List<String> queries = duckDbQueries();
    assertTrue(queries.size() >= 4, "expected at least 4 DuckDB examples, found " + queries.size());
    boolean sawJoin = false;
    try (DuckDb db = DuckDb.open()) {
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
        if (sql.contains("impressions")) {
          sawJoin = true;
          assertEquals(0, db.longValue("SELECT count(*) FROM (" + sql + ") q WHERE q.mature_7 IS DISTINCT FROM true"),
              "the impressions join must keep mature labels only:\n" + sql);
          assertEquals(5, rows.size(), "every mature impression gets its label:\n" + sql);
        }
      }
    }
    assertTrue(sawJoin, "docs/datasets.md has no DuckDB query joining impressions");
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
