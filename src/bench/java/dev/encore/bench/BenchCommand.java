package dev.encore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.OptionsHelp;
import dev.encore.Version;
import dev.encore.generate.GenerateCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.PipelineRunnerRegistrar;

/**
 * The benchmark, {@code java -jar target/encore-bench.jar [--name=value ...]}: for each scenario (cold, steady,
 * backfill, testdata) and data set (generated logs, cached, or the committed sample), runs the product jar ({@code
 * target/encore.jar}) on each runner and the two references from the same state, each in its own JVM, --repeats
 * times interleaved, and prints and records the median wall time and every run's, peak memory, the ratios to the
 * references and a row-count check, with the targets of issue 15. See {@link BenchOptions}.
 *
 * <p>Exit code 0 when every run succeeded with the reference's row counts, 1 when one failed or differed (the
 * table and the last lines say which, with the log), 2 for a bad command line.
 */
public final class BenchCommand {
  /** First day of the generated logs. */
  static final LocalDate FROM = LocalDate.parse("2024-01-01");
  /** The Spark runner on JDK 17 (STACK-FACTS.md): the module openings Spark needs, and no direct method handles. */
  static final List<String> SPARK_JVM_FLAGS;

  static {
    List<String> flags = new ArrayList<>();
    for (String pkg : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
        "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs",
        "sun.security.action", "sun.util.calendar")) {
      flags.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    flags.add("-Djdk.reflect.useDirectMethodHandle=false");
    SPARK_JVM_FLAGS = List.copyOf(flags);
  }

  private final BenchConfig config;
  private final Launcher launcher;
  private final PrintStream out;
  private final PrintStream err;
  private final Path logs;
  /** Lines about the untimed Parquet exports DuckDB reads, shown apart from the table. */
  private final List<String> exports = new ArrayList<>();

  private BenchCommand(BenchConfig config, Launcher launcher, PrintStream out, PrintStream err, String stamp) {
    this.config = config;
    this.launcher = launcher;
    this.out = out;
    this.err = err;
    this.logs = config.work().resolve("logs").resolve(stamp);
  }

