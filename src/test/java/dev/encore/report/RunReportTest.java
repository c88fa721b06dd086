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
import dev.encore.publish.Publisher;
import dev.encore.rewards.RewardSpec;
import dev.encore.testing.DuckDb;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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

/**
 * The report of the committed sample's nightly output: charts that decode and show something, a true page; and the
 * run's stickiness predictions, in the report and the run metadata, equal to the published reward_priors.
 */
class RunReportTest {
  /** The sample's last day: with the built-in definition the artist level has a prior and a backtest, show none. */
  static final String DATE = "2024-05-29";
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** A copy of the report and the page's screenshot stay here for people to look at. */
  static final Path KEEP = Path.of("target/report-sample").toAbsolutePath();

  @TempDir static Path tmp;
  static Path out;
  static Path html;
  static String page;
  static List<String> charts;

  @BeforeAll
  static void nightlyThenReport() throws Exception {
    out = tmp.resolve("out");
    NightlyOptions options = PipelineOptionsFactory.fromArgs(
            "--date=" + DATE, "--logs=" + Path.of("testdata/logs").toAbsolutePath(), "--output=" + out)
        .as(NightlyOptions.class);
    options.setRunner(FlinkRunner.class);
    NightlyJob.run(options);
    RunReport.Written written =
        RunReport.writeReport(out.toString(), RunReport.standardDatasets(), PipelineOptionsFactory.create());
    html = Path.of(written.html());
    charts = written.charts();
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
    assertThat(charts, equalTo(concat(RunReport.chartFiles(), List.of("stickiness_backtest_artist.png"))));
    for (String file : charts) {
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
    assertThat(images, equalTo(charts.size()));
    assertThat(page.toLowerCase(Locale.ROOT), not(containsString("http:")));
    assertThat(page.toLowerCase(Locale.ROOT), not(containsString("https:")));
    assertThat(page.toLowerCase(Locale.ROOT), not(containsString("<script")));
    assertThat(page, containsString(out.toString()));
    assertThat(page, containsString("as_of <strong>" + DATE + "</strong>"));
    assertThat(page.split("<p class=\"caption\">").length - 1, equalTo(charts.size()));
  }

  @Test
  void theInputCalendarIsShownWithItsIncompleteDays() throws Exception {
    // The run read every partition of the sample up to its date, all sealed and readable: none incomplete.
    long partitions;
    try (var dirs = Files.list(Path.of("testdata/logs"))) {
      partitions = dirs.map(d -> d.getFileName().toString())
          .filter(n -> n.startsWith("dt=") && n.compareTo("dt=" + DATE) <= 0).count();
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
    assertThat(other, containsString("<tr><td>2024-02-10</td><td>missing</td><td>" + DATE + "</td></tr>"));
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
    assertThat(o.toString(StandardCharsets.UTF_8), containsString(", stickiness_backtest_artist.png in "));

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

  @Test
  void runMetadataHoldsThePublishedPredictions() throws Exception {
    Map<String, Map<String, Object>> expected = publishedPriors();
    // What the sample gives with the built-in definition: a level with a backtest, one without a prior.
    assertThat(((List<?>) expected.get("artist").get("backtest")).size(), equalTo(6));
    assertThat(expected.get("show").get("has_prior"), equalTo(false));
    List<Path> metadata;
    try (var files = Files.walk(out)) {
      metadata = files.filter(f -> f.getFileName().toString().equals(Publisher.RUN_METADATA)).toList();
    }
    // Every partition the run published carries the same numbers.
    assertThat(metadata.size(), greaterThan(10));
    for (Path f : metadata) {
      assertThat(f.toString(), Publisher.readMetadata(f.getParent()).get("predictions"), equalTo(expected));
    }
  }

  @Test
  void reportShowsTheBacktestOfThePublishedPriors() {
    Map<String, Map<String, Object>> expected = publishedPriors();
    assertThat(page, containsString("The stickiness predictions of the run of " + DATE + " (reward_priors dt="
        + DATE));
    for (Map.Entry<String, Map<String, Object>> e : expected.entrySet()) {
      String level = e.getKey();
      Map<String, Object> l = e.getValue();
      String fit = between(page, "<p class=\"fit\" data-level=\"" + level + "\">", "</p>");
      String window = " with discoveries " + l.get("fit_from") + " .. " + l.get("fit_to");
      boolean chart = Files.exists(out.resolve(RunReport.DIR).resolve("stickiness_backtest_" + level + ".png"));
      if (!(Boolean) l.get("has_prior")) {
        assertThat(fit, equalTo("No prior: " + l.get("no_prior_reason") + " (" + l.get("entities") + " entities, "
            + l.get("traces") + " mature traces qualified" + window + "). The level's predictions are null."));
        assertThat(level, chart, equalTo(false));
        continue;
      }
      assertThat(fit, equalTo("Prior fitted on " + l.get("entities") + " entities (" + l.get("traces")
          + " mature traces)" + window + "; prior mean stickiness_60 "
          + String.format(Locale.ROOT, "%.3f", (Double) l.get("prior_stickiness_60")) + "."));
      List<List<String>> rows = new ArrayList<>();
      for (Object o : (List<?>) l.get("backtest")) {
        Map<?, ?> b = (Map<?, ?>) o;
        rows.add(List.of(b.get("days_observed").toString(), b.get("entities").toString(), f3(b.get("mae")),
            f3(b.get("mae_prior_mean")), b.get("mae_scaled_count") == null ? "" : f3(b.get("mae_scaled_count")),
            String.format(Locale.ROOT, "%.1f", 100 * (Double) b.get("coverage_90"))));
      }
      assertThat(level, backtestTable(level), equalTo(rows));
      assertThat(level, chart, equalTo(!rows.isEmpty()));
    }
  }

  @Test
  void withoutRewardPriorsTheSectionSaysSoAndNoBacktestChartIsLeft() throws Exception {
    Path copy = tmp.resolve("no-priors");
    dev.encore.testing.TreeSnapshot.copy(out, copy);
    try (var files = Files.walk(copy.resolve("reward_priors"))) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    Path stale = copy.resolve(RunReport.DIR).resolve("stickiness_backtest_artist.png");
    assertThat(Files.exists(stale), equalTo(true));
    String other = Files.readString(RunReport.write(copy));
    assertThat(other, containsString("<p class=\"predictions\">No reward_priors partition is published"));
    assertThat(other, not(containsString("<table class=\"backtest\"")));
    assertThat(Files.exists(stale), equalTo(false));
  }

  /**
   * The run's reward_priors read with DuckDB, shaped like the run metadata's {@code predictions}: level → its
   * fit and backtest (ascending days observed).
   */
  private static Map<String, Map<String, Object>> publishedPriors() {
    String priors = DuckDb.readDataset(out, "reward_priors") + " WHERE dt = DATE '" + DATE + "'";
    Map<String, Map<String, Object>> levels = new TreeMap<>();
    for (List<Object> r : DuckDb.query("SELECT entity_level, prior_mean IS NOT NULL, no_prior_reason, entities,"
        + " traces, CAST(fit_from AS VARCHAR), CAST(fit_to AS VARCHAR), prior_stickiness_60 FROM " + priors)) {
      Map<String, Object> l = new HashMap<>();
      l.put("has_prior", r.get(1));
      l.put("no_prior_reason", r.get(2));
      l.put("entities", r.get(3));
      l.put("traces", r.get(4));
      l.put("fit_from", r.get(5));
      l.put("fit_to", r.get(6));
      l.put("prior_stickiness_60", r.get(7));
      l.put("backtest", new ArrayList<Map<String, Object>>());
      levels.put((String) r.get(0), l);
    }
    for (List<Object> r : DuckDb.query("SELECT entity_level, b.days_observed, b.entities, b.mae, b.mae_prior_mean,"
        + " b.mae_scaled_count, b.coverage_90 FROM (SELECT entity_level, unnest(backtest) AS b FROM " + priors
        + ") ORDER BY entity_level, b.days_observed")) {
      Map<String, Object> b = new HashMap<>();
      b.put("days_observed", r.get(1));
      b.put("entities", r.get(2));
      b.put("mae", r.get(3));
      b.put("mae_prior_mean", r.get(4));
      b.put("mae_scaled_count", r.get(5));
      b.put("coverage_90", r.get(6));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> backtest = (List<Map<String, Object>>) levels.get((String) r.get(0)).get("backtest");
      backtest.add(b);
    }
    return levels;
  }

  /** The cells of a level's backtest table, the coverage without its " %". */
  private static List<List<String>> backtestTable(String level) {
    String table = between(page, "<table class=\"backtest\" data-level=\"" + level + "\">", "</table>");
    Matcher m = Pattern.compile("<tr><td class=\"n\">(\\d+)</td><td class=\"n\">(\\d+)</td><td class=\"n\">([0-9.]+)"
        + "</td><td class=\"n\">([0-9.]+)</td><td class=\"n\">([0-9.]*)</td><td class=\"n\">([0-9.]+) %</td></tr>")
        .matcher(table);
    List<List<String>> rows = new ArrayList<>();
    while (m.find()) {
      rows.add(List.of(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)));
    }
    return rows;
  }

  private static String f3(Object value) {
    return String.format(Locale.ROOT, "%.3f", (Double) value);
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(start, from, greaterThan(-1));
    from += start.length();
    return text.substring(from, text.indexOf(end, from));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
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
