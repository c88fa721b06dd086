package dev.encore;

import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.runners.flink.FlinkRunner;
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
            PipelineOptionsFactory.printHelp(out, NightlyOptions.class);
            return 0;
          }
          out.println(NightlyJob.run(nightlyOptions(rest)).render());
          return 0;
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
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--runner="))) {
      options.setRunner(FlinkRunner.class);
    }
    return options;
  }

  private static boolean wantsHelp(String[] args) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.startsWith("--help="));
  }
}