  /** The entry point of target/encore-bench.jar. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns its exit code. Never exits the JVM. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (OptionsHelp.wantsHelp(args)) {
      printHelp(out);
      return 0;
    }
    BenchConfig config;
    try {
      OptionsHelp.checkWholeNumbers(args, BenchOptions.class);
      BenchOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().as(BenchOptions.class);
      config = BenchConfig.from(options, availableRunners());
    } catch (IllegalArgumentException e) {
      err.println("encore bench: error: " + e.getMessage());
      err.println("Run `java -jar target/encore-bench.jar --help` for the options.");
      return EncoreException.USAGE;
    }
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String stamp = started.toString().replace(":", "").replace("-", "");
    Launcher launcher;
    try {
      launcher = Launcher.find();
    } catch (IllegalStateException e) {
      err.println("encore bench: error: " + e.getMessage());
      return EncoreException.PIPELINE;
    }
    BenchCommand bench = new BenchCommand(config, launcher, out, err, stamp);
    Machine machine = Machine.current();
    BenchReport.Context context = new BenchReport.Context(started.toString(), gitCommit(), Version.get(), machine,
        "java -jar target/encore-bench.jar" + (args.length == 0 ? "" : " " + String.join(" ", args)),
        config.xmx(), config.referenceXmx(), config.days(), config.seed(), config.playsPerUser(), config.note());
    out.println("encore bench: scenarios " + config.scenarios() + ", sizes "
        + config.sizes().stream().map(Sizes::format).toList() + " plays per 60 days over " + config.days()
        + " days, runners " + config.runners() + ", references " + config.references() + ", " + config.repeats()
        + " interleaved runs each, -Xmx" + config.xmx() + " (references -Xmx" + config.referenceXmx() + "); "
        + machine.describe());
    out.println("  logs of every run: " + bench.logs.toAbsolutePath());
    List<BenchRow> rows = new ArrayList<>();
    try {
      for (String scenario : config.scenarios()) {
        List<List<BenchRow>> measured = new ArrayList<>();
        switch (scenario) {
          case BenchRow.COLD -> {
            for (long size : config.sizes()) {
              measured.add(bench.cold(size));
            }
          }
          case BenchRow.STEADY -> {
            for (long size : config.sizes()) {
              measured.add(bench.steady(size));
            }
          }
          case BenchRow.BACKFILL -> measured.add(bench.backfill());
          default -> measured.add(bench.testdata());
        }
        for (List<BenchRow> part : measured) {
          rows.addAll(part);
          // Written after every part, so a long run that is stopped keeps what it measured.
          appendCsv(config.csv(), BenchReport.csvLines(context, part));
          writeString(config.markdown(), BenchReport.markdown(context, rows, bench.exports));
        }
      }
    } catch (IOException | RuntimeException e) {
      err.println("encore bench: error: " + e);
      e.printStackTrace(err);
      return EncoreException.PIPELINE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("encore bench: interrupted");
      return EncoreException.PIPELINE;
    }
    out.println();
    out.println("Machine: " + machine.describe() + "; runners -Xmx" + config.xmx() + ", references -Xmx"
        + config.referenceXmx() + "; generated data: " + config.days() + " days, size = plays per 60 days, users"
        + " = size / " + config.playsPerUser() + ", seed " + config.seed() + "; " + config.repeats()
        + " interleaved runs per row");
    out.println();
    out.print(BenchReport.table(rows));
    if (!bench.exports.isEmpty()) {
      out.println();
      out.println("Not timed, shown apart:");
      bench.exports.forEach(line -> out.println("  " + line));
    }
    out.println();
    out.println("Targets:");
    List<String> targets = BenchReport.targets(rows);
    targets.forEach(t -> out.println("  " + t));
    out.println();
    out.print(BenchReport.notes(config.days()));
    out.println();
    out.println("Rows appended to " + config.csv() + "; table written to " + config.markdown() + ".");
    boolean failed = rows.stream().anyMatch(
        r -> r.outcome() == BenchRow.Outcome.FAILED || r.outcome() == BenchRow.Outcome.MISMATCH);
    if (failed) {
      err.println("encore bench: some runs failed or published other row counts than their reference:"
          + " see the FAIL lines above and their logs.");
      return EncoreException.PIPELINE;
    }
    return 0;
  }

  /** The class of the steady-state DuckDB reference, started by name (it is written apart from this class). */
  static final String DUCKDB_STEADY = "dev.encore.bench.DuckDbSteadyNight";

  /**
   * One engine's timed run in a scenario.
   *
   * @param engine the row's engine
   * @param command the child JVM's command line
   * @param output the directory it writes: deleted before and after every run, counted after it
   * @param copyOf a root copied into {@code output} before every run (not timed), or null for an empty one
   * @param countPublishedBy count only the partitions published by the run of this date; null: every partition
   */
  record Job(String engine, List<String> command, Path output, Path copyOf, LocalDate countPublishedBy) {}

  /** What the runs of a scenario gave: a row per engine, and the rows per dataset and partition each wrote. */
  private record Measured(List<BenchRow> rows, Map<String, Map<String, Map<String, Long>>> partitions) {}

  /** (a) cold: the nightly of the last day on a fresh root, the references on the same logs. */
  List<BenchRow> cold(long size) throws IOException, InterruptedException {
    DataSet data = DataSet.generated(config, size, config.references().contains(BenchRow.DUCKDB), out, err, exports);
    List<Job> jobs = new ArrayList<>(coldReferences(BenchRow.COLD, data));
    List<BenchRow> skipped = new ArrayList<>();
    for (String runner : config.runners()) {
      if (runner.equals("DirectRunner") && data.plays() > config.maxDirectPlays()) {
        skipped.add(BenchRow.skipped(BenchRow.COLD, data.size(), data.plays(), data.users(), runner,
            "skipped (> " + Sizes.format(config.maxDirectPlays()) + " plays, --maxDirectPlays)"));
        continue;
      }
      Path output = output(BenchRow.COLD, data, runner);
      jobs.add(new Job(runner, nightly(runner, data.last(), data.logs(), output), output, null, null));
    }
    List<BenchRow> rows = checkedAgainstJava(measure(BenchRow.COLD, data, jobs), List.of("sessions", "user_rewards"));
    rows.addAll(skipped);
    return rows;
  }

