package dev.encore.report;

import dev.encore.EncoreException;
import dev.encore.ingest.InputCalendar;
import dev.encore.config.JobDefinition;
import dev.encore.nightly.Outputs;
import dev.encore.predictions.StickinessModel;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.ParquetFiles;
import dev.encore.publish.PartitionLayout;
import dev.encore.rewards.RewardSpec;
import dev.encore.store.StoreFiles;
import dev.encore.store.Stores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The run report of an Encore output root: {@code <root>/_report/report.html}, one self-contained page (charts
 * embedded as {@code data:} URIs, no script, no network), and the same charts as 900x500 PNG files next to it.
 * Everything is read from the published Parquet partitions ({@code _SUCCESS}, or the manifests on object stores), on
 * any store; nothing is written outside {@code _report/}.
 */
public final class RunReport {
  /** The report's folder inside the output root. */
  public static final String DIR = "_report";
  /** The page's file name. */
  public static final String HTML = "report.html";
  /** At most this many anchor cohorts (the newest) are drawn in the retention chart. */
  static final int MAX_COHORTS = 8;
  /** The longest retention offset drawn, days. */
  static final int MAX_K = 60;
  private static final int DEFAULT_LATENESS = 3;

  static {
    // JFreeChart draws through Java2D; no display is needed or wanted.
    System.setProperty("java.awt.headless", "true");
  }

  private RunReport() {}

  /** One chart of the page: its PNG file name, title, caption and the rendered image. */
  record Chart(String file, String title, String caption, byte[] png, String extraHtml) {}

  /** Row count of one dataset. */
  record DatasetRows(String dataset, int partitions, LocalDate first, LocalDate last, long rows) {}

  /**
   * Writes the report of local output root {@code outputRoot} and returns the page's path. Throws
   * {@link EncoreException} (exit code 3) when the folder is not an Encore output root.
   */
  public static Path write(Path outputRoot) {
    return write(outputRoot, standardDatasets());
  }

  /** As {@link #write(Path)}, listing the row counts of {@code datasets} (registry order). */
  public static Path write(Path outputRoot, List<String> datasets) {
    return Path.of(write(outputRoot.toString(), datasets, PipelineOptionsFactory.create()));
  }

  /**
   * Writes the report of output root {@code outputRoot} on any store ({@code options} configure it) and returns
   * the page's path. Throws {@link EncoreException} (exit code 3) when it is not an Encore output root.
   */
  public static String write(String outputRoot, PipelineOptions options) {
    return write(outputRoot, standardDatasets(), options);
  }

  /** As {@link #write(String, PipelineOptions)}, listing the row counts of {@code datasets} (registry order). */
  public static String write(String outputRoot, List<String> datasets, PipelineOptions options) {
    return writeReport(outputRoot, datasets, options).html();
  }

  /** What a report wrote: the page and its chart files' names (in {@code _report/}). */
  record Written(String html, List<String> charts) {}

