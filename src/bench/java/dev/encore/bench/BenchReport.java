package dev.encore.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns benchmark rows into what people read: the table, the targets with pass or fail and their numbers, CSV rows
 * and the Markdown page ({@code docs/bench/latest.md}). Pure functions of the rows and the run's context.
 */
public final class BenchReport {
  /** Encore's default runner: the targets are about it. */
  public static final String DEFAULT_RUNNER = "FlinkRunner";
  /** The size of the steady and cold targets: 10M plays per 60 days. */
  static final String TEN_MILLION = "10M";
  /** testdata: the runner's wall at most this many times the plain-Java reference's. */
  static final double MAX_TESTDATA_X_JAVA_WALL = 2.0;
  /** backfill: its wall at most this many times one fresh nightly of its last date. */
  static final double MAX_BACKFILL_X_NIGHTLY = 1.5;
  /** steady 10M: at least this many times DuckDB's speed. */
  static final double MIN_STEADY_X_DUCKDB = 1.0;
  /** cold 10M: at least this many times plain Java's speed. */
  static final double MIN_COLD_X_JAVA = 1.0;
  /** cold 10M: at least this many times DuckDB's speed. */
  static final double MIN_COLD_X_DUCKDB = 0.5;
  static final double MAX_PEAK_GIB = 3.0;

  static final List<String> CSV_COLUMNS = List.of(
      "timestamp", "git_commit", "encore_version", "cores", "ram_gib", "cpu", "java", "os", "load_avg_at_start",
      "xmx", "days", "seed", "plays_per_user", "scenario", "size", "plays", "users", "engine", "run", "outcome",
      "wall_s", "peak_rss_gib", "x_plain_java", "x_duckdb", "same_counts", "rows", "message", "log", "note");

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

