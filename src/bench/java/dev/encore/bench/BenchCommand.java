package dev.encore.bench;

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
 * The benchmark, {@code java -jar target/encore-bench.jar [--name=value ...]}: for each data size, generates
 * listening logs (cached), then runs the full {@code nightly} of the product jar ({@code target/encore.jar}) on
 * each runner and the two references on the same data, each in its own JVM, and prints and records wall time,
 * throughput, peak memory, the ratios to the references and a row-count check. See {@link BenchOptions}.
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
    out.println("encore bench: sizes " + config.sizes().stream().map(Sizes::format).toList() + ", runners "
        + config.runners() + ", references " + config.references() + ", -Xmx" + config.xmx() + " (references -Xmx"
        + config.referenceXmx() + "); "
        + machine.describe());
    out.println("  logs of every run: " + bench.logs.toAbsolutePath());
    List<BenchRow> rows = new ArrayList<>();
    try {
      for (long plays : config.sizes()) {
        List<BenchRow> size = bench.measureSize(plays);
        rows.addAll(size);
        // Written after every size, so a long run that is stopped keeps what it measured.
        appendCsv(config.csv(), BenchReport.csvLines(context, size));
        writeString(config.markdown(), BenchReport.markdown(context, rows));
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
        + config.referenceXmx() + "; " + config.days()
        + " days of history, users = plays / " + config.playsPerUser() + ", seed " + config.seed());
    out.println();
    out.print(BenchReport.table(rows));
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
      err.println("encore bench: some runs failed or published other row counts than the plain-Java reference:"
          + " see the FAIL lines above and their logs.");
      return EncoreException.PIPELINE;
    }
    return 0;
  }

  /** The references, then every runner, on the data set of one size. */
  private List<BenchRow> measureSize(long plays) throws IOException, InterruptedException {
    DataSet data = DataSet.prepare(config, plays, config.references().contains(BenchRow.DUCKDB), out, err);
    List<BenchRow> rows = new ArrayList<>();
    Map<String, Long> reference = null;
    for (String engine : config.references()) {
      BenchRow row = engine.equals(BenchRow.JAVA)
          ? measure(data, engine, launcher.main(config.referenceXmx(), List.of(), PlainJavaNightly.class,
              "--date=" + data.last(), "--logs=" + data.logs(), "--output=" + output(data, engine)), null)
          : measure(data, engine, launcher.main(config.referenceXmx(), List.of(), DuckDbNightly.class,
              "--plays=" + data.parquet(), "--date=" + data.last(), "--output=" + output(data, engine),
              "--threads=" + config.duckdbThreads()), reference);
      if (engine.equals(BenchRow.JAVA) && row.measured()) {
        reference = row.rows();
      }
      rows.add(row);
    }
    // A DuckDB reference listed before the plain-Java one ran before its counts were known: check it now.
    for (int i = 0; i < rows.size(); i++) {
      BenchRow r = rows.get(i);
      if (r.engine().equals(BenchRow.DUCKDB) && r.measured()) {
        rows.set(i, checked(r, reference));
      }
    }
    for (String runner : config.runners()) {
      if (runner.equals("DirectRunner") && plays > config.maxDirectPlays()) {
        BenchRow skipped = BenchRow.skipped(plays, data.users(), runner,
            "skipped (> " + Sizes.format(config.maxDirectPlays()) + " plays, --maxDirectPlays)");
        out.println("bench: " + Sizes.format(plays) + " " + runner + ": " + skipped.message());
        rows.add(skipped);
        continue;
      }
      List<String> args = new ArrayList<>(List.of("nightly", "--date=" + data.last(), "--logs=" + data.logs(),
          "--output=" + output(data, runner), "--runner=" + runner));
      List<String> jvmFlags = new ArrayList<>();
      if (runner.equals("SparkRunner")) {
        args.add("--sparkMaster=local[2]");
        jvmFlags.addAll(SPARK_JVM_FLAGS);
      }
      rows.add(measure(data, runner, launcher.encore(config.xmx(), jvmFlags, args), reference));
    }
    return rows;
  }

  /** Runs one child JVM on a fresh output root, counts what it wrote, deletes the output root. */
  private BenchRow measure(DataSet data, String engine, List<String> command, Map<String, Long> reference)
      throws IOException, InterruptedException {
    Path output = output(data, engine);
    BenchFiles.deleteTree(output);
    Path log = logs.resolve(Sizes.format(data.plays()) + "-" + engine + ".log");
    String what = Sizes.format(data.plays()) + " " + engine;
    out.println("bench: " + what + " running (log " + log + ")");
    ChildJvm.Measurement m = ChildJvm.run(command, log);
    BenchRow row;
    if (m.exitCode() != 0) {
      String message = "exit code " + m.exitCode() + " after " + String.format(Locale.ROOT, "%.1f", m.wallSeconds())
          + " s, log " + log;
      err.println("bench: " + what + " FAILED: " + message + "; its last lines:");
      lastLines(log, 12).forEach(line -> err.println("    " + line));
      row = new BenchRow(data.plays(), data.users(), engine, BenchRow.Outcome.FAILED, m.wallSeconds(),
          m.peakRssBytes(), Map.of(), "n/a", message, log.toString());
    } else {
      Map<String, Long> counts = Files.isDirectory(output) ? DatasetCounts.of(output) : Map.of();
      row = new BenchRow(data.plays(), data.users(), engine, BenchRow.Outcome.OK, m.wallSeconds(),
          m.peakRssBytes(), counts, engine.equals(BenchRow.JAVA) ? "reference" : "n/a", "", log.toString());
      if (!engine.equals(BenchRow.JAVA) && reference != null) {
        row = checked(row, reference);
      }
      out.printf(Locale.ROOT, "bench: %s: %.1f s, %,.0f plays/s, peak %s GiB, same counts %s%n", what,
          row.wallSeconds(), row.playsPerSecond(),
          row.peakRssBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", row.peakRssBytes() / (double) (1L << 30)),
          row.sameCounts());
      if (row.outcome() == BenchRow.Outcome.MISMATCH) {
        err.println("bench: " + what + " MISMATCH: its row counts differ from the plain-Java reference's: "
            + row.sameCounts() + " (log " + log + ")");
      }
    }
    BenchFiles.deleteTree(output);
    BenchFiles.deleteTree(output.resolveSibling(output.getFileName() + ".duckdb-tmp"));
    return row;
  }

  /** The row with its counts compared to the plain-Java reference's (the datasets both write). */
  private static BenchRow checked(BenchRow row, Map<String, Long> reference) {
    if (reference == null) {
      return row;
    }
    List<String> datasets = row.engine().equals(BenchRow.DUCKDB)
        ? List.of("sessions", "user_rewards")
        : new ArrayList<>(new TreeSet<>(reference.keySet()));
    String same = BenchReport.sameCounts(row.rows(), reference, datasets);
    BenchRow.Outcome outcome = same.startsWith("✓") ? BenchRow.Outcome.OK : BenchRow.Outcome.MISMATCH;
    return new BenchRow(row.plays(), row.users(), row.engine(), outcome, row.wallSeconds(), row.peakRssBytes(),
        row.rows(), same, outcome == BenchRow.Outcome.OK ? "" : "row counts differ", row.log());
  }

  private Path output(DataSet data, String engine) {
    return config.work().resolve("runs").resolve(Sizes.format(data.plays()) + "-" + engine).toAbsolutePath();
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
    out.println("For each size: generates listening logs (cached under --work), runs the plain-Java and DuckDB");
    out.println("references and the full nightly on each runner on them, each in its own JVM, and prints a table of");
    out.println("wall time, plays/s, peak memory, the ratios to the references and a row-count check; appends the");
    out.println("rows to --csv and writes --markdown. Run it from the repository root. Quick variant: --sizes=1M.");
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
    List<String> main(String xmx, List<String> jvmFlags, Class<?> mainClass, String... args) {
      List<String> main = new ArrayList<>(List.of("-cp", classPath, mainClass.getName()));
      main.addAll(List.of(args));
      return ChildJvm.java(jvmFlags(xmx, jvmFlags), main);
    }

    private static List<String> jvmFlags(String xmx, List<String> flags) {
      List<String> all = new ArrayList<>(List.of("-Xmx" + xmx));
      all.addAll(flags);
      return all;
    }
  }

  /**
   * One generated data set: its logs, and (for the DuckDB reference) their Parquet export, cached under
   * {@code <work>/data/} by size, users, days and seed.
   */
  record DataSet(long plays, long users, Path dir, LocalDate last) {
    Path logs() {
      return dir.resolve("logs");
    }

    Path parquet() {
      return dir.resolve("parquet");
    }

    /** Generates (unless cached) the logs of a size, and exports them to Parquet when asked. Not timed. */
    static DataSet prepare(BenchConfig config, long plays, boolean parquet, PrintStream out, PrintStream err)
        throws IOException {
      long users = config.users(plays);
      Path dir = config.work().resolve("data").resolve(String.format(Locale.ROOT,
          "plays-%s-users-%d-days-%d-seed-%d", Sizes.format(plays), users, config.days(), config.seed()))
          .toAbsolutePath();
      DataSet data = new DataSet(plays, users, dir, FROM.plusDays(config.days() - 1L));
      if (Files.exists(data.logs().resolve("_generator.json"))) {
        out.println("bench: " + Sizes.format(plays) + " plays: using the generated logs in " + data.logs());
      } else {
        out.println("bench: " + Sizes.format(plays) + " plays: generating logs (" + users + " users, "
            + config.days() + " days, seed " + config.seed() + ", no bot) in " + data.logs() + " (not timed)");
        BenchFiles.deleteTree(data.parquet());
        Files.createDirectories(dir);
        // The bot's plays are capped per day, so its share would shrink with the size (7 % of 1M, 0.2 % of
        // 30M): left out, every size is the same population of listeners.
        int code = GenerateCommand.run(new String[] {
            "--output=" + data.logs(), "--from=" + FROM, "--days=" + config.days(), "--users=" + users,
            "--plays=" + plays, "--seed=" + config.seed(), "--bot=false"}, out, err);
        if (code != 0) {
          throw new IllegalStateException("generating " + Sizes.format(plays) + " plays failed (exit " + code
              + "; its message is above)");
        }
      }
      if (parquet && !PlaysExport.complete(data.parquet())) {
        out.println("bench: " + Sizes.format(plays) + " plays: exporting the logs to Parquet for DuckDB (not timed)");
        long started = System.nanoTime();
        long records = PlaysExport.export(data.logs(), data.parquet());
        out.printf(Locale.ROOT, "bench: exported %,d records in %.1f s%n", records, (System.nanoTime() - started) / 1e9);
      }
      return data;
    }
  }
}
