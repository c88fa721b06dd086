package dev.encore.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One engine's runs in one scenario on one data set: the median of its repeated runs (or why it was not measured).
 *
 * @param scenario {@link #COLD}, {@link #STEADY}, {@link #BACKFILL} or {@link #TESTDATA}
 * @param size the data set as the table names it: a generated size (plays per 60 days, e.g. 10M) or "testdata"
 * @param plays plays in the data set's logs
 * @param users listener accounts of the data set
 * @param engine a runner's name (FlinkRunner, SparkRunner, DirectRunner), a reference ({@link #JAVA},
 *     {@link #DUCKDB}), or {@link #NIGHTLY} in the backfill scenario
 * @param outcome what happened
 * @param wallSeconds median wall time of the runs, JVM start included; NaN when not measured
 * @param peakRssBytes the highest peak resident memory of the runs; -1 when not measured
 * @param rows rows per dataset it wrote (of the first run: a later run that wrote other rows is a FAIL;
 *     empty when not measured)
 * @param sameCounts the row-count check against the scenario's reference: "✓ …", "✗ …", "reference" or "n/a"
 * @param message why it failed or was skipped (the exit code and log), empty when ok
 * @param log the last run's log file, empty when none
 * @param runs every run, in the order they ran
 */
public record BenchRow(
    String scenario,
    String size,
    long plays,
    long users,
    String engine,
    Outcome outcome,
    double wallSeconds,
    long peakRssBytes,
    Map<String, Long> rows,
    String sameCounts,
    String message,
    String log,
    List<Run> runs) {

  /** The plain-Java single pass. */
  public static final String JAVA = "java";
  /** DuckDB SQL. */
  public static final String DUCKDB = "duckdb";
  /** In the backfill scenario: one nightly of the last date on a fresh root, the target's 1×. */
  public static final String NIGHTLY = "nightly";

  /** A fresh output root, every arrival partition read. */
  public static final String COLD = "cold";
  /** The night after a published one: history published, one new arrival day. */
  public static final String STEADY = "steady";
  /** A backfill of a date range on a fresh root. */
  public static final String BACKFILL = "backfill";
  /** The nightly of the committed sample's last day on a fresh root. */
  public static final String TESTDATA = "testdata";

  /** What happened to a run. */
  public enum Outcome {
    OK,
    /** Ran, but its row counts differ from the reference's. */
    MISMATCH,
    FAILED,
    SKIPPED
  }

  /**
   * One run of an engine.
   *
   * @param wallSeconds start to exit of its JVM
   * @param peakRssBytes its VmHWM, -1 when unread
   * @param log its log file
   */
  public record Run(double wallSeconds, long peakRssBytes, String log) {}

  public BenchRow {
    rows = Map.copyOf(rows);
    runs = List.copyOf(runs);
  }

  /** A cold run of one size measured once (the form of the first benchmark). */
  public BenchRow(long plays, long users, String engine, Outcome outcome, double wallSeconds, long peakRssBytes,
      Map<String, Long> rows, String sameCounts, String message, String log) {
    this(COLD, Sizes.format(plays), plays, users, engine, outcome, wallSeconds, peakRssBytes, rows, sameCounts,
        message, log, outcome == Outcome.OK || outcome == Outcome.MISMATCH
            ? List.of(new Run(wallSeconds, peakRssBytes, log)) : List.of());
  }

  /** A run that was not started. */
  static BenchRow skipped(String scenario, String size, long plays, long users, String engine, String why) {
    return new BenchRow(scenario, size, plays, users, engine, Outcome.SKIPPED, Double.NaN, -1, Map.of(), "n/a", why,
        "", List.of());
  }

  /** This row with another outcome, check and message. */
  BenchRow checked(Outcome newOutcome, String newSameCounts, String newMessage) {
    return new BenchRow(scenario, size, plays, users, engine, newOutcome, wallSeconds, peakRssBytes, rows,
        newSameCounts, newMessage, log, runs);
  }

  /** Whether it has a wall time. */
  public boolean measured() {
    return outcome == Outcome.OK || outcome == Outcome.MISMATCH;
  }

  /** Whether this is one of the references (or the backfill's nightly) rather than a runner measured for itself. */
  public boolean reference() {
    return engine.equals(JAVA) || engine.equals(DUCKDB) || engine.equals(NIGHTLY);
  }

  /** The median of the runs' wall times (the lower middle one's mean with the upper for an even count). */
  static double median(List<Double> walls) {
    List<Double> sorted = new ArrayList<>(walls);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The engine as the table shows it. */
  public String label() {
    return switch (engine) {
      case JAVA -> "plain Java (reference)";
      case DUCKDB -> "DuckDB SQL (reference)";
      case NIGHTLY -> "nightly of T, fresh root (1×)";
      default -> scenario.equals(BACKFILL) ? engine + " backfill" : engine;
    };
  }
}