  /**
   * The result table as Markdown (also readable as plain text), one row per (scenario, data, engine), in run order:
   * the median wall time of the runs and every run's, the highest peak memory, the speed relative to the references
   * of the same scenario and data (their wall time divided by this one's: above 1 is faster), what the engine
   * computes, and the row-count check.
   */
  public static String table(List<BenchRow> rows) {
    StringBuilder s = new StringBuilder();
    s.append("| scenario | data | engine | wall s (median) | runs s | peak RSS GiB | × plain Java | × DuckDB"
        + " | computes | same counts |\n");
    s.append("| --- | --- | --- | ---: | --- | ---: | ---: | ---: | --- | --- |\n");
    for (BenchRow r : rows) {
      List<String> cells = new ArrayList<>();
      cells.add(r.scenario());
      cells.add(data(r));
      cells.add(r.label());
      if (r.measured()) {
        cells.add(String.format(Locale.ROOT, "%.1f", r.wallSeconds()));
        cells.add(r.runs().stream().map(x -> String.format(Locale.ROOT, "%.1f", x.wallSeconds()))
            .collect(Collectors.joining(", ")));
        cells.add(gib(r.peakRssBytes()));
        cells.add(ratio(r, rows, BenchRow.JAVA).map(BenchReport::times).orElse("—"));
        cells.add(ratio(r, rows, BenchRow.DUCKDB).map(BenchReport::times).orElse("—"));
        cells.add(scope(r.scenario(), r.engine()));
        cells.add(r.sameCounts());
      } else {
        for (int i = 0; i < 5; i++) {
          cells.add("—");
        }
        cells.add(scope(r.scenario(), r.engine()));
        cells.add((r.outcome() == BenchRow.Outcome.FAILED ? "**FAILED**: " : "") + r.message());
      }
      s.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    return s.toString();
  }

  /** The data cell: the size (plays per 60 days) or testdata, and the plays in the logs. */
  static String data(BenchRow r) {
    return r.size() + " (" + approx(r.plays()) + " plays)";
  }

  /** 21.7M, 41.3k, 950. */
  static String approx(long n) {
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
    return n >= 1_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
  }

  /** What an engine computes in a scenario: the table's scope column. */
  static String scope(String scenario, String engine) {
    boolean steady = scenario.equals(BenchRow.STEADY);
    return switch (engine) {
      case BenchRow.JAVA -> steady
          ? "the night's 8 datasets from the published activity + arrivals T-3-L..T; 1 thread, no staging,"
              + " metadata or report"
          : "the same 8 datasets from every arrival; 1 thread, no staging, metadata or report";
      case BenchRow.DUCKDB -> steady
          ? "sessions, activity, user_rewards from the published activity + the arrivals (no entity rewards,"
              + " predictions, rejected)"
          : "sessions, user_rewards only (no activity, entity rewards, predictions, rejected)";
      case BenchRow.NIGHTLY -> "nightly --date=T on a fresh root: the same end state";
      default -> switch (scenario) {
        case BenchRow.STEADY -> "nightly --date=T on (a copy of) the root published by nightly --date=T-1";
        case BenchRow.BACKFILL -> "backfill --from --to on a fresh root: every date's nightly";
        default -> "nightly --date=T on a fresh root: every dataset, staging, publishing, metadata, report";
      };
    };
  }

  /**
   * This row's speed relative to a reference in the same scenario on the same data (the reference's median wall
   * time divided by this row's); empty when either was not measured.
   *
   * @param reference {@link BenchRow#JAVA}, {@link BenchRow#DUCKDB} or {@link BenchRow#NIGHTLY}
   */
  static Optional<Double> ratio(BenchRow row, List<BenchRow> rows, String reference) {
    if (!row.measured()) {
      return Optional.empty();
    }
    return find(rows, row.scenario(), row.size(), reference).map(ref -> ref.wallSeconds() / row.wallSeconds());
  }

  private static Optional<BenchRow> find(List<BenchRow> rows, String scenario, String size, String engine) {
    return rows.stream().filter(r -> r.scenario().equals(scenario) && r.size().equals(size)
        && r.engine().equals(engine) && r.measured()).findFirst();
  }

  /**
   * One line per target of issue 15 ("PASS", "FAIL" or "n/a", then the numbers), and one FAIL line per failed run
   * or row-count mismatch.
   */
  public static List<String> targets(List<BenchRow> rows) {
    List<String> lines = new ArrayList<>();
    String f = DEFAULT_RUNNER;

    Optional<BenchRow> testdata = find(rows, BenchRow.TESTDATA, BenchRow.TESTDATA, f);
    Optional<BenchRow> testdataJava = find(rows, BenchRow.TESTDATA, BenchRow.TESTDATA, BenchRow.JAVA);
    String what = "testdata nightly on " + f;
    if (testdata.isEmpty() || testdataJava.isEmpty()) {
      lines.add("n/a   " + what + ": not measured with plain Java (--scenarios=testdata, --references=java);"
          + " target wall ≤ " + MAX_TESTDATA_X_JAVA_WALL + "× plain Java's");
    } else {
      double x = testdata.get().wallSeconds() / testdataJava.get().wallSeconds();
      lines.add(String.format(Locale.ROOT, "%s  %s: wall %.1f s = %.2f× plain Java's %.1f s (target ≤ %.1f×)",
          verdict(x <= MAX_TESTDATA_X_JAVA_WALL), what, testdata.get().wallSeconds(), x,
          testdataJava.get().wallSeconds(), MAX_TESTDATA_X_JAVA_WALL));
    }

    Optional<BenchRow> backfill = find(rows, BenchRow.BACKFILL, BenchRow.TESTDATA, f);
    Optional<BenchRow> nightly = find(rows, BenchRow.BACKFILL, BenchRow.TESTDATA, BenchRow.NIGHTLY);
    what = "backfill of testdata on " + f;
    if (backfill.isEmpty() || nightly.isEmpty()) {
      lines.add("n/a   " + what + ": not measured (--scenarios=backfill); target wall ≤ " + MAX_BACKFILL_X_NIGHTLY
          + "× one fresh-root nightly of its last date");
    } else {
      double x = backfill.get().wallSeconds() / nightly.get().wallSeconds();
      lines.add(String.format(Locale.ROOT, "%s  %s: wall %.1f s = %.2f× one fresh-root nightly of its last date"
              + " (%.1f s) (target ≤ %.1f×)",
          verdict(x <= MAX_BACKFILL_X_NIGHTLY), what, backfill.get().wallSeconds(), x,
          nightly.get().wallSeconds(), MAX_BACKFILL_X_NIGHTLY));
    }

    Optional<BenchRow> steady = find(rows, BenchRow.STEADY, TEN_MILLION, f);
    what = "steady-state night at 10M on " + f;
    lines.add(steady.isEmpty()
        ? "n/a   " + what + ": not measured (--scenarios=steady --sizes=10M); target ≥ " + MIN_STEADY_X_DUCKDB
            + "× DuckDB"
        : versus(steady.get(), rows, BenchRow.DUCKDB, "DuckDB", MIN_STEADY_X_DUCKDB, what));

    Optional<BenchRow> cold = find(rows, BenchRow.COLD, TEN_MILLION, f);
    what = "cold 10M on " + f;
    if (cold.isEmpty()) {
      lines.add("n/a   " + what + ": not measured (--scenarios=cold --sizes=10M); targets ≥ " + MIN_COLD_X_JAVA
          + "× plain Java, ≥ " + MIN_COLD_X_DUCKDB + "× DuckDB, peak ≤ " + MAX_PEAK_GIB + " GiB");
    } else {
      BenchRow c = cold.get();
      lines.add(versus(c, rows, BenchRow.JAVA, "plain Java", MIN_COLD_X_JAVA, what));
      lines.add(versus(c, rows, BenchRow.DUCKDB, "DuckDB", MIN_COLD_X_DUCKDB, what));
      double peak = c.peakRssBytes() / (double) (1L << 30);
      lines.add(c.peakRssBytes() < 0
          ? "n/a   " + what + ": peak memory could not be read (no /proc); target ≤ " + MAX_PEAK_GIB + " GiB"
          : String.format(Locale.ROOT, "%s  %s: peak memory %.2f GiB (target ≤ %.1f GiB)",
              verdict(peak <= MAX_PEAK_GIB), what, peak, MAX_PEAK_GIB));
    }

    for (BenchRow r : rows) {
      String where = r.scenario() + " " + r.size() + " on " + r.label();
      if (r.outcome() == BenchRow.Outcome.FAILED) {
        lines.add("FAIL  " + where + " failed: " + r.message());
      } else if (r.outcome() == BenchRow.Outcome.MISMATCH) {
        lines.add("FAIL  " + where + ": " + r.message() + ": " + r.sameCounts() + " (log " + r.log() + ")");
      }
    }
    return lines;
  }

  private static String versus(BenchRow f, List<BenchRow> rows, String reference, String name, double min,
      String what) {
    Optional<BenchRow> ref = find(rows, f.scenario(), f.size(), reference);
    if (ref.isEmpty()) {
      return "n/a   " + what + " vs " + name + ": " + name + " not measured (--references); target ≥ " + min
          + "× its speed";
    }
    double x = ref.get().wallSeconds() / f.wallSeconds();
    return String.format(Locale.ROOT, "%s  %s: %.2f× %s's speed, wall %.1f vs %.1f s (target ≥ %.1f×)",
        verdict(x >= min), what, x, name, f.wallSeconds(), ref.get().wallSeconds(), min);
  }

  private static String verdict(boolean pass) {
    return pass ? "PASS" : "FAIL";
  }

  /** The row-count check of a run against the reference's counts, for the datasets given. */
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

  /**
   * CSV lines, columns as {@link #CSV_COLUMNS}: for each row one line per run (run 1, 2, ...: its wall time, peak
   * memory and log), then its median line (run "median", with the ratios and the check); a row not measured has its
   * median line only.
   */
  public static List<String> csvLines(Context c, List<BenchRow> rows) {
    List<String> lines = new ArrayList<>();
    for (BenchRow r : rows) {
      for (int i = 0; i < r.runs().size(); i++) {
        BenchRow.Run run = r.runs().get(i);
        lines.add(csvLine(c, r, Integer.toString(i + 1), run.wallSeconds(), run.peakRssBytes(), "", "", "", "",
            run.log()));
      }
      lines.add(csvLine(c, r, "median", r.wallSeconds(), r.peakRssBytes(),
          ratio(r, rows, BenchRow.JAVA).map(x -> String.format(Locale.ROOT, "%.3f", x)).orElse(""),
          ratio(r, rows, BenchRow.DUCKDB).map(x -> String.format(Locale.ROOT, "%.3f", x)).orElse(""),
          r.sameCounts(), r.rows().entrySet().stream().sorted(Map.Entry.comparingByKey())
              .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";")), r.log()));
    }
    return lines;
  }

  private static String csvLine(Context c, BenchRow r, String run, double wall, long peak, String xJava,
      String xDuckDb, String same, String counts, String log) {
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
    v.add(r.engine().equals(BenchRow.JAVA) || r.engine().equals(BenchRow.DUCKDB) ? c.referenceXmx() : c.xmx());
    v.add(Integer.toString(c.days()));
    v.add(Long.toString(c.seed()));
    v.add(Integer.toString(c.playsPerUser()));
    v.add(r.scenario());
    v.add(r.size());
    v.add(Long.toString(r.plays()));
    v.add(Long.toString(r.users()));
    v.add(r.engine());
    v.add(run);
    v.add(r.outcome().name().toLowerCase(Locale.ROOT));
    v.add(number("%.3f", wall));
    v.add(peak < 0 ? "" : String.format(Locale.ROOT, "%.3f", peak / (double) (1L << 30)));
    v.add(xJava);
    v.add(xDuckDb);
    v.add(same);
    v.add(counts);
    v.add(run.equals("median") ? r.message() : "");
    v.add(log);
    v.add(c.note());
    return v.stream().map(BenchReport::csv).collect(Collectors.joining(","));
  }

  /**
   * The Markdown page of one benchmark run: context, machine, table, what was prepared apart (not timed), targets
   * and notes.
   *
   * @param apart lines about untimed work shown apart from the table (DuckDB's Parquet export)
   */
  public static String markdown(Context c, List<BenchRow> rows, List<String> apart) {
    StringBuilder s = new StringBuilder();
    s.append("# Benchmark: latest results\n\n");
    s.append("Written by the benchmark, `java -jar target/encore-bench.jar` (see the README's \"Benchmark\""
        + " section); every run appends its rows (each run and the median) to `docs/bench/results.csv`.\n\n");
    if (!c.note().isBlank()) {
      s.append("> **").append(c.note().strip()).append("**\n\n");
    }
    s.append("- command: `").append(c.command()).append("`\n");
    s.append("- started: ").append(c.timestamp()).append(", Encore ").append(c.version()).append(", commit ")
        .append(c.commit()).append('\n');
    s.append("- machine: ").append(c.machine().describe()).append('\n');
    s.append("- every run in its own JVM: runners with `-Xmx").append(c.xmx()).append("`, references with `-Xmx")
        .append(c.referenceXmx()).append("`; generated data: ").append(c.days())
        .append(" arrival days, size = plays per 60 days, users = size / ").append(c.playsPerUser())
        .append(", seed ").append(c.seed()).append(", no bot account\n\n");
    s.append(table(rows)).append('\n');
    if (!apart.isEmpty()) {
      s.append("Not timed, shown apart:\n\n");
      apart.forEach(line -> s.append("- ").append(line).append('\n'));
      s.append('\n');
    }
    s.append("Targets (issue 15):\n\n");
    for (String line : targets(rows)) {
      s.append("- ").append(line.replaceFirst("^(PASS|FAIL|n/a)\\s+", "**$1** ")).append('\n');
    }
    s.append('\n').append(notes(c.days()));
    return s.toString();
  }

  /** What the table means; printed under it and in the Markdown page. */
  static String notes(int days) {
    // A discovery on anchor D counts for entity_rewards when D - 60 >= F; the newest anchor is T - 1 = F + days - 2.
    return days - 2 >= 60 ? NOTES.substring(0, NOTES.indexOf("- With fewer")) : NOTES;
  }

  private static final String NOTES =
      """
      Notes:

      - **wall s**: the median of the runs (every run in **runs s**, in the order they ran; the engines' runs are
        interleaved: run 1 of every engine, then run 2, ...), each the child JVM from start to exit, JVM start
        included. **peak RSS**: the highest of the runs' VmHWM (heap and native: Flink's and DuckDB's memory count),
        sampled every 100 ms. **× plain Java**, **× DuckDB**: the reference's median wall time divided by this
        row's, in the same scenario on the same data (above 1: faster than the reference).
      - **data**: generated sizes are plays per 60 days (the rate of the first benchmark: 10M means 10M plays per 60
        days from 25,000 listeners, about 6.7 plays per listener and day), so logs of 130 days hold 130/60 of it
        (21.7M plays at 10M); testdata is the committed sample (`testdata/logs`, 150 days).
      - **cold**: `nightly --date=T` (T the last day) on a fresh output root: it reads every arrival partition and
        publishes sessions (the last 4 days), the daily activity of every day, user_rewards, user_entity_rewards,
        entity_rewards, the stickiness predictions (reward_priors, entity_predictions) and rejected, with what
        `nightly` always does besides: staging, atomic publishing with a content digest per partition, run
        metadata and the run report. FlinkRunner: embedded mini-cluster, default parallelism.
      - **steady**: the night a scheduler sees. Prepared, not timed: a root published by `nightly --date=T-1` on a
        fresh root (FlinkRunner); each timed runner run starts from a fresh copy of it (copied, not timed) and runs
        `nightly --date=T`: it reads the arrivals T-3-L .. T and the published activity back. The references start
        from the same root (only read): plain Java with `--published` and DuckDB's `DuckDbSteadyNight`. Counts are
        of the partitions the night published (their `_run.json` date is T).
      - **backfill**: `backfill --from=T-89 --to=T` of testdata on a fresh root against one `nightly --date=T` on a
        fresh root (the same end state), measured in the same invocation; **same counts** compares the backfill's
        root with the nightly's over the partitions the nightly publishes. The references compute one date, not a
        range: no reference row (see the testdata rows for T).
      - **plain Java (reference)**: one single-threaded pass without Beam (`dev.encore.bench.PlainJavaNightly`)
        that writes the same datasets with the project's pure functions (no staging, metadata or report).
        **same counts** compares every engine's rows per dataset with it (a test compares the rows themselves on
        the committed sample).
      - **DuckDB SQL (reference)**: cold, sessions and user_rewards only (`dev.encore.bench.DuckDbNightly`); steady,
        sessions, activity and user_rewards (`dev.encore.bench.DuckDbSteadyNight`, written from the docs by
        someone who had not read the pipeline); `SET threads=2`; no predictions. It reads the logs exported to
        Parquet beforehand (not timed, shown apart); its same-counts check covers the datasets it writes.
      - With fewer than 62 days of history, entity_rewards has no rows: it counts only discoveries whose 60-day
        lookback is complete, and the anchors of a short history have none. The stage still runs.
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
