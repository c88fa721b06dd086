package dev.encore.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.startsWith;

import dev.encore.Encore;
import dev.encore.inspect.InspectCommand;
import dev.encore.publish.PartitionLayout;
import dev.encore.store.StoreFiles;
import dev.encore.testing.DuckDb;
import dev.encore.testing.MotoS3;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.beam.sdk.io.FileSystems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} and {@code inspect} on an output root in S3 (a real S3 API, {@code moto_server}, on loopback),
 * published there by {@code nightly}: partitions found through their manifests, the report written into the
 * bucket, and every number equal to the same nightly's output on a local folder.
 */
class ReportInspectS3Test {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  static final String DATE = "2024-01-20";
  static final String DAY = "2024-01-17";

  @TempDir static Path tmp;
  static MotoS3 moto;
  static String root;
  static Path local;

  record Result(int code, String stdout, String stderr) {}

  @BeforeAll
  static void nightlyOnS3AndLocally() throws Exception {
    moto = MotoS3.start("encore-report");
    root = moto.path("root");
    local = tmp.resolve("out");
    // The same nightly twice: once into the bucket (its report written there too), once into a local folder.
    Result s3 = encore(with(moto.args(), "nightly", "--date=" + DATE, "--logs=" + LOGS, "--output=" + root,
        "--runner=DirectRunner"));
    assertThat(s3.stderr(), s3.code(), equalTo(0));
    assertThat(s3.stderr(), s3.stdout(), containsString("report: " + root + "/_report/report.html"));
    Result here = encore("nightly", "--date=" + DATE, "--logs=" + LOGS, "--output=" + local, "--runner=DirectRunner");
    assertThat(here.stderr(), here.code(), equalTo(0));
  }

  @AfterAll
  static void stopS3() {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void reportIsWrittenIntoTheBucketWithTheLocalRunsNumbers() throws Exception {
    String html = root + "/_report/report.html";
    // Remove the nightly's report, so what is read below is the command's. (Each command registers Beam's file
    // systems with its own options; the test's direct reads register the bucket's.)
    FileSystems.setDefaultPipelineOptions(moto.options());
    StoreFiles.deleteTree(root + "/_report");
    assertThat(StoreFiles.exists(root + "/_report/report.html"), equalTo(false));
    Result r = run(ReportCommand::run, with(moto.args(), "--output=" + root));
    assertThat(r.stderr(), r.code(), equalTo(0));
    assertThat(r.stdout(), containsString("Report written: " + html));

    String page = new String(StoreFiles.read(html), StandardCharsets.UTF_8);
    String localPage = Files.readString(local.resolve("_report/report.html"));
    assertThat(page, containsString("Output root <code>" + root + "</code>"));
    for (String table : List.of("datasets", "rejected", "retention", "calendar")) {
      assertThat(table, section(page, table), equalTo(section(localPage, table)));
    }
    assertThat(section(page, "datasets"), containsString("<tr><td>sessions</td>"));
    for (String chart : RunReport.chartFiles()) {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(StoreFiles.read(root + "/_report/" + chart)));
      assertThat(chart, image.getWidth(), equalTo(900));
      assertThat(chart, image.getHeight(), equalTo(500));
    }
  }