  /** Writes the report (see {@link #write(String, List, PipelineOptions)}) and says what it wrote. */
  static Written writeReport(String outputRoot, List<String> datasets, PipelineOptions options) {
    PartitionLayout root = PartitionLayout.of(absolute(outputRoot), options);
    String marker = root.privatePath("ROOT");
    if (!StoreFiles.exists(marker)) {
      throw new EncoreException(EncoreException.INPUT, root.root() + " is not an Encore output root (it has no "
          + OutputRoot.PRIVATE_DIR + "/ROOT). Pass the --output folder of a nightly or backfill run.");
    }
    int lateness = lateness(root);
    List<DatasetRows> counts = new ArrayList<>();
    for (String d : datasets) {
      counts.add(rows(root, d));
    }

    // user_rewards: the anchor cohorts and the newest as_of.
    Map<LocalDate, Set<String>> cohorts = new TreeMap<>();
    long[] newestAsOf = {Long.MIN_VALUE};
    for (LocalDate day : ParquetDatasets.partitions(root, "user_rewards")) {
      Set<String> users = new HashSet<>();
      ParquetDatasets.read(root, "user_rewards", day, r -> {
        users.add(ParquetDatasets.string(r, "user_id"));
        newestAsOf[0] = Math.max(newestAsOf[0], ParquetDatasets.number(r, "as_of"));
      });
      cohorts.put(day, users);
    }
    LocalDate asOf = newestAsOf[0] == Long.MIN_VALUE ? newestRunDate(root) : LocalDate.ofEpochDay(newestAsOf[0]);

    List<Chart> charts = new ArrayList<>();
    charts.add(retention(root, cohorts, asOf, lateness));
    charts.add(stickiness(root));
    charts.addAll(sessions(root));
    charts.add(rejected(root));
    Predictions predictions = predictions(root);

    String dir = StoreFiles.join(root.root(), DIR);
    try {
      List<String> written = new ArrayList<>();
      // Each file is replaced whole, so a person or a web server reading _report/ never sees half a page.
      for (Chart c : concat(charts, predictions.charts())) {
        root.store().replaceAtomically(StoreFiles.join(dir, c.file()), c.png());
        written.add(c.file());
      }
      // A level's backtest chart from an earlier report would otherwise stay beside this one's.
      List<String> stale = new ArrayList<>();
      for (String f : StoreFiles.match(StoreFiles.join(dir, BACKTEST_CHART_PREFIX + "*.png"))) {
        if (!written.contains(StoreFiles.name(f))) {
          stale.add(f);
        }
      }
      StoreFiles.delete(stale);
      String html = StoreFiles.join(dir, HTML);
      root.store().replaceAtomically(html, page(root, asOf, counts, InputCalendar.read(root), charts, predictions)
          .getBytes(StandardCharsets.UTF_8));
      return new Written(html, written);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report under " + dir + ": " + e.getMessage(), e);
    }
  }

