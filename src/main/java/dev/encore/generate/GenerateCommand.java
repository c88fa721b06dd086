package dev.encore.generate;

import dev.encore.OptionsHelp;
import dev.encore.RunLog;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code encore generate --output=DIR ...}: writes realistic, deterministic synthetic listening logs.
 *
 * <p>Exit codes: 0 done; 1 the logs could not be written (I/O); 2 bad options (the message names the option
 * and what is allowed). See {@link Generator} for the layout and {@link GenerateOptions} for the options.
 */
public final class GenerateCommand {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  private GenerateCommand() {}

  /** Runs the command with the process's standard streams; returns the exit code. */
  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  /** Runs the command; returns the exit code. Never exits the JVM. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    // Beam's own --help handling exits the JVM, so it is answered here first.
    if (Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.startsWith("--help="))) {
      printHelp(out);
      return OK;
    }
    GeneratorConfig config;
    Generator generator;
    try {
      checkNumbers(args);
      GenerateOptions options =
          PipelineOptionsFactory.fromArgs(args).withValidation().as(GenerateOptions.class);
      config = GeneratorConfig.from(options);
      generator = new Generator(config, out);
      generator.check();
    } catch (IllegalArgumentException e) {
      err.println("generate: " + e.getMessage());
      err.println("Run 'encore generate --help' for the options.");
      return USAGE;
    } catch (IOException e) {
      err.println("generate: cannot read --output: " + e);
      return FAILED;
    }
    try {
      long started = System.nanoTime();
      PartitionCounts counts = generator.run();
      long records = Arrays.stream(counts.records).sum();
      out.printf("generate: wrote %d records (%d plays, %d not delivered) in %d partitions to %s in %.1f s%n",
          records, counts.plays, counts.notDelivered, config.days(), config.output(),
          (System.nanoTime() - started) / 1e9);
      return OK;
    } catch (IOException e) {
      err.println("generate: writing " + config.output() + " failed: " + e);
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("generate: interrupted");
      return FAILED;
    } catch (RuntimeException e) {
      err.println("generate: failed: " + e);
      if (!RunLog.failure("encore generate failed unexpectedly", e)) {
        e.printStackTrace(err);
      }
      return FAILED;
    }
  }

  /** Lists the generator's own options (not Beam's runner options, which it does not use). */
  static void printHelp(PrintStream out) {
    out.println("encore generate --output=DIR [--name=value ...]");
    out.println("Writes synthetic listening logs: <output>/dt=YYYY-MM-DD/part-NNNNN.avro, an empty _SUCCESS");
    out.println("per partition, and _generator.json with the exact counts of what was written.");
    out.println();
    OptionsHelp.print(out, GenerateOptions.class);
  }

  /**
   * Beam's own message for --days=abc does not say which option is wrong; this one does.
   *
   * @throws IllegalArgumentException naming the option whose value is not a whole number
   */
  private static void checkNumbers(String[] args) {
    OptionsHelp.checkWholeNumbers(args, GenerateOptions.class);
  }
}