  @Test
  void inspectFindsPartitionsThroughTheirManifests() throws Exception {
    Result dataset = inspectOk(root + "/sessions", "--rows=0");
    long localRows = DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(local, "sessions"));
    assertThat(localRows, greaterThan(0L));
    assertThat(rows(dataset.stdout()), equalTo(localRows));
    long days = DuckDb.queryLong("SELECT count(DISTINCT dt) FROM " + DuckDb.readDataset(local, "sessions"));
    assertThat(dataset.stdout(), startsWith("Parquet dataset " + root + "/sessions (" + days + " partitions"));
    // The manifest is shown where a folder shows _SUCCESS, and the run metadata beside the files it lists.
    String manifest = root + "/sessions/dt=" + DAY + "/manifest";
    Matcher part = Pattern.compile("(?m)^  dt=" + DAY + " +1 +(\\d+) +" + Pattern.quote(manifest)
        + " +(nightly-\\S+) +" + DATE + " +(\\d+)$").matcher(dataset.stdout());
    assertThat(dataset.stdout(), part.find(), equalTo(true));
    long dayRows = DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(local, "sessions")
        + " WHERE dt = DATE '" + DAY + "'");
    assertThat(Long.parseLong(part.group(1)), equalTo(dayRows));
    assertThat(Long.parseLong(part.group(3)), equalTo(dayRows));
    // Schema, docs and per-column ranges as for the local run's dataset.
    assertThat(body(dataset.stdout()), equalTo(body(inspectOk(local.resolve("sessions").toString(), "--rows=0")
        .stdout())));

    Result partition = inspectOk(root + "/sessions/dt=" + DAY, "--rows=3");
    assertThat(rows(partition.stdout()), equalTo(dayRows));
    assertThat(partition.stdout(), containsString("first 3 of " + dayRows + " rows"));
    assertThat(body(partition.stdout()), equalTo(body(inspectOk(local.resolve("sessions/dt=" + DAY).toString(),
        "--rows=0").stdout())));

    // One file, by its URL: the one the manifest lists, in Encore's immutable data folder.
    PartitionLayout layout = PartitionLayout.of(root, moto.options());
    List<String> files = layout.current("sessions", DAY).files();
    assertThat(files.size(), equalTo(1));
    assertThat(files.get(0), startsWith(root + "/_encore/data/"));
    Result file = inspectOk(files.get(0), "--rows=1");
    assertThat(file.stdout(), startsWith("Parquet file " + files.get(0)));
    assertThat(rows(file.stdout()), equalTo(dayRows));
  }

  @Test
  void unknownOptionsAndPathsAreRefusedNamingThem() {
    Result inspect = run(InspectCommand::run, with(moto.args(), root + "/sessions", "--bogus=1"));
    assertThat(inspect.code(), equalTo(2));
    assertThat(inspect.stderr(), containsString("bogus"));
    Result report = run(ReportCommand::run, with(moto.args(), "--output=" + root, "--bogus=1"));
    assertThat(report.code(), equalTo(2));
    assertThat(report.stderr(), containsString("bogus"));

    Result missing = run(InspectCommand::run, with(moto.args(), root + "/no-such-dataset"));
    assertThat(missing.code(), equalTo(3));
    assertThat(missing.stderr(), containsString(root + "/no-such-dataset does not exist"));
    Result top = run(InspectCommand::run, with(moto.args(), root));
    assertThat(top.code(), equalTo(3));
    assertThat(top.stderr(), containsString("sessions"));
    assertThat(top.stderr(), containsString("inspect one of them"));
    Result notRoot = run(ReportCommand::run, with(moto.args(), "--output=" + moto.path("nothing-here")));
    assertThat(notRoot.code(), equalTo(3));
    assertThat(notRoot.stderr(), containsString("is not an Encore output root"));
  }

  // ---------------------------------------------------------------- helpers

  private static String[] with(String[] storeArgs, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(Arrays.asList(storeArgs));
    return all.toArray(String[]::new);
  }

  private static Result encore(String... args) {
    return run(Encore::run, args);
  }

  /** A command's {@code run(args, out, err)}. */
  private interface Command {
    int run(String[] args, PrintStream out, PrintStream err);
  }

  private static Result run(Command command, String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = command.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  private static Result inspectOk(String... args) {
    Result r = run(InspectCommand::run, with(moto.args(), args));
    assertThat(r.stderr() + r.stdout(), r.code(), equalTo(0));
    return r;
  }

  private static long rows(String text) {
    Matcher m = Pattern.compile("(?m)^rows: (\\d+) ").matcher(text);
    assertThat(text, m.find(), equalTo(true));
    return Long.parseLong(m.group(1));
  }

  /** What inspect shows of the data itself, from the row count to the columns' ranges (no paths, no run ids). */
  private static String body(String text) {
    return text.substring(text.indexOf("\nrows: "), text.indexOf("\npartitions ("));
  }

  private static String section(String html, String tableClass) {
    String start = "<table class=\"" + tableClass + "\">";
    if (tableClass.equals("calendar")) {
      start = "<p class=\"calendar\">";
    }
    int from = html.indexOf(start);
    assertThat(tableClass, from, greaterThan(-1));
    return html.substring(from, html.indexOf(tableClass.equals("calendar") ? "</p>" : "</table>", from));
  }
}