  private static List<Chart> concat(List<Chart> a, List<Chart> b) {
    List<Chart> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static List<String> standardDatasets() {
    return Outputs.standard(RewardSpec.of(JobDefinition.builtIn())).names();
  }

  /** A local root as an absolute, normalized path (as the page has always named it); other stores' as given. */
  private static String absolute(String outputRoot) {
    return Stores.isLocal(outputRoot) && !outputRoot.startsWith("file:")
        ? Path.of(outputRoot).toAbsolutePath().normalize().toString()
        : outputRoot;
  }

  // ---- chart 1: retention ----

  private static Chart retention(PartitionLayout root, Map<LocalDate, Set<String>> allCohorts, LocalDate asOf, int lateness) {
    List<LocalDate> anchors = new ArrayList<>(allCohorts.keySet());
    List<LocalDate> drawn = anchors.subList(Math.max(0, anchors.size() - MAX_COHORTS), anchors.size());
    Set<LocalDate> activityDays = new HashSet<>(ParquetDatasets.partitions(root, "activity"));
    Set<String> everyone = new HashSet<>();
    drawn.forEach(d -> everyone.addAll(allCohorts.get(d)));
    // Per cohort, k -> users of the cohort active on D+k.
    Map<LocalDate, Map<Integer, Integer>> active = new TreeMap<>();
    drawn.forEach(d -> active.put(d, new TreeMap<>()));
    int missingDays = 0;
    if (asOf != null && !drawn.isEmpty()) {
      LocalDate last = asOf;
      for (LocalDate day = drawn.get(0).plusDays(1); !day.isAfter(last); day = day.plusDays(1)) {
        boolean needed = false;
        for (LocalDate d : drawn) {
          needed |= day.isAfter(d) && !day.isAfter(d.plusDays(MAX_K));
        }
        if (!needed) {
          continue;
        }
        if (!activityDays.contains(day)) {
          missingDays++;
          continue;
        }
        Set<String> activeUsers = new HashSet<>();
        ParquetDatasets.read(root, "activity", day, r -> {
          String user = ParquetDatasets.string(r, "user_id");
          if ("user".equals(ParquetDatasets.string(r, "entity_level")) && everyone.contains(user)) {
            activeUsers.add(user);
          }
        });
        for (LocalDate d : drawn) {
          int k = (int) (day.toEpochDay() - d.toEpochDay());
          if (k >= 1 && k <= MAX_K) {
            int n = 0;
            for (String u : allCohorts.get(d)) {
              n += activeUsers.contains(u) ? 1 : 0;
            }
            active.get(d).put(k, n);
          }
        }
      }
    }
    List<ReportCharts.Curve> curves = new ArrayList<>();
    for (LocalDate d : drawn) {
      int size = allCohorts.get(d).size();
      Map<Integer, Double> mature = new TreeMap<>();
      Map<Integer, Double> immature = new TreeMap<>();
      for (Map.Entry<Integer, Integer> e : active.get(d).entrySet()) {
        double share = size == 0 ? 0 : (double) e.getValue() / size;
        LocalDate day = d.plusDays(e.getKey());
        // A day is final once no late play can reach it: day + L <= as_of.
        (day.plusDays(lateness).isAfter(asOf) ? immature : mature).put(e.getKey(), share);
      }
      // Join the dashed immature part to the last mature point.
      if (!immature.isEmpty() && !mature.isEmpty()) {
        Map.Entry<Integer, Double> lastMature = ((TreeMap<Integer, Double>) mature).lastEntry();
        immature.put(lastMature.getKey(), lastMature.getValue());
      }
      curves.add(new ReportCharts.Curve("anchor " + d + " (" + size + " users)", mature, immature));
    }
    String caption = "Share of the users of each anchor cohort (the users of a user_rewards partition dt=D, i.e."
        + " active on D) who are active (entity_level 'user' row in the activity dataset) on day D+k, for k = 1 .."
        + " " + MAX_K + " and D+k &le; as_of " + asOf + "; points on days within " + lateness
        + " days (allowed lateness) of as_of are immature (hollow squares, dashed)"
        + (anchors.size() > drawn.size() ? "; the newest " + drawn.size() + " of " + anchors.size()
            + " cohorts are drawn" : "")
        + (missingDays > 0 ? "; " + missingDays + " days without a published activity partition are left out" : "")
        + ".";
    StringBuilder table = new StringBuilder("<table class=\"retention\"><tr><th>anchor D</th><th>users</th>");
    int[] ks = {1, 7, 28, 60};
    for (int k : ks) {
      table.append("<th>D+").append(k).append("</th>");
    }
    table.append("</tr>\n");
    for (LocalDate d : drawn) {
      int size = allCohorts.get(d).size();
      table.append("<tr><td>").append(d).append("</td><td class=\"n\">").append(size).append("</td>");
      for (int k : ks) {
        Integer n = active.get(d).get(k);
        table.append("<td class=\"n\">").append(n == null || size == 0 ? "" : String.format(
            java.util.Locale.ROOT, "%.1f %%", 100.0 * n / size)).append("</td>");
      }
      table.append("</tr>\n");
    }
    table.append("</table>\n");
    return chart("retention.png", "Retention curve", caption, ReportCharts.retention(curves, lateness),
        table.toString());
  }

  // ---- chart 2: stickiness_60 ----

  private static Chart stickiness(PartitionLayout root) {
    Map<String, long[]> perLevel = new TreeMap<>();
    List<Bin> bins = powerOfTwoBins(60);
    ParquetDatasets.readAll(root, "user_entity_rewards", r -> {
      Object mature = r.get("trace_mature");
      Object s = r.get("stickiness_60");
      if (Boolean.TRUE.equals(mature) && s != null) {
        long[] counts = perLevel.computeIfAbsent(ParquetDatasets.string(r, "entity_level"), l -> new long[bins.size()]);
        counts[binOf(bins, ((Number) s).longValue())]++;
      }
    });
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    List<String> ns = new ArrayList<>();
    for (Map.Entry<String, long[]> e : perLevel.entrySet()) {
      long n = 0;
      for (long c : e.getValue()) {
        n += c;
      }
      ns.add(e.getKey() + " " + n);
      String series = e.getKey() + " (" + n + " discoveries)";
      for (int i = 0; i < bins.size(); i++) {
        data.addValue(n == 0 ? 0 : 100.0 * e.getValue()[i] / n, series, bins.get(i).label());
      }
    }
    String caption = "Distribution of stickiness_60 (1 + days the user is active with the entity in the 59 days"
        + " after discovering it) over the mature rows (trace_mature) of the user_entity_rewards dataset, as a share"
        + " of each entity level's mature discoveries (" + (ns.isEmpty() ? "none yet" : String.join(", ", ns))
        + "), in bins that double in width.";
    return chart("stickiness_60.png", "Stickiness of discoveries", caption, ReportCharts.bars(
        "Stickiness_60 of mature discoveries per entity level", "stickiness_60 (active days of 60, bins)",
        "discoveries (% of the level's)", data, true, false, false, "0"), "");
  }

  // ---- chart 3 and 4: sessions ----

  private static List<Chart> sessions(PartitionLayout root) {
    Map<String, Integer> perUser = new HashMap<>();
    double[] lengthEdges = {0, 1, 2, 5, 10, 20, 30, 60, 120, 240};
    String[] lengthLabels = {"<1", "1–2", "2–5", "5–10", "10–20", "20–30", "30–60", "60–120", "120–240", "≥240"};
    long[] lengths = new long[lengthEdges.length];
    long[] playsByHour = new long[24];
    long[] sessionsAndPlays = new long[2];
    ParquetDatasets.readAll(root, "sessions", r -> {
      perUser.merge(ParquetDatasets.string(r, "user_id"), 1, Integer::sum);
      long start = ParquetDatasets.number(r, "session_start");
      double minutes = (ParquetDatasets.number(r, "session_end") - start) / 60_000.0;
      int bin = 0;
      while (bin + 1 < lengthEdges.length && minutes >= lengthEdges[bin + 1]) {
        bin++;
      }
      lengths[bin]++;
      long plays = ParquetDatasets.number(r, "plays");
      playsByHour[Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC).getHour()] += plays;
      sessionsAndPlays[0]++;
      sessionsAndPlays[1] += plays;
    });
    List<LocalDate> days = ParquetDatasets.partitions(root, "sessions");
    String span = days.isEmpty() ? "no published days"
        : days.size() + " published days " + days.get(0) + " .. " + days.get(days.size() - 1);

    int max = perUser.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    List<Bin> bins = powerOfTwoBins(max);
    long[] users = new long[bins.size()];
    perUser.values().forEach(n -> users[binOf(bins, n)]++);
    DefaultCategoryDataset perUserData = new DefaultCategoryDataset();
    for (int i = 0; i < bins.size(); i++) {
      perUserData.addValue(users[i], "users", bins.get(i).label());
    }
    Chart perUserChart = chart("sessions_per_user.png", "Sessions per user",
        "Number of users by how many sessions they have in the sessions dataset (" + span + "; " + perUser.size()
            + " users, " + sessionsAndPlays[0] + " sessions), in bins that double in width.",
        ReportCharts.bars("Sessions per user", "sessions per user (bins)", "users", perUserData,
            false, true, false, "#,##0"), "");

    DefaultCategoryDataset lengthData = new DefaultCategoryDataset();
    for (int i = 0; i < lengths.length; i++) {
      lengthData.addValue(lengths[i], "sessions", lengthLabels[i]);
    }
    Chart lengthChart = chart("session_length.png", "Session length",
        "Number of sessions by length, session_end &minus; session_start in minutes (a session of one play has the"
            + " length of that play), in the sessions dataset (" + span + ").",
        ReportCharts.bars("Session length", "session length (minutes, bins)", "sessions", lengthData,
            false, true, false, "#,##0"), "");

    DefaultCategoryDataset hourData = new DefaultCategoryDataset();
    for (int h = 0; h < 24; h++) {
      hourData.addValue(playsByHour[h], "plays", String.format("%02d", h));
    }
    Chart hourChart = chart("plays_by_hour.png", "Plays per hour of day",
        "Plays per hour of day (UTC), approximated from the sessions dataset (" + span + "; "
            + sessionsAndPlays[1] + " plays): each session's plays are all counted in the hour its session_start"
            + " falls in, since sessions keep only their start and end, not each play's time.",
        ReportCharts.bars("Plays per hour of day (UTC), by session start", "hour of session_start (UTC)",
            "plays", hourData, false, false, false, "#,##0"), "");
    return List.of(perUserChart, lengthChart, hourChart);
  }