  /** (d) testdata: the nightly of the sample's last day on a fresh root, the references on the same logs. */
  List<BenchRow> testdata() throws IOException, InterruptedException {
    DataSet data = DataSet.testdata(config, config.references().contains(BenchRow.DUCKDB), out, exports);
    List<Job> jobs = new ArrayList<>(coldReferences(BenchRow.TESTDATA, data));
    for (String runner : config.runners()) {
      Path output = output(BenchRow.TESTDATA, data, runner);
      jobs.add(new Job(runner, nightly(runner, data.last(), data.logs(), output), output, null, null));
    }
    return checkedAgainstJava(measure(BenchRow.TESTDATA, data, jobs), List.of("sessions", "user_rewards"));
  }

  private List<Job> coldReferences(String scenario, DataSet data) {
    List<Job> jobs = new ArrayList<>();
    for (String engine : config.references()) {
      Path output = output(scenario, data, engine);
      jobs.add(engine.equals(BenchRow.JAVA)
          ? new Job(engine, launcher.main(config.referenceXmx(), List.of(), PlainJavaNightly.class.getName(),
              "--date=" + data.last(), "--logs=" + data.logs(), "--output=" + output), output, null, null)
          : new Job(engine, launcher.main(config.referenceXmx(), List.of(), DuckDbNightly.class.getName(),
              "--plays=" + data.parquet(), "--date=" + data.last(), "--output=" + output,
              "--threads=" + config.duckdbThreads()), output, null, null));
    }
    return jobs;
  }

  /**
   * (b) steady: prepares (not timed) the root published by the nightly of the day before the last, then measures
   * the nightly of the last day on a fresh copy of it and the references from the same root.
   */
  List<BenchRow> steady(long size) throws IOException, InterruptedException {
    DataSet data = DataSet.generated(config, size, config.references().contains(BenchRow.DUCKDB), out, err, exports);
    LocalDate t = data.last();
    Path published = config.work().resolve("runs").resolve(BenchRow.STEADY + "-" + data.size() + "-published")
        .toAbsolutePath();
    BenchFiles.deleteTree(published);
    String preparer = config.runners().isEmpty() ? BenchReport.DEFAULT_RUNNER : config.runners().get(0);
    Path log = logs.resolve(BenchRow.STEADY + "-" + data.size() + "-prepare-nightly-" + t.minusDays(1) + ".log");
    out.println("bench: steady " + data.size() + ": preparing the published root of nightly --date=" + t.minusDays(1)
        + " on " + preparer + " (not timed; log " + log + ")");
    ChildJvm.Measurement prepared = ChildJvm.run(nightly(preparer, t.minusDays(1), data.logs(), published), log);
    List<BenchRow> rows = new ArrayList<>();
    if (prepared.exitCode() != 0) {
      String message = "preparing the published root failed: exit code " + prepared.exitCode() + ", log " + log;
      err.println("bench: steady " + data.size() + " FAILED: " + message);
      lastLines(log, 12).forEach(line -> err.println("    " + line));
      for (String engine : engines(config.references(), config.runners())) {
        rows.add(new BenchRow(BenchRow.STEADY, data.size(), data.plays(), data.users(), engine,
            BenchRow.Outcome.FAILED, Double.NaN, -1, Map.of(), "n/a", message, log.toString(), List.of()));
      }
      return rows;
    }
    List<Job> jobs = new ArrayList<>();
    List<BenchRow> skipped = new ArrayList<>();
    for (String engine : config.references()) {
      Path output = output(BenchRow.STEADY, data, engine);
      if (engine.equals(BenchRow.JAVA)) {
        jobs.add(new Job(engine, launcher.main(config.referenceXmx(), List.of(), PlainJavaNightly.class.getName(),
            "--date=" + t, "--logs=" + data.logs(), "--output=" + output, "--published=" + published), output,
            null, null));
      } else if (launcher.has(DUCKDB_STEADY)) {
        jobs.add(new Job(engine, launcher.main(config.referenceXmx(), List.of(), DUCKDB_STEADY,
            "--root=" + published, "--plays=" + data.parquet(), "--date=" + t, "--out=" + output), output, null,
            null));
      } else {
        skipped.add(BenchRow.skipped(BenchRow.STEADY, data.size(), data.plays(), data.users(), engine,
            "skipped: " + DUCKDB_STEADY + " is not in this build"));
      }
    }
    for (String runner : config.runners()) {
      if (runner.equals("DirectRunner") && data.plays() > config.maxDirectPlays()) {
        skipped.add(BenchRow.skipped(BenchRow.STEADY, data.size(), data.plays(), data.users(), runner,
            "skipped (> " + Sizes.format(config.maxDirectPlays()) + " plays, --maxDirectPlays)"));
        continue;
      }
      Path output = output(BenchRow.STEADY, data, runner);
      jobs.add(new Job(runner, nightly(runner, t, data.logs(), output), output, published, t));
    }
    rows.addAll(checkedAgainstJava(measure(BenchRow.STEADY, data, jobs),
        List.of("sessions", "activity", "user_rewards")));
    rows.addAll(skipped);
    BenchFiles.deleteTree(published);
    return rows;
  }

