package dev.encore;

import dev.encore.backfill.Backfill;
import dev.encore.backfill.BackfillOptions;
import dev.encore.generate.GenerateCommand;
import dev.encore.inspect.InspectCommand;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.report.ReportCommand;
import dev.encore.report.RunReport;
import dev.encore.store.S3StoreClientBuilderFactory;
import dev.encore.store.Stores;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Command-line entry point: {@code java -jar encore.jar <command> --name=value ...}. Exit code 0 only on full
 * success; otherwise the code of {@link EncoreException} and one message that names the cause and what to do.
 */
public final class Encore {
  private static final String USAGE =
      """
      Usage: java -jar encore.jar <command> [--name=value ...]

      Commands:
        nightly   Process one arrival day: --date=YYYY-MM-DD --logs=DIR --output=DIR [--runner=...]
        backfill  The nightly work for every date of a range, in order, resumable: --from= --to= --logs= --output=
        report    Rebuild <output>/_report/report.html and its PNG charts for an output root: --output=DIR
        inspect   Schema with docs, row count, min/max per column and a few rows of a dataset, partition or file:
                  inspect PATH [--rows=5] (Parquet outputs and Avro inputs alike)
      DIR and PATH are local paths or hdfs://, s3://, gs:// URLs; every command takes the stores' options
      (--hdfsConfiguration, --awsRegion, --endpoint, --s3PathStyleAccess, --project; docs/operations.md).
        generate  Write realistic synthetic listening logs: --output=DIR [--from= --days= --users= --plays= --seed=]
        bench     Not in this jar: the benchmark is encore-bench.jar, built beside it (java -jar encore-bench.jar)
        help      This text. `<command> --help` lists every option of a command with its default.

      Runners (--runner=):
        FlinkRunner    the default: an embedded mini-cluster, or a Flink cluster with --flinkMaster=host:8081
        SparkRunner    Spark in this JVM with --sparkMaster=local[N], or a cluster with --sparkMaster=spark://host:7077
        DirectRunner   in memory, for debugging (up to about 1M plays; --enforceImmutability to check stages)
      (DataflowRunner in a jar built with -Pdataflow-runner.) `nightly --help=SparkPipelineOptions` (or
      FlinkPipelineOptions, DataflowPipelineOptions) lists a runner's own options.
      """;

  private Encore() {}

  public static void main(String[] args) {
    // Before anything logs: the engines' warnings and stack traces go to the run's log file, not the console.
    RunLog log = RunLog.start(args);
    int code = run(args, System.out, System.err);
    log.finish(code);
    if (RunLog.worthShowing(code) && log.file().isPresent()) {
      // No command at all is a usage error (2), so args[0] is there.
      System.err.println("encore " + args[0] + ": full log: " + log.file().get());
    }
    System.exit(code);
  }

  /** Runs one command and returns its exit code; never exits the JVM. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
      out.print(USAGE);
      return args.length == 0 ? EncoreException.USAGE : 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (command) {
        case "nightly" -> {
          if (wantsHelp(rest)) {
            return printHelp(out, err, NightlyOptions.class, rest);
          }
          NightlyOptions options = nightlyOptions(rest);
          out.println(NightlyJob.run(options).render());
          writeReport(options.getOutput(), options, out, err);
          return 0;
        }
        case "backfill" -> {
          if (wantsHelp(rest)) {
            return printHelp(out, err, BackfillOptions.class, rest);
          }
          BackfillOptions options = parse(command, rest, BackfillOptions.class);
          Backfill.run(options, out);
          writeReport(options.getOutput(), options, out, err);
          return 0;
        }
        case "report" -> {
          return ReportCommand.run(rest, out, err);
        }
        case "inspect" -> {
          return InspectCommand.run(rest, out, err);
        }
        case "generate" -> {
          return GenerateCommand.run(rest, out, err);
        }
        case "bench" -> {
          // The benchmark, its references and DuckDB are not part of the product (see pom.xml, shade).
          err.println("encore bench: the benchmark is not in encore.jar; run `java -jar target/encore-bench.jar"
              + " [--sizes=1M ...]` (built beside it by `mvn package`; --help lists its options).");
          return EncoreException.USAGE;
        }
        default -> {
          err.println("encore: unknown command '" + command + "'.");
          err.print(USAGE);
          return EncoreException.USAGE;
        }
      }
    } catch (EncoreException e) {
      err.println("encore " + command + ": error: " + e.getMessage());
      RunLog.failure("encore " + command + " failed (exit code " + e.exitCode() + ")", e);
      return e.exitCode();
    } catch (RuntimeException e) {
      err.println("encore " + command + ": error: unexpected failure: " + e
          + ". Nothing was published by the step that failed; re-run the same command, and report this if it"
          + " happens again.");
      if (!RunLog.failure("encore " + command + " failed unexpectedly", e)) {
        e.printStackTrace(err);
      }
      return EncoreException.PIPELINE;
    }
  }

  /**
   * Every nightly (and backfill) refreshes the run report. Its data is published by then, so a report that cannot
   * be written is a warning, not a failed night.
   */
  private static void writeReport(String outputRoot, PipelineOptions options, PrintStream out, PrintStream err) {
    try {
      out.println("  report: " + RunReport.write(outputRoot, options));
    } catch (RuntimeException e) {
      err.println("encore nightly: warning: the run is published, but its report could not be written: " + e
          + ". Rebuild it with `java -jar encore.jar report --output=" + outputRoot + "`"
          + (Stores.isLocal(outputRoot) ? "" : " and this run's store options (--endpoint=... and so on)") + ".");
    }
  }

