package dev.encore.testing;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Runs SQL over Parquet output with an in-memory DuckDB, the way a downstream team would read it. */
public final class DuckDb implements AutoCloseable {
  private final Connection connection;

  private DuckDb(Connection connection) {
    this.connection = connection;
  }

  /** One column as {@code DESCRIBE} shows it, e.g. ("session_start", "TIMESTAMP WITH TIME ZONE"). */
  public record Column(String name, String type) {}

  /** One node of the Parquet file schema as {@code parquet_schema()} shows it (null where not set). */
  public record ParquetField(
      String name,
      String type,
      String repetitionType,
      String convertedType,
      String logicalType,
      String duckdbType) {}

  /** Opens an in-memory database whose session time zone is UTC, so timestamps print the same everywhere. */
  public static DuckDb open() {
    try {
      Connection c = DriverManager.getConnection("jdbc:duckdb:");
      DuckDb db = new DuckDb(c);
      db.execute("SET TimeZone = 'UTC'");
      return db;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open DuckDB", e);
    }
  }

  /** Runs one query on a fresh database and returns all rows. */
  public static List<List<Object>> query(String sql) {
    try (DuckDb db = open()) {
      return db.rows(sql);
    }
  }

  /** Runs one single-value query on a fresh database and returns it as a long. */
  public static long queryLong(String sql) {
    try (DuckDb db = open()) {
      return db.longValue(sql);
    }
  }

  /** A SQL string literal: single quotes doubled. */
  public static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /** {@code read_parquet('<glob>', hive_partitioning=true)}, e.g. for {@code <out>/sessions/dt=*}{@code /*.parquet}. */
  public static String readParquet(String glob) {
    return "read_parquet(" + quote(glob) + ", hive_partitioning=true)";
  }

  /** {@link #readParquet(String)} over every Parquet file of a dataset: {@code <out>/<dataset>/dt=*}{@code /*.parquet}. */
  public static String readDataset(Path outRoot, String dataset) {
    return readParquet(outRoot.toAbsolutePath().resolve(dataset) + "/dt=*/*.parquet");
  }

  /** The JDBC connection, for what SQL text cannot do quickly (e.g. DuckDB's appender for bulk loads). */
  Connection connection() {
    return connection;
  }

  /** Runs a statement that returns no rows (COPY, CREATE, SET ...). */
  public void execute(String sql) {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed: " + sql, e);
    }
  }

  /**
   * All rows of a query, each as a list of JDBC objects: String, Integer, Long, BigInteger (HUGEINT, e.g. sum of
   * BIGINT), LocalDate (DATE), OffsetDateTime (TIMESTAMP WITH TIME ZONE; use epoch_ms() for plain millis), and
   * java.util.List for LIST.
   */
  public List<List<Object>> rows(String sql) {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      List<List<Object>> out = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          row.add(plain(rs.getObject(i)));
        }
        out.add(Collections.unmodifiableList(row));
      }
      return Collections.unmodifiableList(out);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed: " + sql, e);
    }
  }

  /** The single value of a one-row, one-column query. */
  public Object value(String sql) {
    List<List<Object>> rows = rows(sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException(
          "expected one row with one column, got " + rows.size() + " rows: " + sql);
    }
    return rows.get(0).get(0);
  }

  /** The single value of a query as a long; count() and sum() (HUGEINT in DuckDB) both fit. */
  public long longValue(String sql) {
    Object v = value(sql);
    if (v instanceof java.math.BigInteger big) {
      return big.longValueExact();
    }
    if (v instanceof Number number) {
      return number.longValue();
    }
    throw new IllegalStateException("not a number (" + v + "): " + sql);
  }

  /** Column names and DuckDB types of Parquet files, from {@code DESCRIBE SELECT * FROM read_parquet(...)}. */
  public List<Column> describe(String parquetGlob) {
    List<Column> out = new ArrayList<>();
    for (List<Object> row : rows("DESCRIBE SELECT * FROM " + readParquet(parquetGlob))) {
      out.add(new Column((String) row.get(0), (String) row.get(1)));
    }
    return out;
  }

  /**
   * The Parquet schema nodes of one file (the root node first), with their converted and logical types, e.g.
   * a TIMESTAMP(MILLIS, UTC) column has type INT64 and a logical type starting {@code TimestampType(isAdjustedToUTC=1}.
   */
  public List<ParquetField> parquetSchema(String parquetFile) {
    List<ParquetField> out = new ArrayList<>();
    String sql =
        "SELECT name, type, repetition_type, converted_type, logical_type, duckdb_type"
            + " FROM parquet_schema("
            + quote(parquetFile)
            + ")";
    for (List<Object> row : rows(sql)) {
      out.add(
          new ParquetField(
              string(row.get(0)),
              string(row.get(1)),
              string(row.get(2)),
              string(row.get(3)),
              string(row.get(4)),
              string(row.get(5))));
    }
    return out;
  }

  /** LIST values become java.util.List (recursively) so tests can compare them with equals. */
  private static Object plain(Object value) throws SQLException {
    if (value instanceof Array array) {
      List<Object> list = new ArrayList<>();
      for (Object element : (Object[]) array.getArray()) {
        list.add(plain(element));
      }
      return Collections.unmodifiableList(list);
    }
    return value;
  }

  private static String string(Object o) {
    return o == null ? null : o.toString();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close DuckDB", e);
    }
  }
}
