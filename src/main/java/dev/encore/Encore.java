package dev.encore;

import dev.encore.backfill.Backfill;
import dev.encore.backfill.BackfillOptions;
import dev.encore.generate.GenerateCommand;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
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
        generate  Write realistic synthetic listening logs: --output=DIR [--from= --days= --users= --plays= --seed=]
        help      This text. `<command> --help` lists every option of a command with its default.

      The default runner is Flink on an embedded mini-cluster; --runner=DirectRunner also works (slow, for
      debugging on small inputs).
      """;

  private Encore() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
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
          out.println(NightlyJob.run(nightlyOptions(rest)).render());
          return 0;
        }
        case "backfill" -> {
          if (wantsHelp(rest)) {
            return printHelp(out, err, BackfillOptions.class, rest);
          }
          BackfillOptions options =
              PipelineOptionsFactory.fromArgs(rest).withValidation().as(BackfillOptions.class);
          defaultRunner(options, rest);
          Backfill.run(options, out);
          return 0;
        }
        case "generate" -> {
          return GenerateCommand.run(rest, out, err);
        }
        default -> {
          err.println("encore: unknown command '" + command + "'.");
          err.print(USAGE);
          return EncoreException.USAGE;
        }
      }
    } catch (EncoreException e) {
      err.println("encore " + command + ": error: " + e.getMessage());
      return e.exitCode();
    } catch (IllegalArgumentException e) {
      // Beam's option parser reports unknown or missing options this way.
      err.println("encore " + command + ": error: " + e.getMessage()
          + "\nRun `java -jar encore.jar " + command + " --help` for the options.");
      return EncoreException.USAGE;
    }
  }

  /** Parses nightly options; the embedded Flink mini-cluster is the default runner. */
  static NightlyOptions nightlyOptions(String[] args) {
    NightlyOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(NightlyOptions.class);
    defaultRunner(options, args);
    return options;
  }

  private static void defaultRunner(PipelineOptions options, String[] args) {
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--runner="))) {
      options.setRunner(FlinkRunner.class);
    }
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
          + " Beam lists below; --help=FlinkPipelineOptions lists the Flink runner's options):\n");
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
