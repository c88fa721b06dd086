package dev.encore.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns benchmark rows into what people read: the table, the targets with pass or fail and their numbers, CSV rows
 * and the Markdown page ({@code docs/bench/latest.md}). Pure functions of the rows and the run's context.
 */
public final class BenchReport {
  /** Encore's default runner: the targets are about it. */
  public static final String DEFAULT_RUNNER = "FlinkRunner";
  static final long TEN_MILLION = 10_000_000;
  static final long ONE_MILLION = 1_000_000;
  static final double MIN_X_JAVA = 0.5;
  static final double MIN_X_DUCKDB = 1.0;
  static final double MAX_PEAK_GIB = 3.0;
  static final double MIN_DIRECT_PLAYS_PER_SECOND = 20_000;
  static final double MAX_COST_SPREAD = 0.20;

  static final List<String> CSV_COLUMNS = List.of(
      "timestamp", "git_commit", "encore_version", "cores", "ram_gib", "cpu", "java", "os", "load_avg_at_start",
      "xmx", "days", "seed", "plays_per_user", "plays", "users", "engine", "outcome", "wall_s", "plays_per_s",
      "peak_rss_gib", "x_plain_java", "x_duckdb", "us_per_play", "same_counts", "rows", "message", "log", "note");

  /**
   * Where and how the rows were measured.
   *
   * @param timestamp when the benchmark started (ISO-8601, UTC)
   * @param commit git commit of the working tree it ran from ("-dirty" when changed), or "unknown"
   * @param version Encore's version
   * @param command the command line, as typed
   * @param xmx the runners' JVMs' -Xmx
   * @param referenceXmx the references' JVMs' -Xmx
   * @param days arrival days of history in every data set
   * @param seed the generator's seed
   * @param playsPerUser plays per listener account (users = plays / playsPerUser)
   * @param note free text given with --note, or empty
   */
  public record Context(
      String timestamp,
      String commit,
      String version,
      Machine machine,
      String command,
      String xmx,
      String referenceXmx,
      int days,
      long seed,
      int playsPerUser,
      String note) {}

  private BenchReport() {}

