package dev.encore.testing;

import dev.encore.Encore;
import dev.encore.backfill.Backfill;
import dev.encore.backfill.BackfillOptions;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.NightlySummary;
import dev.encore.store.S3StoreClientBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Runs Encore in this JVM for tests: the job itself, or the command line with its exit code and output. */
public final class Runs {
  private Runs() {}

  /** What {@link Encore#run} returned and printed. */
  public record Cli(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /**
   * {@code nightly --date=... --logs=... --output=... [extra options]} as the job itself, in this JVM, on the
   * embedded Flink runner; failures are thrown as {@link dev.encore.EncoreException}.
   */
  public static NightlySummary nightly(Object date, Path logs, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("--date=" + date, "--logs=" + logs, "--output=" + out));
    args.addAll(List.of(extra));
    NightlyOptions o = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).as(NightlyOptions.class);
    S3StoreClientBuilderFactory.configure(o);
    o.setRunner(FlinkRunner.class);
    return NightlyJob.run(o);
  }

  /**
   * {@code nightly} with these options (paths on any store, store options included), parsed as the command line
   * parses them, as the job itself on the embedded Flink runner; failures are thrown as
   * {@link dev.encore.EncoreException}.
   */
  public static NightlySummary nightly(List<String> args) {
    return NightlyJob.run(parse(args, NightlyOptions.class));
  }

  /** {@code backfill} with these options, as {@link #nightly(List)} runs {@code nightly}; its lines go to stdout. */
  public static Backfill.Summary backfill(List<String> args) {
    return Backfill.run(parse(args, BackfillOptions.class), System.out);
  }

  private static <T extends PipelineOptions> T parse(List<String> args, Class<T> type) {
    T options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation().as(type);
    S3StoreClientBuilderFactory.configure(options);
    options.setRunner(FlinkRunner.class);
    return options;
  }

  /** The command line in this JVM ({@link Encore#run}), stdout and stderr captured. */
  public static Cli encore(String... args) {
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
