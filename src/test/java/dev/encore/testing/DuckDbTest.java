package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbTest {
  @TempDir Path out;

  /** Writes two Hive-style partitions of a tiny sessions-like dataset with DuckDB itself. */
  private void writeDataset(DuckDb db) throws Exception {
    for (String dt : List.of("2024-03-08", "2024-03-09")) {
      Path dir = out.resolve("sessions").resolve("dt=" + dt);
      Files.createDirectories(dir);
      db.execute(
          "COPY (SELECT * FROM (VALUES"
              + " ('u1', TIMESTAMPTZ '" + dt + " 10:00:00+00', 3::INTEGER, 1000::BIGINT, [true, NULL]),"
              + " ('u2', TIMESTAMPTZ '" + dt + " 23:30:00+00', 1::INTEGER, 250::BIGINT, [false]))"
              + " AS t(user_id, session_start, plays, ms_played, trace))"
              + " TO " + DuckDb.quote(dir.resolve("part-0.parquet").toString()) + " (FORMAT parquet)");
    }
  }

  @Test
  void readsBackRowsValuesAndHivePartitions() throws Exception {
    try (DuckDb db = DuckDb.open()) {
      writeDataset(db);
      String sessions = DuckDb.readDataset(out, "sessions");

      assertThat(db.longValue("SELECT count(*) FROM " + sessions), equalTo(4L));
      // sum(BIGINT) is a HUGEINT in DuckDB; longValue must still give a long.
      assertThat(db.longValue("SELECT sum(ms_played) FROM " + sessions), equalTo(2500L));
      List<List<Object>> rows =
          db.rows(
              "SELECT dt, user_id, epoch_ms(session_start), plays, trace FROM "
                  + sessions
                  + " ORDER BY dt, user_id");
      assertThat(rows.size(), equalTo(4));
      // hive_partitioning turns dt=... into a column; DuckDB infers DATE for it.
      assertThat(rows.get(0).get(0), equalTo(LocalDate.of(2024, 3, 8)));
      assertThat(rows.get(0).get(1), equalTo("u1"));
      assertThat(rows.get(0).get(2), equalTo(1709892000000L)); // 2024-03-08T10:00Z
      assertThat(rows.get(0).get(3), equalTo(3));
      assertThat(rows.get(0).get(4), equalTo(java.util.Arrays.asList(true, null)));
      assertThat(rows.get(3).get(1), equalTo("u2"));
    }
  }

  @Test
  void oneShotQueriesAndSingleValueChecks() throws Exception {
    try (DuckDb db = DuckDb.open()) {
      writeDataset(db);
    }
    String sessions = DuckDb.readDataset(out, "sessions");
    assertThat(DuckDb.queryLong("SELECT count(DISTINCT user_id) FROM " + sessions), equalTo(2L));
    assertThat(DuckDb.query("SELECT 1, 'x'"), contains(List.of(1, "x")));
    try (DuckDb db = DuckDb.open()) {
      assertThat(db.value("SELECT current_setting('TimeZone')"), equalTo("UTC"));
      assertThrows(IllegalStateException.class, () -> db.value("SELECT 1 UNION ALL SELECT 2"));
      IllegalStateException bad =
          assertThrows(IllegalStateException.class, () -> db.rows("SELECT * FROM no_such_table"));
      assertThat(bad.getMessage(), containsString("no_such_table"));
    }
  }

  @Test
  void describesColumnsAndParquetLogicalTypes() throws Exception {
    try (DuckDb db = DuckDb.open()) {
      writeDataset(db);
      String file = out.resolve("sessions/dt=2024-03-08/part-0.parquet").toString();

      Map<String, String> described =
          db.describe(file).stream()
              .collect(Collectors.toMap(DuckDb.Column::name, DuckDb.Column::type));
      assertThat(described.get("user_id"), equalTo("VARCHAR"));
      assertThat(described.get("session_start"), equalTo("TIMESTAMP WITH TIME ZONE"));
      assertThat(described.get("plays"), equalTo("INTEGER"));
      assertThat(described.get("ms_played"), equalTo("BIGINT"));
      assertThat(described.get("trace"), equalTo("BOOLEAN[]"));

      List<DuckDb.ParquetField> schema = db.parquetSchema(file);
      Map<String, DuckDb.ParquetField> byName =
          schema.stream()
              .collect(Collectors.toMap(DuckDb.ParquetField::name, Function.identity(), (a, b) -> a));
      assertThat(byName.get("session_start").type(), equalTo("INT64"));
      assertThat(byName.get("session_start").logicalType(), startsWith("TimestampType(isAdjustedToUTC=1"));
      assertThat(byName.get("user_id").convertedType(), equalTo("UTF8"));
      assertThat(byName.get("trace").convertedType(), equalTo("LIST"));
      assertThat(byName.get("ms_played").duckdbType(), equalTo("BIGINT"));
    }
  }
}
