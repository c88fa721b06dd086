package dev.encore.bench;

import java.util.Map;

/**
 * One measured (or skipped, or failed) run of one engine on one data size.
 *
 * @param plays generated plays of the data set (the throughput's numerator for every engine)
 * @param users listener accounts of the data set
 * @param engine a runner's name (FlinkRunner, SparkRunner, DirectRunner) or a reference ({@link #JAVA}, {@link #DUCKDB})
 * @param outcome what happened
 * @param wallSeconds wall time including JVM start; NaN when not measured
 * @param peakRssBytes peak resident memory of the JVM; -1 when not measured
 * @param rows rows per dataset it wrote (empty when not measured)
 * @param sameCounts the row-count check against the plain-Java reference: "✓", "✗ …", "reference" or "n/a"
 * @param message why it failed or was skipped (the exit code and log), empty when ok
 * @param log the child's log file, empty when none
 */
public record BenchRow(
    long plays,
    long users,
    String engine,
    Outcome outcome,
    double wallSeconds,
    long peakRssBytes,
    Map<String, Long> rows,
    String sameCounts,
    String message,
    String log) {

  /** The plain-Java single pass. */
  public static final String JAVA = "java";
  /** DuckDB SQL. */
  public static final String DUCKDB = "duckdb";

  /** What happened to a run. */
  public enum Outcome {
    OK,
    /** Ran, but its row counts differ from the plain-Java reference's. */
    MISMATCH,
    FAILED,
    SKIPPED
  }

  public BenchRow {
    rows = Map.copyOf(rows);
  }

  /** A run that was not started. */
  static BenchRow skipped(long plays, long users, String engine, String why) {
    return new BenchRow(plays, users, engine, Outcome.SKIPPED, Double.NaN, -1, Map.of(), "n/a", why, "");
  }

  /** Whether it has a wall time. */
  public boolean measured() {
    return outcome == Outcome.OK || outcome == Outcome.MISMATCH;
  }

  /** Plays per second of wall time; NaN when not measured. */
  public double playsPerSecond() {
    return measured() ? plays / wallSeconds : Double.NaN;
  }

  /** Wall time per play, microseconds; NaN when not measured. */
  public double microsPerPlay() {
    return measured() ? wallSeconds * 1e6 / plays : Double.NaN;
  }

  /** Whether this is one of the references rather than a runner. */
  public boolean reference() {
    return engine.equals(JAVA) || engine.equals(DUCKDB);
  }

  /** The engine as the table shows it. */
  public String label() {
    return switch (engine) {
      case JAVA -> "plain Java (reference)";
      case DUCKDB -> "DuckDB SQL (reference)";
      default -> engine;
    };
  }
}
