package dev.encore.report;

import dev.encore.EncoreException;
import dev.encore.RunLog;
import dev.encore.store.StoreArgs;
import dev.encore.store.StoreFiles;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code encore report --output=ROOT}: writes {@code ROOT/_report/report.html} and the charts as PNG files next to
 * it, from what is published in the output root, on any store. Exit code 0, 2 for a bad command line, 3 when ROOT
 * is not an Encore output root, 1 for an unexpected failure.
 */
public final class ReportCommand {
  static final String HELP =
      """
      Usage: java -jar encore.jar report --output=ROOT [store options]

      Writes ROOT/_report/report.html (one self-contained page: charts embedded, no script, no network) and the
      same charts as 900x500 PNG files in ROOT/_report/, from the Parquet datasets published in the Encore output
      root ROOT: retention curve, stickiness_60 of discoveries, sessions per user, session length, plays per hour
      of day, rejected records by reason, the rows per dataset, and the backtest of the stickiness predictions
      (reward_priors of the newest run: per entity level a chart, stickiness_backtest_LEVEL.png, and a table).

      Options:
        --output=ROOT   an Encore output root (it has _encore/ROOT), required: a local folder, hdfs://, s3://
                        or gs://
        store options   as for nightly: --endpoint=, --awsRegion=, --awsCredentialsProvider=,
                        --s3PathStyleAccess=true for S3; --hdfsConfiguration= for HDFS; the GCP options for GCS
      """;

  private ReportCommand() {}

  /** Runs the command and returns its exit code; never exits the JVM. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String output = null;
    List<String> storeArgs = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.print(HELP);
        return 0;
      } else if (a.startsWith("--output=") && a.length() > "--output=".length()) {
        output = a.substring("--output=".length());
      } else if (a.equals("--output") || a.equals("--output=")) {
        return usage(err, "--output needs a value: --output=ROOT");
      } else if (a.startsWith("--")) {
        storeArgs.add(a);
      } else {
        return usage(err, "unknown argument '" + a + "'");
      }
    }
    if (output == null) {
      return usage(err, "--output=ROOT is required (an Encore output root)");
    }
    try {
      PipelineOptions options;
      try {
        options = StoreArgs.parse(storeArgs);
      } catch (IllegalArgumentException e) {
        // Beam's parser names the unknown or malformed option.
        return usage(err, e.getMessage());
      }
      RunReport.Written written = RunReport.writeReport(output, RunReport.standardDatasets(), options);
      out.println("Report written: " + written.html());
      out.println("Charts: " + String.join(", ", written.charts()) + " in " + StoreFiles.parent(written.html()));
      return 0;
    } catch (EncoreException e) {
      err.println("encore report: error: " + e.getMessage());
      return e.exitCode();
    } catch (RuntimeException e) {
      err.println("encore report: error: unexpected failure: " + e
          + ". The output root was not changed outside _report/; re-run, and report this if it happens again.");
      if (!RunLog.failure("encore report failed unexpectedly", e)) {
        e.printStackTrace(err);
      }
      return EncoreException.PIPELINE;
    }
  }

  private static int usage(PrintStream err, String message) {
    err.println("encore report: error: " + message + ".");
    err.print(HELP);
    return EncoreException.USAGE;
  }
}