  // ---- chart 5: rejected ----

  private static Chart rejected(PartitionLayout root) {
    Map<String, Long> byReason = rejectedByReason(root);
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(byReason.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    StringBuilder table = new StringBuilder("<table class=\"rejected\"><tr><th>reason</th><th>records</th></tr>\n");
    long total = 0;
    for (Map.Entry<String, Long> e : sorted) {
      data.addValue(e.getValue(), "rejected records", e.getKey());
      table.append("<tr><td>").append(escape(e.getKey())).append("</td><td class=\"n\">").append(e.getValue())
          .append("</td></tr>\n");
      total += e.getValue();
    }
    table.append("</table>\n");
    List<LocalDate> days = ParquetDatasets.partitions(root, "rejected");
    String span = days.isEmpty() ? "no published partitions"
        : days.size() + " arrival partitions " + days.get(0) + " .. " + days.get(days.size() - 1);
    return chart("rejected_by_reason.png", "Rejected records by reason",
        "Number of input records rejected, by reason code, in the rejected dataset (" + span + "; " + total
            + " records).",
        ReportCharts.bars("Rejected input records by reason", "reason", "records", data,
            false, true, true, "#,##0"), table.toString());
  }

  /** Rejected records per reason over every published partition of the rejected dataset. */
  static Map<String, Long> rejectedByReason(PartitionLayout root) {
    Map<String, Long> byReason = new TreeMap<>();
    ParquetDatasets.readAll(root, "rejected", r -> byReason.merge(ParquetDatasets.string(r, "reason"), 1L, Long::sum));
    return byReason;
  }

  // ---- stickiness predictions: the backtest ----

  /** File name prefix of the per-level backtest charts. */
  static final String BACKTEST_CHART_PREFIX = "stickiness_backtest_";

  /** The "Stickiness predictions" section: its HTML (charts embedded) and its charts. */
  record Predictions(String html, List<Chart> charts) {}

  /** One level's reward_priors row, as the report shows it; {@code priorStickiness} null without a prior. */
  record LevelPrior(String level, int stickinessDays, LocalDate fitFrom, LocalDate fitTo, int entities, int traces,
      Double priorStickiness, String noPriorReason, List<StickinessModel.BacktestRow> backtest) {}

  /** The backtest of the newest reward_priors partition (the newest run with predictions), level by level. */
  private static Predictions predictions(PartitionLayout root) {
    StringBuilder h = new StringBuilder("<section>\n<h2>Stickiness predictions</h2>\n");
    List<LocalDate> days = ParquetDatasets.partitions(root, Outputs.REWARD_PRIORS);
    if (days.isEmpty()) {
      h.append("<p class=\"predictions\">No reward_priors partition is published: the definition has no"
          + " predictions section, or no run has published one yet.</p>\n</section>\n");
      return new Predictions(h.toString(), List.of());
    }
    LocalDate asOf = days.get(days.size() - 1);
    List<LevelPrior> levels = new ArrayList<>();
    ParquetDatasets.read(root, Outputs.REWARD_PRIORS, asOf, r -> levels.add(levelPrior(r)));
    levels.sort(Comparator.comparing(LevelPrior::level));
    int s = levels.isEmpty() ? 60 : levels.get(0).stickinessDays();
    h.append("<p class=\"predictions\">The stickiness predictions of the run of ").append(asOf)
        .append(" (reward_priors dt=").append(asOf).append("; docs/rewards.md, Predictions), and their backtest:")
        .append(" every entity of the fit set is held out with its fold (5 folds by a hash of entity_id) and")
        .append(" predicted by the prior fitted on the other folds, from its discoveries' mature traces cut to")
        .append(" their first k days (k = days observed), against the realised mean stickiness_").append(s)
        .append(" of its discoverers. Beside it two baselines: the prior mean (1 + &Sigma;&mu;, the prediction")
        .append(" for an entity nothing is known of) and the partial count scaled to the whole window (1 + ")
        .append(s - 1).append("/k &times; the mean active days in the first k). Coverage: the share of entities")
        .append(" whose realised mean lies in the 90 % interval of the prediction (the posterior variance plus")
        .append(" the sampling noise of a mean of n discoverers).</p>\n");
    List<Chart> charts = new ArrayList<>();
    for (LevelPrior l : levels) {
      h.append("<h3>").append(escape(l.level())).append("</h3>\n<p class=\"fit\" data-level=\"")
          .append(escape(l.level())).append("\">");
      String window = " with discoveries " + l.fitFrom() + " .. " + l.fitTo();
      if (l.priorStickiness() == null) {
        h.append("No prior: ").append(escape(String.valueOf(l.noPriorReason()))).append(" (")
            .append(l.entities()).append(" entities, ").append(l.traces()).append(" mature traces qualified")
            .append(window).append("). The level's predictions are null.</p>\n");
        continue;
      }
      h.append("Prior fitted on ").append(l.entities()).append(" entities (").append(l.traces())
          .append(" mature traces)").append(window).append("; prior mean stickiness_").append(s).append(" ")
          .append(decimal(l.priorStickiness(), 3)).append(".</p>\n");
      if (l.backtest().isEmpty()) {
        h.append("<p>No backtest: no fold's prior could be fitted on the other folds' entities (it needs at least"
            + " 2 of them), so no entity could be held out.</p>\n");
        continue;
      }
      int heldOut = l.backtest().get(0).entities();
      Chart chart = chart(BACKTEST_CHART_PREFIX + l.level() + ".png", l.level(),
          "Mean absolute error of the predicted mean stickiness_" + s + " of the " + heldOut + " held-out "
              + escape(l.level()) + " entities against the days observed k, for the model and the two baselines"
              + " (the scaled count has no point at k = 0); as of " + asOf + ".",
          ReportCharts.backtest(l.level() + ": backtest of the stickiness_" + s + " predictions", s, l.backtest()),
          backtestTable(l));
      charts.add(chart);
      chartHtml(h, chart);
    }
    h.append("</section>\n");
    return new Predictions(h.toString(), charts);
  }

  private static LevelPrior levelPrior(GenericRecord r) {
    String prior = r.getSchema().getFields().stream().map(Schema.Field::name)
        .filter(n -> n.startsWith("prior_stickiness_")).findFirst()
        .orElseThrow(() -> new IllegalStateException("reward_priors has no prior_stickiness_S column"));
    List<StickinessModel.BacktestRow> backtest = new ArrayList<>();
    for (Object element : (List<?>) r.get("backtest")) {
      GenericRecord b = (GenericRecord) element;
      backtest.add(new StickinessModel.BacktestRow((Integer) b.get("days_observed"), (Integer) b.get("entities"),
          (Double) b.get("mae"), (Double) b.get("mae_prior_mean"), (Double) b.get("mae_scaled_count"),
          (Double) b.get("coverage_90")));
    }
    return new LevelPrior(ParquetDatasets.string(r, "entity_level"),
        Integer.parseInt(prior.substring("prior_stickiness_".length())),
        LocalDate.ofEpochDay(ParquetDatasets.number(r, "fit_from")),
        LocalDate.ofEpochDay(ParquetDatasets.number(r, "fit_to")),
        (Integer) r.get("entities"), (Integer) r.get("traces"), (Double) r.get(prior),
        ParquetDatasets.string(r, "no_prior_reason"), backtest);
  }

  private static String backtestTable(LevelPrior l) {
    StringBuilder t = new StringBuilder("<table class=\"backtest\" data-level=\"").append(escape(l.level()))
        .append("\"><tr><th>days observed k</th><th>entities</th><th>MAE model</th><th>MAE prior mean</th>")
        .append("<th>MAE scaled count</th><th>90 % interval coverage</th></tr>\n");
    for (StickinessModel.BacktestRow b : l.backtest()) {
      t.append("<tr><td class=\"n\">").append(b.daysObserved()).append("</td><td class=\"n\">")
          .append(b.entities()).append("</td><td class=\"n\">").append(decimal(b.mae(), 3))
          .append("</td><td class=\"n\">").append(decimal(b.maePriorMean(), 3)).append("</td><td class=\"n\">")
          .append(b.maeScaledCount() == null ? "" : decimal(b.maeScaledCount(), 3)).append("</td><td class=\"n\">")
          .append(decimal(100 * b.coverage90(), 1)).append(" %</td></tr>\n");
    }
    return t.append("</table>\n").toString();
  }

  static String decimal(double value, int places) {
    return String.format(Locale.ROOT, "%." + places + "f", value);
  }

  // ---- helpers ----

  /** Bin [lo, hi] inclusive. */
  record Bin(long lo, long hi, String label) {}

  /** Bins 1, 2, 3–4, 5–8, 9–16, ... up to {@code max} (the last one cut at max). */
  static List<Bin> powerOfTwoBins(long max) {
    List<Bin> bins = new ArrayList<>();
    bins.add(new Bin(1, 1, "1"));
    long lo = 2;
    long hi = 2;
    while (lo <= Math.max(max, 1)) {
      long top = Math.min(hi, Math.max(max, lo));
      bins.add(new Bin(lo, top, lo == top ? Long.toString(lo) : lo + "–" + top));
      lo = hi + 1;
      hi = hi * 2;
    }
    return bins;
  }

  static int binOf(List<Bin> bins, long value) {
    for (int i = 0; i < bins.size(); i++) {
      if (value <= bins.get(i).hi()) {
        return i;
      }
    }
    return bins.size() - 1;
  }

  private static Chart chart(String file, String title, String caption, JFreeChart chart, String extraHtml) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(png, chart, ReportCharts.WIDTH, ReportCharts.HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Chart(file, title, caption, png.toByteArray(), extraHtml);
  }

  private static DatasetRows rows(PartitionLayout root, String dataset) {
    List<LocalDate> days = ParquetDatasets.partitions(root, dataset);
    long rows = 0;
    for (LocalDate day : days) {
      for (String f : ParquetDatasets.partition(root, dataset, day).files()) {
        try (ParquetFileReader reader = ParquetFileReader.open(ParquetFiles.inputFile(f))) {
          rows += reader.getRecordCount();
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read " + f + ": " + e.getMessage(), e);
        }
      }
    }
    return new DatasetRows(dataset, days.size(), days.isEmpty() ? null : days.get(0),
        days.isEmpty() ? null : days.get(days.size() - 1), rows);
  }

  /** allowed_lateness_days of the definition the newest reward partition was built with; 3 when unknown. */
  @SuppressWarnings("unchecked")
  static int lateness(PartitionLayout root) {
    List<LocalDate> days = ParquetDatasets.partitions(root, "user_rewards");
    if (days.isEmpty()) {
      return DEFAULT_LATENESS;
    }
    try {
      Map<String, Object> meta =
          ParquetDatasets.partition(root, "user_rewards", days.get(days.size() - 1)).metadata();
      Map<String, Object> definition = (Map<String, Object>) meta.get("definition");
      Map<String, Object> plays = (Map<String, Object>) definition.get("plays");
      return ((Number) plays.get("allowed_lateness_days")).intValue();
    } catch (IOException | RuntimeException e) {
      return DEFAULT_LATENESS;
    }
  }

  /** The newest date of a completed run ({@code _encore/runs/nightly-<date>.json}), or null. */
  private static LocalDate newestRunDate(PartitionLayout root) {
    try {
      return StoreFiles.match(root.privatePath("runs", "nightly-*.json")).stream()
          .map(StoreFiles::name)
          .filter(n -> n.matches("nightly-\\d{4}-\\d{2}-\\d{2}\\.json"))
          .map(n -> LocalDate.parse(n.substring(8, 18)))
          .max(LocalDate::compareTo).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String page(PartitionLayout root, LocalDate asOf, List<DatasetRows> counts, InputCalendar calendar,
      List<Chart> charts, Predictions predictions) {
    StringBuilder h = new StringBuilder();
    String title = "Encore run report: " + root.root() + " (as_of " + (asOf == null ? "none" : asOf) + ")";
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:960px;margin:24px auto;color:#222}\n")
        .append("h1{font-size:22px}h2{font-size:18px;margin-top:32px}\n")
        .append("img{width:900px;height:500px;border:1px solid #ddd}\n")
        .append("p.caption{font-size:14px;color:#444;max-width:900px}\n")
        .append("table{border-collapse:collapse;font-size:14px;margin:8px 0}")
        .append("td,th{border:1px solid #ccc;padding:3px 10px;text-align:left}td.n{text-align:right}\n")
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>Encore run report</h1>\n<p>Output root <code>").append(escape(root.root()))
        .append("</code>; newest as_of <strong>").append(asOf == null ? "none" : asOf)
        .append("</strong>; written ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
        .append(".</p>\n");
    h.append("<h2>Rows per dataset</h2>\n<table class=\"datasets\"><tr><th>dataset</th><th>published partitions</th>")
        .append("<th>first dt</th><th>last dt</th><th>rows</th></tr>\n");
    for (DatasetRows c : counts) {
      h.append("<tr><td>").append(c.dataset()).append("</td><td class=\"n\">").append(c.partitions())
          .append("</td><td>").append(c.first() == null ? "" : c.first()).append("</td><td>")
          .append(c.last() == null ? "" : c.last()).append("</td><td class=\"n\">").append(c.rows())
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    calendar(h, calendar);
    for (Chart c : charts) {
      h.append("<section>\n<h2>").append(escape(c.title())).append("</h2>\n");
      chartHtml(h, c);
      h.append("</section>\n");
    }
    h.append(predictions.html());
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /** A chart's image (embedded), caption and table. */
  private static void chartHtml(StringBuilder h, Chart c) {
    h.append("<img alt=\"").append(escape(c.title())).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(c.png())).append("\">\n<p class=\"caption\">")
        .append(c.caption()).append(" (").append(c.file()).append(")</p>\n").append(c.extraHtml());
  }

  /**
   * The input calendar: which arrival days were complete when first read. Days that were not are never final, so
   * the windows and lookbacks over them never become mature (docs/rewards.md).
   */
  private static void calendar(StringBuilder h, InputCalendar calendar) {
    h.append("<h2>Input calendar</h2>\n");
    if (calendar.entries().isEmpty()) {
      h.append("<p>No arrival day recorded yet.</p>\n");
      return;
    }
    Map<String, String> incomplete = calendar.incomplete();
    h.append("<p class=\"calendar\">Arrival days ").append(calendar.entries().firstKey()).append(" to ")
        .append(calendar.entries().lastKey()).append(": ").append(calendar.entries().size()).append(" recorded, ")
        .append(calendar.entries().size() - incomplete.size()).append(" complete, ").append(incomplete.size())
        .append(" incomplete. The plays of an incomplete arrival day X may be missing from days X-1 .. X+L:")
        .append(" those days are never final, and no window or lookback over them is mature.</p>\n");
    if (!incomplete.isEmpty()) {
      h.append("<table class=\"calendar\"><tr><th>arrival day</th><th>why incomplete</th><th>recorded by the run"
          + " of</th></tr>\n");
      incomplete.forEach((day, why) -> h.append("<tr><td>").append(day).append("</td><td>")
          .append(escape(String.valueOf(why))).append("</td><td>")
          .append(calendar.entries().get(LocalDate.parse(day)).recordedBy()).append("</td></tr>\n"));
      h.append("</table>\n");
    }
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** The chart files every report writes (a level with a backtest adds its own, {@link #BACKTEST_CHART_PREFIX}). */
  static List<String> chartFiles() {
    return List.of("retention.png", "stickiness_60.png", "sessions_per_user.png", "session_length.png",
        "plays_by_hour.png", "rejected_by_reason.png");
  }

}
