package dev.encore.report;

import dev.encore.EncoreException;
import dev.encore.RunLog;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code encore report --output=DIR}: writes {@code DIR/_report/report.html} and the charts as PNG files next to
 * it, from what is published in the output root. Exit code 0, 2 for a bad command line, 3 when DIR is not an
 * Encore output root, 1 for an unexpected failure.
 */
public final class ReportCommand {
  static final String HELP =
      """
      Usage: java -jar encore.jar report --output=DIR

      Writes DIR/_report/report.html (one self-contained page: charts embedded, no script, no network) and the
      same charts as 900x500 PNG files in DIR/_report/, from the Parquet datasets published in the Encore output
      root DIR: retention curve, stickiness_60 of discoveries, sessions per user, session length, plays per hour
      of day, rejected records by reason, and the rows per dataset.

      Options:
        --output=DIR   an Encore output root (it has _encore/ROOT), required
      """;

  private ReportCommand() {}

  /** Runs the command and returns its exit code; never exits the JVM. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String output = null;
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.print(HELP);
        return 0;
      } else if (a.startsWith("--output=") && a.length() > "--output=".length()) {
        output = a.substring("--output=".length());
      } else {
        err.println("encore report: error: unknown argument '" + a + "'.");
        err.print(HELP);
        return EncoreException.USAGE;
      }
    }
    if (output == null) {
      err.println("encore report: error: --output=DIR is required (an Encore output root).");
      err.print(HELP);
      return EncoreException.USAGE;
    }
    try {
      Path html = RunReport.write(Path.of(output));
      out.println("Report written: " + html);
      out.println("Charts: " + String.join(", ", RunReport.chartFiles()) + " in " + html.getParent());
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
}