  /**
   * (c) backfill: {@code backfill} of the last --backfillDays dates of testdata on a fresh root against one
   * nightly of its last date on a fresh root, on the first runner, interleaved.
   */
  List<BenchRow> backfill() throws IOException, InterruptedException {
    DataSet data = DataSet.testdata(config, false, out, exports);
    String runner = config.runners().isEmpty() ? BenchReport.DEFAULT_RUNNER : config.runners().get(0);
    LocalDate to = data.last();
    LocalDate from = to.minusDays(config.backfillDays() - 1L);
    Path backfillOut = output(BenchRow.BACKFILL, data, runner);
    Path nightlyOut = output(BenchRow.BACKFILL, data, BenchRow.NIGHTLY);
    List<String> args = new ArrayList<>(List.of("backfill", "--from=" + from, "--to=" + to, "--logs=" + data.logs(),
        "--output=" + backfillOut, "--runner=" + runner));
    List<String> jvmFlags = new ArrayList<>();
    if (runner.equals("SparkRunner")) {
      args.add("--sparkMaster=local[2]");
      jvmFlags.addAll(SPARK_JVM_FLAGS);
    }
    List<Job> jobs = List.of(
        new Job(runner, launcher.encore(config.xmx(), jvmFlags, args), backfillOut, null, null),
        new Job(BenchRow.NIGHTLY, nightly(runner, to, data.logs(), nightlyOut), nightlyOut, null, null));
    Measured m = measure(BenchRow.BACKFILL, data, jobs);
    List<BenchRow> rows = new ArrayList<>(m.rows());
    BenchRow nightly = rows.get(1);
    if (rows.get(0).outcome() == BenchRow.Outcome.OK && nightly.measured()) {
      // The backfill's end state against the fresh nightly's, over the partitions the nightly publishes.
      Map<String, Long> mine = DatasetCounts.totalsOver(m.partitions().get(runner),
          m.partitions().get(BenchRow.NIGHTLY));
      rows.set(0, compared(rows.get(0), mine, nightly.rows(), new ArrayList<>(nightly.rows().keySet())));
    }
    rows.set(1, nightly.outcome() == BenchRow.Outcome.OK
        ? nightly.checked(BenchRow.Outcome.OK, "reference", "") : nightly);
    return rows;
  }