  /** Parses nightly options; the embedded Flink mini-cluster is the default runner. */
  static NightlyOptions nightlyOptions(String[] args) {
    return parse("nightly", args, NightlyOptions.class);
  }

  /** Parses a command's options; the embedded Flink mini-cluster is the default runner. */
  private static <T extends PipelineOptions> T parse(String command, String[] args, Class<T> type) {
    T options;
    try {
      options = PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    } catch (IllegalArgumentException e) {
      // Beam's option parser reports unknown, missing and malformed options this way.
      throw new EncoreException(EncoreException.USAGE, e.getMessage()
          + "\nRun `java -jar encore.jar " + command + " --help` for the options.");
    }
    S3StoreClientBuilderFactory.configure(options);
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--runner="))) {
      options.setRunner(FlinkRunner.class);
    }
    if (options.getRunner() == DirectRunner.class) {
      // The DirectRunner's checks that user code neither mutates nor fails to encode elements encode every element
      // a few more times: two thirds of a nightly's time. They guard code being written: the tests that run on the
      // DirectRunner name them, and so can anyone debugging a change to a stage.
      DirectOptions direct = options.as(DirectOptions.class);
      if (Arrays.stream(args).noneMatch(a -> a.startsWith("--enforceImmutability"))) {
        direct.setEnforceImmutability(false);
      }
      if (Arrays.stream(args).noneMatch(a -> a.startsWith("--enforceEncodability"))) {
        direct.setEnforceEncodability(false);
      }
    }
    return options;
  }

  /**
   * Prints every option of a command with its default; {@code --help=FlinkPipelineOptions} (or any registered
   * options interface) prints a runner's options.
   */
  private static int printHelp(
      PrintStream out, PrintStream err, Class<? extends PipelineOptions> command, String[] args) {
    String wanted =
        Arrays.stream(args).filter(a -> a.startsWith("--help=")).map(a -> a.substring(7)).findFirst().orElse(null);
    if (wanted == null) {
      out.println("Options (the runner defaults to FlinkRunner on an embedded mini-cluster, not the DirectRunner"
          + " Beam lists below; --runner=FlinkRunner, SparkRunner or DirectRunner. --help=FlinkPipelineOptions or"
          + " --help=SparkPipelineOptions lists that runner's options, e.g. --flinkMaster, --sparkMaster):\n");
      PipelineOptionsFactory.printHelp(out, command);
      return 0;
    }
    for (Class<? extends PipelineOptions> iface : PipelineOptionsFactory.getRegisteredOptions()) {
      if (iface.getSimpleName().equals(wanted) || iface.getName().equals(wanted)) {
        PipelineOptionsFactory.printHelp(out, iface);
        return 0;
      }
    }
    err.println("encore: no options interface named " + wanted + " is registered.");
    return EncoreException.USAGE;
  }

  private static boolean wantsHelp(String[] args) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.startsWith("--help="));
  }
}