  /** The result table as Markdown (also readable as plain text), one row per (size, engine), in run order. */
  public static String table(List<BenchRow> rows) {
    StringBuilder s = new StringBuilder();
    s.append("| plays | engine | wall s | plays/s | peak RSS GiB | × plain Java | × DuckDB | µs/play"
        + " | same counts |\n");
    s.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (BenchRow r : rows) {
      List<String> cells = new ArrayList<>();
      cells.add(Sizes.format(r.plays()));
      cells.add(r.label());
      if (r.measured()) {
        cells.add(String.format(Locale.ROOT, "%.1f", r.wallSeconds()));
        cells.add(String.format(Locale.ROOT, "%,.0f", r.playsPerSecond()));
        cells.add(gib(r.peakRssBytes()));
        cells.add(ratio(r, rows, BenchRow.JAVA).map(BenchReport::times).orElse("—"));
        cells.add(ratio(r, rows, BenchRow.DUCKDB).map(BenchReport::times).orElse("—"));
        cells.add(String.format(Locale.ROOT, "%.2f", r.microsPerPlay()));
        cells.add(r.sameCounts());
      } else {
        for (int i = 0; i < 6; i++) {
          cells.add("—");
        }
        cells.add((r.outcome() == BenchRow.Outcome.FAILED ? "**FAILED**: " : "") + r.message());
      }
      s.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    return s.toString();
  }

  /**
   * This row's throughput divided by the reference's on the same data; empty when either was not measured.
   *
   * @param reference {@link BenchRow#JAVA} or {@link BenchRow#DUCKDB}
   */
  static Optional<Double> ratio(BenchRow row, List<BenchRow> rows, String reference) {
    if (!row.measured()) {
      return Optional.empty();
    }
    return find(rows, row.plays(), reference).map(ref -> row.playsPerSecond() / ref.playsPerSecond());
  }

  private static Optional<BenchRow> find(List<BenchRow> rows, long plays, String engine) {
    return rows.stream().filter(r -> r.plays() == plays && r.engine().equals(engine) && r.measured()).findFirst();
  }

  /**
   * One line per target of issue 5 ("PASS", "FAIL" or "n/a", then the numbers), and one FAIL line per failed run
   * or row-count mismatch.
   */
  public static List<String> targets(List<BenchRow> rows) {
    List<String> lines = new ArrayList<>();
    String at10 = "10M on " + DEFAULT_RUNNER + " (the default runner)";
    Optional<BenchRow> flink10 = find(rows, TEN_MILLION, DEFAULT_RUNNER);
    if (flink10.isEmpty()) {
      lines.add("n/a   " + at10 + ": not measured (run with 10M in --sizes and " + DEFAULT_RUNNER
          + " in --runners); targets ≥ " + MIN_X_JAVA + "× plain Java's throughput, ≥ " + MIN_X_DUCKDB
          + "× DuckDB's, peak ≤ " + MAX_PEAK_GIB + " GiB");
    } else {
      BenchRow f = flink10.get();
      lines.add(versus(f, rows, BenchRow.JAVA, "plain Java", MIN_X_JAVA, at10));
      lines.add(versus(f, rows, BenchRow.DUCKDB, "DuckDB", MIN_X_DUCKDB, at10));
      double peak = f.peakRssBytes() / (double) (1L << 30);
      lines.add(f.peakRssBytes() < 0
          ? "n/a   " + at10 + ": peak memory could not be read (no /proc); target ≤ " + MAX_PEAK_GIB + " GiB"
          : String.format(Locale.ROOT, "%s  %s: peak memory %.2f GiB (target ≤ %.1f GiB)",
              verdict(peak <= MAX_PEAK_GIB), at10, peak, MAX_PEAK_GIB));
    }
    Optional<BenchRow> direct1 = find(rows, ONE_MILLION, "DirectRunner");
    lines.add(direct1
        .map(d -> String.format(Locale.ROOT, "%s  1M on DirectRunner: %,.0f plays/s (target ≥ %,.0f)",
            verdict(d.playsPerSecond() >= MIN_DIRECT_PLAYS_PER_SECOND), d.playsPerSecond(),
            MIN_DIRECT_PLAYS_PER_SECOND))
        .orElse(String.format(Locale.ROOT, "n/a   1M on DirectRunner: not measured (run with 1M in --sizes and"
            + " DirectRunner in --runners); target ≥ %,.0f plays/s", MIN_DIRECT_PLAYS_PER_SECOND)));
    Map<String, List<BenchRow>> byRunner = new TreeMap<>();
    for (BenchRow r : rows) {
      if (!r.reference() && r.measured()) {
        byRunner.computeIfAbsent(r.engine(), e -> new ArrayList<>()).add(r);
      }
    }
    for (String runner : runnersInOrder(rows)) {
      List<BenchRow> measured = byRunner.getOrDefault(runner, List.of()).stream()
          .sorted(java.util.Comparator.comparingLong(BenchRow::plays)).toList();
      String sizes = measured.stream().map(r -> Sizes.format(r.plays())).collect(Collectors.joining(" → "));
      if (measured.size() < 2) {
        lines.add("n/a   " + runner + " cost per play flat from 1M to 30M: needs two sizes or more, measured "
            + (measured.isEmpty() ? "none" : sizes) + "; target within " + Math.round(MAX_COST_SPREAD * 100) + " %");
        continue;
      }
      double min = measured.stream().mapToDouble(BenchRow::microsPerPlay).min().orElseThrow();
      double max = measured.stream().mapToDouble(BenchRow::microsPerPlay).max().orElseThrow();
      double spread = max / min - 1;
      String costs = measured.stream().map(r -> String.format(Locale.ROOT, "%.2f", r.microsPerPlay()))
          .collect(Collectors.joining(" → "));
      lines.add(String.format(Locale.ROOT,
          "%s  %s cost per play %s: %s µs, the highest %.0f %% above the lowest (target within %.0f %%%s);"
              + " between sizes (Δ wall / Δ plays, without the fixed start-up cost): %s µs",
          verdict(spread <= MAX_COST_SPREAD), runner, sizes, costs, spread * 100, MAX_COST_SPREAD * 100,
          measured.get(0).plays() == ONE_MILLION && measured.get(measured.size() - 1).plays() == 30 * ONE_MILLION
              ? "" : ", stated for 1M → 30M", marginalCosts(measured)));
    }
    for (BenchRow r : rows) {
      if (r.outcome() == BenchRow.Outcome.FAILED) {
        lines.add("FAIL  " + Sizes.format(r.plays()) + " on " + r.label() + " failed: " + r.message());
      } else if (r.outcome() == BenchRow.Outcome.MISMATCH) {
        lines.add("FAIL  " + Sizes.format(r.plays()) + " on " + r.label()
            + ": row counts differ from the plain-Java reference: " + r.sameCounts() + " (log " + r.log() + ")");
      }
    }
    return lines;
  }

  /** µs per play from each size to the next of one runner's rows (sorted by size): what an extra play costs. */
  static String marginalCosts(List<BenchRow> bySize) {
    List<String> costs = new ArrayList<>();
    for (int i = 1; i < bySize.size(); i++) {
      BenchRow a = bySize.get(i - 1);
      BenchRow b = bySize.get(i);
      costs.add(String.format(Locale.ROOT, "%.2f",
          (b.wallSeconds() - a.wallSeconds()) * 1e6 / (b.plays() - a.plays())));
    }
    return String.join(" → ", costs);
  }

  private static List<String> runnersInOrder(List<BenchRow> rows) {
    return rows.stream().filter(r -> !r.reference()).map(BenchRow::engine).distinct().toList();
  }

  private static String versus(BenchRow f, List<BenchRow> rows, String reference, String name, double min,
      String what) {
    Optional<BenchRow> ref = find(rows, f.plays(), reference);
    if (ref.isEmpty()) {
      return "n/a   " + what + " vs " + name + ": " + name + " not measured at 10M (--references); target ≥ "
          + min + "× its throughput";
    }
    double x = f.playsPerSecond() / ref.get().playsPerSecond();
    return String.format(Locale.ROOT, "%s  %s: %.2f× %s's throughput, %,.0f vs %,.0f plays/s (target ≥ %.1f×)",
        verdict(x >= min), what, x, name, f.playsPerSecond(), ref.get().playsPerSecond(), min);
  }

  private static String verdict(boolean pass) {
    return pass ? "PASS" : "FAIL";
  }

  /** The row-count check of a run against the plain-Java reference's counts, for the datasets both wrote. */
  static String sameCounts(Map<String, Long> counts, Map<String, Long> reference, List<String> datasets) {
    List<String> differences = new ArrayList<>();
    for (String dataset : datasets) {
      Long mine = counts.get(dataset);
      Long theirs = reference.get(dataset);
      if (mine == null || !mine.equals(theirs)) {
        differences.add(dataset + " " + (mine == null ? "missing" : mine) + " vs " + theirs);
      }
    }
    return differences.isEmpty() ? "✓ (" + datasets.size() + " datasets)" : "✗ " + String.join(", ", differences);
  }

  /** The CSV header line. */
  public static String csvHeader() {
    return String.join(",", CSV_COLUMNS);
  }

  /** One CSV line per row, columns as {@link #CSV_COLUMNS}. */
  public static List<String> csvLines(Context c, List<BenchRow> rows) {
    List<String> lines = new ArrayList<>();
    for (BenchRow r : rows) {
      List<String> v = new ArrayList<>();
      v.add(c.timestamp());
      v.add(c.commit());
      v.add(c.version());
      v.add(Integer.toString(c.machine().cores()));
      v.add(String.format(Locale.ROOT, "%.1f", c.machine().memoryGib()));
      v.add(c.machine().cpu());
      v.add(c.machine().java());
      v.add(c.machine().os());
      v.add(c.machine().loadAverage());
      v.add(r.reference() ? c.referenceXmx() : c.xmx());
      v.add(Integer.toString(c.days()));
      v.add(Long.toString(c.seed()));
      v.add(Integer.toString(c.playsPerUser()));
      v.add(Long.toString(r.plays()));
      v.add(Long.toString(r.users()));
      v.add(r.engine());
      v.add(r.outcome().name().toLowerCase(Locale.ROOT));
      v.add(number("%.3f", r.wallSeconds()));
      v.add(number("%.0f", r.playsPerSecond()));
      v.add(r.peakRssBytes() < 0 ? "" : String.format(Locale.ROOT, "%.3f", r.peakRssBytes() / (double) (1L << 30)));
      v.add(ratio(r, rows, BenchRow.JAVA).map(x -> String.format(Locale.ROOT, "%.3f", x)).orElse(""));
      v.add(ratio(r, rows, BenchRow.DUCKDB).map(x -> String.format(Locale.ROOT, "%.3f", x)).orElse(""));
      v.add(number("%.3f", r.microsPerPlay()));
      v.add(r.sameCounts());
      v.add(r.rows().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";")));
      v.add(r.message());
      v.add(r.log());
      v.add(c.note());
      lines.add(v.stream().map(BenchReport::csv).collect(Collectors.joining(",")));
    }
    return lines;
  }

  /** The Markdown page of one benchmark run: context, machine, table, targets and notes. */
  public static String markdown(Context c, List<BenchRow> rows) {
    StringBuilder s = new StringBuilder();
    s.append("# Benchmark: latest results\n\n");
    s.append("Written by the benchmark, `java -jar target/encore-bench.jar` (see the README's \"Benchmark\""
        + " section); every run appends its rows to `docs/bench/results.csv`.\n\n");
    if (!c.note().isBlank()) {
      s.append("> **").append(c.note().strip()).append("**\n\n");
    }
    s.append("- command: `").append(c.command()).append("`\n");
    s.append("- started: ").append(c.timestamp()).append(", Encore ").append(c.version()).append(", commit ")
        .append(c.commit()).append('\n');
    s.append("- machine: ").append(c.machine().describe()).append('\n');
    s.append("- every run in its own JVM: runners with `-Xmx").append(c.xmx()).append("`, references with `-Xmx")
        .append(c.referenceXmx()).append("`; data: ").append(c.days())
        .append(" arrival days, users = plays / ").append(c.playsPerUser()).append(", seed ").append(c.seed())
        .append(", no bot account\n\n");
    s.append(table(rows)).append('\n');
    s.append("Targets (issue 5):\n\n");
    for (String line : targets(rows)) {
      s.append("- ").append(line.replaceFirst("^(PASS|FAIL|n/a)\\s+", "**$1** ")).append('\n');
    }
    s.append('\n').append(notes(c.days()));
    return s.toString();
  }

  /** What the table means; printed under it and in the Markdown page. */
  static String notes(int days) {
    // A discovery on anchor D counts for entity_rewards when D - 60 >= F; the newest anchor is T - 1 = F + days - 2.
    return days - 2 >= 60 ? NOTES.substring(0, NOTES.indexOf("- With 60 days")) : NOTES;
  }

  private static final String NOTES =
      """
      Notes:

      - **wall s**: the child JVM from start to exit, JVM start included; **plays/s** = generated plays / wall s
        for every engine (the same numerator, whatever each engine reads or drops); **µs/play** = wall s / plays;
        **peak RSS**: the JVM's VmHWM (peak resident memory, heap and native: Flink's and DuckDB's memory count),
        sampled every 100 ms.
      - Runner rows run `nightly --date=<last day>` on a fresh output root: it reads all arrival partitions and
        publishes sessions (the last 4 days), the daily activity of every day, user_rewards, user_entity_rewards,
        entity_rewards, the stickiness predictions (reward_priors, entity_predictions) and rejected, with what
        `nightly` always does besides: staging, atomic publishing with a content digest per partition, run
        metadata and the run report. FlinkRunner: embedded mini-cluster, default parallelism; SparkRunner:
        `--sparkMaster=local[2]`.
      - **plain Java (reference)**: one single-threaded pass without Beam (`dev.encore.bench.PlainJavaNightly`):
        reads the Avro files once, groups plays by user in memory, and writes the same eight datasets with the
        project's pure functions (no staging, metadata or report). **same counts** compares every runner's rows
        per dataset with it (a test compares the rows themselves on the committed sample).
      - **DuckDB SQL (reference)**: computes only sessions and user_rewards (`dev.encore.bench.DuckDbNightly`,
        `SET threads=2`), from the same records exported to Parquet beforehand (not timed); its same-counts check
        covers those two datasets.
      - With 60 days of history, entity_rewards has no rows: it counts only discoveries whose 60-day lookback is
        complete (every lookback day final), and the anchors of a 60-day history (T-4, T-10, T-31; T-63 is before
        the first input day) have none. The stage still runs.
      """;

  private static String number(String format, double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, format, value);
  }

  private static String gib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", bytes / (double) (1L << 30));
  }

  private static String times(double x) {
    return String.format(Locale.ROOT, "%.2f×", x);
  }

  /** A CSV field: quoted when it holds a comma, a quote or a line break. */
  static String csv(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
      return "\"" + value.replace("\"", "\"\"") + "\"";
    }
    return value;
  }
}