  private static List<String> engines(List<String> references, List<String> runners) {
    List<String> all = new ArrayList<>(references);
    all.addAll(runners);
    return all;
  }

  /** {@code nightly --date=.. --logs=.. --output=.. --runner=..} on a runner, as users run it. */
  private List<String> nightly(String runner, LocalDate date, Path logsDir, Path output) {
    List<String> args = new ArrayList<>(List.of("nightly", "--date=" + date, "--logs=" + logsDir,
        "--output=" + output, "--runner=" + runner));
    List<String> jvmFlags = new ArrayList<>();
    if (runner.equals("SparkRunner")) {
      args.add("--sparkMaster=local[2]");
      jvmFlags.addAll(SPARK_JVM_FLAGS);
    }
    return launcher.encore(config.xmx(), jvmFlags, args);
  }

  /**
   * The rows checked against the plain-Java reference's counts when it ran: DuckDB over {@code duckDbDatasets},
   * runners over every dataset the reference wrote.
   */
  private List<BenchRow> checkedAgainstJava(Measured m, List<String> duckDbDatasets) {
    List<BenchRow> rows = new ArrayList<>(m.rows());
    BenchRow reference = rows.stream()
        .filter(r -> r.engine().equals(BenchRow.JAVA) && r.outcome() == BenchRow.Outcome.OK).findFirst().orElse(null);
    for (int i = 0; i < rows.size(); i++) {
      BenchRow r = rows.get(i);
      if (r.engine().equals(BenchRow.JAVA)) {
        rows.set(i, r.outcome() == BenchRow.Outcome.OK ? r.checked(BenchRow.Outcome.OK, "reference", "") : r);
      } else if (reference != null && r.outcome() == BenchRow.Outcome.OK) {
        rows.set(i, compared(r, r.rows(), reference.rows(), r.engine().equals(BenchRow.DUCKDB)
            ? duckDbDatasets : new ArrayList<>(reference.rows().keySet())));
      }
    }
    return rows;
  }

  /** A row with its counts compared to a reference's over {@code datasets}; printed when they differ. */
  private BenchRow compared(BenchRow row, Map<String, Long> counts, Map<String, Long> reference,
      List<String> datasets) {
    String same = BenchReport.sameCounts(counts, reference, datasets);
    if (same.startsWith("✓")) {
      return row.checked(BenchRow.Outcome.OK, same, "");
    }
    err.println("bench: " + row.scenario() + " " + row.size() + " " + row.engine() + " MISMATCH: its row counts"
        + " differ from the reference's: " + same + " (log " + row.log() + ")");
    return row.checked(BenchRow.Outcome.MISMATCH, same, "row counts differ from the reference's");
  }

