package dev.encore.operations;

import dev.encore.Encore;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.NightlySummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Runs Encore in this JVM for the operations tests: the job itself, or the command line with its exit code. */
final class Runs {
  private Runs() {}

  /** What {@link Encore#run} returned and printed. */
  record Cli(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** {@code nightly --date=... --logs=... --output=...} on the embedded Flink runner, in this JVM. */
  static NightlySummary nightly(String date, Path logs, Path out) {
    NightlyOptions o = PipelineOptionsFactory.fromArgs(
        "--date=" + date, "--logs=" + logs, "--output=" + out).as(NightlyOptions.class);
    o.setRunner(FlinkRunner.class);
    return NightlyJob.run(o);
  }

  /** The command line in this JVM ({@link Encore#run}), stdout and stderr captured. */
  static Cli encore(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Encore.run(args, o, e);
    }
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
