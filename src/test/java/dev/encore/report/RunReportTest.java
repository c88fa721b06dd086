package dev.encore.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;

import dev.encore.config.JobDefinition;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.Outputs;
import dev.encore.rewards.RewardSpec;
import dev.encore.testing.DuckDb;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of the committed sample's nightly output: charts that decode and show something, a true page. */
class RunReportTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** A copy of the report and the page's screenshot stay here for people to look at. */
  static final Path KEEP = Path.of("target/report-sample").toAbsolutePath();

  @TempDir static Path tmp;
  static Path out;
  static Path html;
  static String page;

  @BeforeAll
  static void nightlyThenReport() throws Exception {
    out = tmp.resolve("out");
    NightlyOptions options = PipelineOptionsFactory.fromArgs(
            "--date=2024-03-30", "--logs=" + Path.of("testdata/logs").toAbsolutePath(), "--output=" + out)
        .as(NightlyOptions.class);
    options.setRunner(FlinkRunner.class);
    NightlyJob.run(options);
    html = RunReport.write(out);
    page = Files.readString(html);
    Files.createDirectories(KEEP);
    try (var files = Files.list(html.getParent())) {
      for (Path f : files.toList()) {
        Files.copy(f, KEEP.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void everyChartIsA900x500PngThatShowsSomething() throws Exception {
    for (String file : RunReport.chartFiles()) {
      Path png = out.resolve(RunReport.DIR).resolve(file);
      assertThat(file, Files.exists(png), equalTo(true));
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(file, image.getWidth(), equalTo(900));
      assertThat(file, image.getHeight(), equalTo(500));
      int background = image.getRGB(0, 0);
      Set<Integer> colours = new HashSet<>();
      long drawn = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          int rgb = image.getRGB(x, y);
          colours.add(rgb);
          drawn += rgb == background ? 0 : 1;
        }
      }
      assertThat(file + " colours", colours.size(), greaterThan(20));
      assertThat(file + " drawn pixels", drawn, greaterThan(image.getWidth() * image.getHeight() / 50L));
    }
  }

  @Test
  void pageEmbedsEveryChartAndNeedsNoNetwork() {
    Matcher img = Pattern.compile("<img [^>]*src=\"([^\"]*)\"").matcher(page);
    int images = 0;
    while (img.find()) {
      assertThat(img.group(1), org.hamcrest.Matchers.startsWith("data:image/png;base64,"));
      images++;
    }
    assertThat(images, equalTo(RunReport.chartFiles().size()));
    assertThat(page.toLowerCase(Locale.ROOT), not(containsString("http:")));
    assertThat(page.toLowerCase(Locale.ROOT), not(containsString("https:")));
    assertThat(page.toLowerCase(Locale.ROOT), not(containsString("<script")));
    assertThat(page, containsString(out.toString()));
    assertThat(page, containsString("as_of <strong>2024-03-30</strong>"));
    assertThat(page.split("<p class=\"caption\">").length - 1, equalTo(RunReport.chartFiles().size()));
  }

  @Test
  void theInputCalendarIsShownWithItsIncompleteDays() throws Exception {
    // The run read every partition of the sample, all sealed and readable: 90 days, none incomplete.
    long partitions;
    try (var dirs = Files.list(Path.of("testdata/logs"))) {
      partitions = dirs.filter(d -> d.getFileName().toString().startsWith("dt=")).count();
    }
    assertThat(page, containsString(": " + partitions + " recorded, " + partitions + " complete, 0 incomplete."));
    // A copy of the root whose calendar records a missing day: the report lists it with why and by whom.
    Path copy = tmp.resolve("copy");
    dev.encore.testing.TreeSnapshot.copy(out, copy);
    Path file = copy.resolve("_encore/input_calendar.json");
    Files.writeString(file, Files.readString(file).replaceFirst(
        "\"2024-02-10\" : \\{\\s*\"complete\" : true,",
        "\"2024-02-10\" : { \"complete\" : false, \"why\" : \"missing\","));
    String other = Files.readString(RunReport.write(copy));
    assertThat(other, containsString(" complete, 1 incomplete."));
    assertThat(other, containsString("<tr><td>2024-02-10</td><td>missing</td><td>2024-03-30</td></tr>"));
  }

  @Test
  void rejectedCountsEqualAnIndependentRead() {
    Map<String, Long> expected = new TreeMap<>();
    for (List<Object> r : DuckDb.query("SELECT reason, count(*) FROM "
        + DuckDb.readDataset(out, "rejected") + " GROUP BY reason")) {
      expected.put((String) r.get(0), ((Number) r.get(1)).longValue());
    }
    assertThat(expected.isEmpty(), equalTo(false));
    assertThat(table(page, "rejected"), equalTo(expected));
  }

  @Test
  void rowCountsEqualAnIndependentRead() {
    Map<String, Long> shown = new TreeMap<>();
    Matcher m = Pattern.compile("<tr><td>([a-z_]+)</td><td class=\"n\">\\d+</td><td>[^<]*</td><td>[^<]*</td>"
        + "<td class=\"n\">(\\d+)</td></tr>").matcher(section(page, "datasets"));
    while (m.find()) {
      shown.put(m.group(1), Long.parseLong(m.group(2)));
    }
    List<String> datasets = Outputs.standard(RewardSpec.of(JobDefinition.builtIn())).names();
    assertThat(shown.keySet(), equalTo(new java.util.TreeSet<>(datasets)));
    for (String dataset : datasets) {
      assertThat(dataset, shown.get(dataset),
          equalTo(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, dataset))));
    }
  }

  @Test
  void nextDayRetentionEqualsTheShareOfReturnD1() {
    // The curve is computed from the activity dataset; user_rewards' return_d1 is an independent record of k=1.
    Matcher m = Pattern.compile("<tr><td>(\\d{4}-\\d{2}-\\d{2})</td><td class=\"n\">(\\d+)</td>"
        + "<td class=\"n\">([0-9.]+) %</td>").matcher(section(page, "retention"));
    int rows = 0;
    while (m.find()) {
      List<Object> r = DuckDb.query("SELECT count(*), count(*) FILTER (WHERE return_d1) FROM "
          + DuckDb.readDataset(out, "user_rewards") + " WHERE dt = DATE '" + m.group(1) + "'").get(0);
      long users = ((Number) r.get(0)).longValue();
      long returned = ((Number) r.get(1)).longValue();
      assertThat(m.group(1), Long.parseLong(m.group(2)), equalTo(users));
      assertThat(m.group(1), m.group(3), equalTo(String.format(Locale.ROOT, "%.1f", 100.0 * returned / users)));
      rows++;
    }
    assertThat(rows, greaterThan(1));
  }

  @Test
  void commandWritesTheReportOrRefusesAFolderThatIsNoOutputRoot() throws Exception {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
    PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8);
    assertThat(ReportCommand.run(new String[] {"--output=" + out}, po, pe), equalTo(0));
    assertThat(o.toString(StandardCharsets.UTF_8), containsString(html.toString()));

    Path notRoot = Files.createDirectories(tmp.resolve("not-a-root"));
    Files.writeString(notRoot.resolve("x.txt"), "x");
    e.reset();
    assertThat(ReportCommand.run(new String[] {"--output=" + notRoot}, po, pe), equalTo(3));
    assertThat(e.toString(StandardCharsets.UTF_8), containsString("is not an Encore output root"));
    assertThat(Files.exists(notRoot.resolve(RunReport.DIR)), equalTo(false));
    assertThat(ReportCommand.run(new String[] {"--output=" + tmp.resolve("missing")}, po, pe), equalTo(3));
    assertThat(ReportCommand.run(new String[] {}, po, pe), equalTo(2));
    assertThat(ReportCommand.run(new String[] {"--out=" + out}, po, pe), equalTo(2));
  }

  /** Renders the page in headless Chromium (skipped without it); the screenshot is kept for a human to look at. */
  @Test
  void chromiumRendersThePage() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM);
    Path screenshot = KEEP.resolve("screenshot.png");
    Files.deleteIfExists(screenshot);
    Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
    Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--user-data-dir=" + profile, "--screenshot=" + screenshot, "--window-size=1200,3000",
            html.toUri().toString())
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("chromium.log").toFile())
        .start();
    assertThat("chromium finished", p.waitFor(120, TimeUnit.SECONDS), equalTo(true));
    BufferedImage image = ImageIO.read(screenshot.toFile());
    assertThat(image.getWidth(), equalTo(1200));
    assertThat(image.getHeight(), equalTo(3000));
  }

  private static String section(String html, String tableClass) {
    int from = html.indexOf("<table class=\"" + tableClass + "\">");
    assertThat(tableClass, from, greaterThan(-1));
    return html.substring(from, html.indexOf("</table>", from));
  }

  private static Map<String, Long> table(String html, String tableClass) {
    Map<String, Long> rows = new TreeMap<>();
    Matcher m = Pattern.compile("<tr><td>([^<]+)</td><td class=\"n\">(\\d+)</td></tr>")
        .matcher(section(html, tableClass));
    while (m.find()) {
      rows.put(m.group(1), Long.parseLong(m.group(2)));
    }
    return rows;
  }
}