  /**
   * Runs every job --repeats times, interleaved (run 1 of every job, then run 2, ...), each in its own JVM on its
   * own output (emptied or copied from {@link Job#copyOf} first, not timed; deleted after it is counted). An engine
   * that fails is not run again. Every run of an engine must write the same rows.
   */
  private Measured measure(String scenario, DataSet data, List<Job> jobs) throws IOException, InterruptedException {
    Map<String, List<BenchRow.Run>> runs = new LinkedHashMap<>();
    Map<String, String> failed = new HashMap<>();
    Map<String, String> differs = new HashMap<>();
    Map<String, Map<String, Map<String, Long>>> partitions = new HashMap<>();
    for (int repeat = 1; repeat <= config.repeats(); repeat++) {
      for (Job job : jobs) {
        runs.computeIfAbsent(job.engine(), e -> new ArrayList<>());
        if (failed.containsKey(job.engine())) {
          continue;
        }
        Path output = job.output();
        BenchFiles.deleteTree(output);
        if (job.copyOf() != null) {
          BenchFiles.copyTree(job.copyOf(), output);
        }
        String what = scenario + " " + data.size() + " " + job.engine() + " run " + repeat + "/" + config.repeats();
        Path log = logs.resolve(scenario + "-" + data.size() + "-" + job.engine() + "-" + repeat + ".log");
        out.println("bench: " + what + " (log " + log + ")");
        ChildJvm.Measurement m = ChildJvm.run(job.command(), log);
        if (m.exitCode() != 0) {
          String message = "exit code " + m.exitCode() + " after " + String.format(Locale.ROOT, "%.1f",
              m.wallSeconds()) + " s, log " + log;
          err.println("bench: " + what + " FAILED: " + message + "; its last lines:");
          lastLines(log, 12).forEach(line -> err.println("    " + line));
          failed.put(job.engine(), message);
        } else {
          Map<String, Map<String, Long>> counts = Files.isDirectory(output)
              ? DatasetCounts.byPartition(output, job.countPublishedBy()) : Map.of();
          Map<String, Map<String, Long>> first = partitions.putIfAbsent(job.engine(), counts);
          if (first != null && !first.equals(counts)) {
            differs.put(job.engine(), "run " + repeat + " wrote other rows than run 1: "
                + DatasetCounts.totals(counts) + " vs " + DatasetCounts.totals(first));
          }
          runs.get(job.engine()).add(new BenchRow.Run(m.wallSeconds(), m.peakRssBytes(), log.toString()));
          out.printf(Locale.ROOT, "bench: %s: %.1f s, peak %s GiB%n", what, m.wallSeconds(),
              m.peakRssBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", m.peakRssBytes() / (double) (1L << 30)));
        }
        BenchFiles.deleteTree(output);
        BenchFiles.deleteTree(output.resolveSibling(output.getFileName() + ".duckdb-tmp"));
      }
    }
    List<BenchRow> rows = new ArrayList<>();
    for (Job job : jobs) {
      List<BenchRow.Run> done = runs.get(job.engine());
      String lastLog = done.isEmpty() ? "" : done.get(done.size() - 1).log();
      if (failed.containsKey(job.engine())) {
        String message = failed.get(job.engine());
        rows.add(new BenchRow(scenario, data.size(), data.plays(), data.users(), job.engine(),
            BenchRow.Outcome.FAILED, Double.NaN, -1, Map.of(), "n/a", message,
            message.substring(message.lastIndexOf("log ") + 4), done));
        continue;
      }
      double wall = BenchRow.median(done.stream().map(BenchRow.Run::wallSeconds).toList());
      long peak = done.stream().mapToLong(BenchRow.Run::peakRssBytes).max().orElse(-1);
      Map<String, Long> totals = DatasetCounts.totals(partitions.get(job.engine()));
      String differ = differs.get(job.engine());
      rows.add(new BenchRow(scenario, data.size(), data.plays(), data.users(), job.engine(),
          differ == null ? BenchRow.Outcome.OK : BenchRow.Outcome.MISMATCH, wall, peak, totals,
          differ == null ? "n/a" : "✗ runs differ", differ == null ? "" : differ, lastLog, done));
    }
    return new Measured(rows, partitions);
  }

  private Path output(String scenario, DataSet data, String engine) {
    return config.work().resolve("runs").resolve(scenario + "-" + data.size() + "-" + engine).toAbsolutePath();
  }

  /** The runners this build has (their simple names), from Beam's runner registrars. */
  static Set<String> availableRunners() {
    Set<String> names = new TreeSet<>();
    for (PipelineRunnerRegistrar registrar : ServiceLoader.load(PipelineRunnerRegistrar.class)) {
      for (Class<? extends PipelineRunner<?>> runner : registrar.getPipelineRunners()) {
        names.add(runner.getSimpleName());
      }
    }
    return names;
  }

  static void printHelp(PrintStream out) {
    out.println("java -jar target/encore-bench.jar [--name=value ...]");
    out.println("For each scenario (cold, steady, backfill, testdata) and data set: runs the nightly (or backfill) on");
    out.println("each runner and the plain-Java and DuckDB references from the same state, each in its own JVM,");
    out.println("--repeats times interleaved, and prints a table of the median wall time and every run's, peak");
    out.println("memory, the ratios to the references and a row-count check, with the targets; appends every run to");
    out.println("--csv and writes --markdown. Run it from the repository root. Quick: --sizes=100k --repeats=1.");
    out.println();
    OptionsHelp.print(out, BenchOptions.class);
  }

  /** The git commit of the working directory ("-dirty" when tracked files changed), or "unknown". */
  static String gitCommit() {
    String head = git("rev-parse", "--short=12", "HEAD");
    if (head == null || head.isBlank()) {
      return "unknown";
    }
    String status = git("status", "--porcelain", "--untracked-files=no");
    return head.strip() + (status != null && !status.isBlank() ? "-dirty" : "");
  }

  private static String git(String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
      p.getErrorStream().close();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? text : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static List<String> lastLines(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.subList(Math.max(0, lines.size() - n), lines.size());
    } catch (IOException | RuntimeException e) {
      return List.of("(cannot read " + file + ": " + e + ")");
    }
  }

  private static void appendCsv(Path csv, List<String> lines) throws IOException {
    if (csv.getParent() != null) {
      Files.createDirectories(csv.getParent());
    }
    List<String> all = new ArrayList<>();
    if (!Files.exists(csv) || Files.size(csv) == 0) {
      all.add(BenchReport.csvHeader());
    }
    all.addAll(lines);
    Files.write(csv, all, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void writeString(Path file, String text) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /**
   * How to start a child JVM. From target/encore-bench.jar: the runners run the product jar beside it
   * ({@code -jar encore.jar}, as users run it) and the references this jar's classes (whose manifest puts
   * encore.jar on the class path). From classes (tests, an IDE): this JVM's class path for both.
   *
   * @param jar the product jar, or null to run {@code dev.encore.Encore} from {@code classPath}
   */
  record Launcher(Path jar, String classPath) {
    static Launcher find() {
      Path source;
      try {
        source = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (URISyntaxException | RuntimeException e) {
        return new Launcher(null, System.getProperty("java.class.path"));
      }
      if (!Files.isRegularFile(source) || !source.toString().endsWith(".jar")) {
        return new Launcher(null, System.getProperty("java.class.path"));
      }
      Path product = source.toAbsolutePath().resolveSibling("encore.jar");
      if (!Files.isRegularFile(product)) {
        throw new IllegalStateException(product + " is missing: the benchmark runs the product jar beside it;"
            + " build both with `mvn -B -q -DskipTests package`");
      }
      return new Launcher(product, source.toAbsolutePath().toString());
    }

    /** {@code java -Xmx.. [flags] -jar encore.jar <args>} (or the main class on the class path). */
    List<String> encore(String xmx, List<String> jvmFlags, List<String> args) {
      List<String> main = new ArrayList<>();
      if (jar != null) {
        main.addAll(List.of("-jar", jar.toString()));
      } else {
        main.addAll(List.of("-cp", classPath, "dev.encore.Encore"));
      }
      main.addAll(args);
      return ChildJvm.java(jvmFlags(xmx, jvmFlags), main);
    }

    /** {@code java -Xmx.. -cp encore-bench.jar <main class> <args>}. */
    List<String> main(String xmx, List<String> jvmFlags, String mainClass, String... args) {
      List<String> main = new ArrayList<>(List.of("-cp", classPath, mainClass));
      main.addAll(List.of(args));
      return ChildJvm.java(jvmFlags(xmx, jvmFlags), main);
    }

    /** Whether the class path the references run from has this class (a reference written on another branch). */
    boolean has(String className) {
      try {
        Class.forName(className, false, BenchCommand.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }

    private static List<String> jvmFlags(String xmx, List<String> flags) {
      List<String> all = new ArrayList<>(List.of("-Xmx" + xmx));
      all.addAll(flags);
      return all;
    }
  }

  /**
   * One data set: generated logs, or the committed sample, and (for DuckDB) their Parquet export, cached under
   * {@code <work>/data/}.
   *
   * @param size the table's name for it: the generated size (plays per 60 days) or "testdata"
   * @param plays plays in its logs
   * @param users listener accounts
   * @param logs its arrival partitions
   * @param parquet the Parquet export of its logs (made when DuckDB runs)
   * @param last its last arrival day, T
   */
  record DataSet(String size, long plays, long users, Path logs, Path parquet, LocalDate last) {

    /** Generates (unless cached) the logs of a size, and exports them to Parquet when asked. Not timed. */
    static DataSet generated(BenchConfig config, long size, boolean parquet, PrintStream out, PrintStream err,
        List<String> exports) throws IOException {
      long users = config.users(size);
      long plays = config.plays(size);
      Path dir = config.work().resolve("data").resolve(String.format(Locale.ROOT,
          "plays-%d-users-%d-days-%d-seed-%d", plays, users, config.days(), config.seed())).toAbsolutePath();
      DataSet data = new DataSet(Sizes.format(size), plays, users, dir.resolve("logs"), dir.resolve("parquet"),
          FROM.plusDays(config.days() - 1L));
      if (Files.exists(data.logs().resolve("_generator.json"))) {
        out.println("bench: " + data.size() + ": using the generated logs in " + data.logs());
      } else {
        out.println("bench: " + data.size() + ": generating logs (" + plays + " plays, " + users + " users, "
            + config.days() + " days, seed " + config.seed() + ", no bot) in " + data.logs() + " (not timed)");
        BenchFiles.deleteTree(data.parquet());
        Files.createDirectories(dir);
        // The bot's plays are capped per day, so its share would shrink with the size (7 % of 1M, 0.2 % of
        // 30M): left out, every size is the same population of listeners.
        int code = GenerateCommand.run(new String[] {
            "--output=" + data.logs(), "--from=" + FROM, "--days=" + config.days(), "--users=" + users,
            "--plays=" + plays, "--seed=" + config.seed(), "--bot=false"}, out, err);
        if (code != 0) {
          throw new IllegalStateException("generating " + plays + " plays failed (exit " + code
              + "; its message is above)");
        }
      }
      if (parquet) {
        data.export(out, exports);
      }
      return data;
    }

    /** The committed sample (--testdata), its plays and users from its _generator.json. */
    static DataSet testdata(BenchConfig config, boolean parquet, PrintStream out, List<String> exports)
        throws IOException {
      Path logs = config.testdata().toAbsolutePath().normalize();
      JsonNode manifest = new ObjectMapper().readTree(logs.resolve("_generator.json").toFile());
      // Cached by the logs' size, so a changed sample is exported again.
      Path dir = config.work().resolve("data").resolve("testdata-" + BenchFiles.size(logs)).toAbsolutePath();
      DataSet data = new DataSet(BenchRow.TESTDATA, manifest.path("totals").path("plays").asLong(),
          manifest.path("options").path("users").asLong(), logs, dir.resolve("parquet"), PlaysExport.lastDay(logs));
      if (parquet) {
        data.export(out, exports);
      }
      return data;
    }

    /** Exports the logs to Parquet for DuckDB unless done; says how long it took (now or when it was made). */
    private void export(PrintStream out, List<String> exports) throws IOException {
      Path record = parquet.resolveSibling("parquet-export.txt");
      if (!PlaysExport.complete(parquet) || !Files.exists(record)) {
        out.println("bench: " + size + ": exporting the logs to Parquet for DuckDB (not timed)");
        long started = System.nanoTime();
        long records = PlaysExport.export(logs, parquet);
        Files.writeString(record, String.format(Locale.ROOT, "%d records in %.1f s",
            records, (System.nanoTime() - started) / 1e9));
      }
      String line = "DuckDB's input, " + size + ": the Avro logs exported to Parquet beforehand ("
          + PlaysExport.class.getSimpleName() + "), " + Files.readString(record).strip();
      out.println("bench: " + line);
      if (!exports.contains(line)) {
        exports.add(line);
      }
    }
  }
}
