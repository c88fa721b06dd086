package dev.encore.nightly;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.Version;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.InputCalendar;
import dev.encore.ingest.InputPartition;
import dev.encore.publish.ParquetFiles;
import dev.encore.publish.PartitionLayout;
import dev.encore.publish.Publisher;
import dev.encore.publish.RunStats;
import dev.encore.publish.WritePartitionedParquet;
import dev.encore.publish.WriteRunStats;
import dev.encore.rewards.Finality;
import dev.encore.sessions.ActivityLogic;
import dev.encore.store.StoreFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;

/**
 * Publishes what a run staged: every partition the registry says the run writes, each atomically with its run
 * metadata and {@code _SUCCESS}, then the run record. A staged partition that no dataset's days name fails the
 * run before anything is published.
 */
final class NightlyPublisher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NightlyPublisher() {}

  /** Publishes the run's partitions and returns its summary; the staging folder is gone afterwards. */
  static NightlySummary publish(NightlyRun run, Map<String, Long> counts) {
    NightlyConfig config = run.config();
    InputCalendar calendar = run.calendar().withSkippedFiles(skippedFilesByDay(RunStats.skippedFiles(counts)));
    Map<String, String> withheld = withheld(run, calendar);
    List<String> published = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    try {
      Map<String, Object> runInfo = runInfo(run, counts, calendar, withheld);
      checkEveryStagedPartitionIsPublished(run);
      Publisher publisher = new Publisher(run.root(), run.runId());
      // Each date's own arrival partition (a backfill has one per date) is checked as its nightly run checks it.
      List<String> tooMany = new ArrayList<>();
      for (LocalDate date : run.plan().asOfDates()) {
        Map<String, Long> today = RunStats.forInput(counts, date.toString());
        long rejectedToday = today.entrySet().stream()
            .filter(e -> e.getKey().startsWith(RunStats.REJECTED + "/")).mapToLong(Map.Entry::getValue).sum();
        long recordsToday = today.getOrDefault(RunStats.RECORDS, 0L);
        if (recordsToday > 0 && rejectedToday > config.maxRejectedShare() * recordsToday) {
          // Publish the rejected records, so they can be inspected, and nothing else.
          String dt = date.toString();
          publisher.publish(Outputs.REJECTED, dt, staged(run, Outputs.REJECTED.name(), dt), config.date(),
              partitionInfo(runInfo, Outputs.REJECTED.name(), dt, counts));
          tooMany.add(String.format("%d of the %d records of arrival partition %s were rejected (%.1f %%)",
              rejectedToday, recordsToday, dt, 100.0 * rejectedToday / recordsToday));
        }
      }
      if (!tooMany.isEmpty()) {
        clearStaging(run);
        throw new EncoreException(EncoreException.INPUT, String.join("; ", tooMany) + ", more than"
            + " --maxRejectedShare=" + config.maxRejectedShare() + ". Only the rejected records of "
            + (tooMany.size() == 1 ? "that partition were" : "those partitions were") + " published (under "
            + Outputs.REJECTED.name() + "/, reasons per record); inspect them, fix the input and re-run.");
      }
      // Recorded before any partition is published on its basis; never changed afterwards.
      calendar.write(run.root().layout());
      for (OutputDataset<?> output : rejectionsFirst(run.outputs())) {
        for (LocalDate day : output.days().apply(run)) {
          String dt = day.toString();
          if (withheld.containsKey(output.name() + "/dt=" + dt)) {
            continue;
          }
          Publisher.Outcome outcome = publisher.publish(output.dataset(), dt, staged(run, output.name(), dt),
              config.date(), partitionInfo(runInfo, output.name(), dt, counts));
          (outcome == Publisher.Outcome.WRITTEN ? published : unchanged).add(output.name() + "/dt=" + dt);
        }
      }
      clearStaging(run);
      writeRunRecord(run, counts);
    } catch (IOException e) {
      throw new EncoreException(
          EncoreException.PIPELINE,
          "Publishing failed after " + published.size() + " partitions were published: " + e
              + ". Re-run the same command; published partitions are complete and will be replaced.",
          e);
    }
    return new NightlySummary(config.date(), run.runId(), run.input(), counts, run.outputs().names(), published,
        unchanged, withheld, Duration.between(run.started(), Instant.now()), run.runner());
  }

  /**
   * The registry's datasets, rejections first: a later run reuses the activity this run publishes without reading
   * its arrival partitions again, so if this run dies while publishing, their rejections must already be out.
   */
  static List<OutputDataset<?>> rejectionsFirst(Outputs outputs) {
    List<OutputDataset<?>> ordered = new ArrayList<>();
    outputs.forEach(ordered::add);
    ordered.sort(java.util.Comparator.comparing(o -> !o.name().equals(Outputs.REJECTED.name())));
    return ordered;
  }

  /**
   * The partitions of datasets published on final days only whose day is not final in this run, with why: their
   * rows could still appear or vanish, and since publication ages are at least L they never become final.
   */
  static Map<String, String> withheld(NightlyRun run, InputCalendar calendar) {
    int lateness = run.config().definition().playRules().allowedLatenessDays();
    Map<String, String> withheld = new LinkedHashMap<>();
    for (OutputDataset<?> output : run.outputs()) {
      if (!output.finalDaysOnly()) {
        continue;
      }
      for (LocalDate day : output.days().apply(run)) {
        // Final as of the date the partition is computed as of (a backfill's dates differ).
        LocalDate asOf = run.plan().asOfOf(day);
        Finality finality = calendar.finality(asOf == null ? run.config().date() : asOf, lateness);
        if (!finality.isFinal(day.toEpochDay())) {
          List<LocalDate> arrivals = finality.arrivalDaysOf(day.toEpochDay()).mapToObj(LocalDate::ofEpochDay).toList();
          List<String> incomplete = new ArrayList<>();
          for (LocalDate x : arrivals) {
            if (!calendar.complete(x)) {
              InputCalendar.Entry e = calendar.entries().get(x);
              incomplete.add(x + " " + (e == null ? "not read (before the first input day)" : e.why()));
            }
          }
          withheld.put(output.name() + "/dt=" + day,
              "not final: arrival days " + arrivals.get(0) + " .. " + arrivals.get(arrivals.size() - 1)
                  + " must be complete; incomplete: " + String.join(", ", incomplete));
        }
      }
    }
    return withheld;
  }

  /** Skipped files by the arrival day of their partition folder (dt=YYYY-MM-DD). */
  static Map<LocalDate, List<String>> skippedFilesByDay(List<String> files) {
    Map<LocalDate, List<String>> byDay = new TreeMap<>();
    for (String f : files) {
      String name = f.contains("/") ? StoreFiles.name(StoreFiles.parent(f)) : "";
      if (name.startsWith("dt=")) {
        byDay.computeIfAbsent(LocalDate.parse(name.substring(3)), d -> new ArrayList<>())
            .add(name + "/" + StoreFiles.name(f));
      }
    }
    return byDay;
  }

  /**
   * Fails, naming it, on a partition staged by the pipeline that no registered dataset publishes on this run's
   * days: its rows would otherwise be deleted with the staging folder, silently.
   */
  static void checkEveryStagedPartitionIsPublished(NightlyRun run) throws IOException {
    TreeSet<String> orphans = new TreeSet<>(stagedPartitions(run.staging()));
    run.outputs().partitions(run).forEach(orphans::remove);
    if (!orphans.isEmpty()) {
      StoreFiles.deleteTree(run.staging());
      throw new EncoreException(EncoreException.PIPELINE, "The pipeline staged " + String.join(", ", orphans)
          + ", which no dataset of the registry (nightly.Outputs) publishes on this run's days. Nothing was"
          + " published. Declare the days that dataset is written on (OutputDataset.writtenOn) to match the rows"
          + " its transform produces.");
    }
  }

  /**
   * Deletes what the run staged and did not publish. With folder renames that is the staging folder and the
   * trash; on object stores the staging folder holds the published versions themselves, so only the run's counts
   * go (a partition kept or unchanged was already deleted by the publisher).
   */
  private static void clearStaging(NightlyRun run) throws IOException {
    if (run.root().layout().manifests()) {
      StoreFiles.deleteTree(StoreFiles.join(run.staging(), WriteRunStats.DIR));
    } else {
      StoreFiles.deleteTree(run.staging());
      StoreFiles.deleteTree(run.root().trash(run.runId()));
    }
  }

  /** The partitions in a staging folder, as {@code dataset/dt=YYYY-MM-DD}. */
  private static List<String> stagedPartitions(String staging) {
    TreeSet<String> found = new TreeSet<>();
    for (String f : StoreFiles.match(StoreFiles.join(staging, "*", "dt=*", "*"))) {
      String dir = StoreFiles.parent(f);
      found.add(StoreFiles.name(StoreFiles.parent(dir)) + "/" + StoreFiles.name(dir));
    }
    return new ArrayList<>(found);
  }

  private static String staged(NightlyRun run, String dataset, String dt) {
    return WritePartitionedParquet.partitionDir(run.staging(), dataset, dt);
  }

  /**
   * Writes the run record of each date the run computed (and the first input day) once everything is published:
   * backfill skips such dates.
   */
  private static void writeRunRecord(NightlyRun run, Map<String, Long> counts) throws IOException {
    NightlyConfig config = run.config();
    PartitionLayout layout = run.root().layout();
    NightlyPlanner planner = new NightlyPlanner(config, layout);
    Map<String, Map<String, Long>> outputs = outputRows(run, counts);
    for (LocalDate date : run.plan().asOfDates()) {
      Map<String, Object> done = new LinkedHashMap<>();
      done.put("date", date.toString());
      done.put("run_id", run.runId());
      done.put("finished_at", Instant.now().toString());
      done.put("fingerprint", planner.fingerprint(date, run.plan().firstInputDay()));
      done.put("outputs", outputs);
      layout.store().replaceAtomically(NightlyPlanner.runRecord(layout, date), JSON.writeValueAsBytes(done));
    }
    layout.store().replaceAtomically(NightlyPlanner.firstInputDayFile(layout),
        (run.plan().firstInputDay() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Rows written per dataset and partition, every registered dataset listed: name → (dt → rows). */
  private static Map<String, Map<String, Long>> outputRows(NightlyRun run, Map<String, Long> counts) {
    Map<String, Map<String, Long>> rows = new LinkedHashMap<>();
    for (OutputDataset<?> output : run.outputs()) {
      Map<String, Long> byDt = new LinkedHashMap<>();
      for (LocalDate d : output.days().apply(run)) {
        byDt.put(d.toString(), RunStats.forOutput(counts, output.name()).getOrDefault(d.toString(), 0L));
      }
      rows.put(output.name(), byDt);
    }
    return rows;
  }

  private static Map<String, Object> runInfo(
      NightlyRun run, Map<String, Long> counts, InputCalendar calendar, Map<String, String> withheld)
      throws IOException {
    NightlyConfig config = run.config();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("encore_version", Version.get());
    info.put("run_id", run.runId());
    info.put("command", run.isBackfill() ? "backfill" : "nightly");
    if (run.isBackfill()) {
      info.put("from", run.plan().firstDate().toString());
    }
    info.put("date", config.date().toString());
    info.put("started_at", run.started().toString());
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("logs", config.logs());
    opts.put("output", config.output());
    opts.put("runner", run.runner());
    opts.put("allowMissingDays", config.allowMissingDays());
    opts.put("shardsPerPartition", config.shardsPerPartition());
    opts.put("skipCorruptFiles", config.skipCorruptFiles());
    opts.put("maxRejectedShare", config.maxRejectedShare());
    opts.put("maxPlaysPerUserDay", config.maxPlaysPerUserDay());
    info.put("options", opts);
    info.put("definition_source", config.definition().source());
    info.put("definition_digest", config.definition().digest());
    info.put("definition", config.definition().toMap());
    info.put("activity_definition", config.activityDefinition());
    info.put(NightlyPlanner.ACTIVITY_LOGIC_VERSION, ActivityLogic.VERSION);
    info.put("first_input_day", run.plan().firstInputDay().toString());
    info.put("activity_reused_days", run.plan().activityReused().size());
    Map<String, Integer> rebuiltWhy = new LinkedHashMap<>();
    run.activityRebuiltWhy().forEach((why, days) -> rebuiltWhy.put(why, days.size()));
    info.put("activity_rebuilt_why", rebuiltWhy);
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (InputPartition p : run.input().partitions()) {
      Map<String, Object> in = new LinkedHashMap<>();
      in.put("dt", p.day().toString());
      in.put("path", p.dir());
      in.putAll(RunStats.forInput(counts, p.day().toString()));
      inputs.add(in);
    }
    info.put("input_partitions", inputs);
    List<Map<String, Object>> skipped = new ArrayList<>();
    for (ArrivalPartitions.Skipped s : run.input().skipped()) {
      skipped.add(Map.of("dt", s.day().toString(), "why", s.why()));
    }
    info.put("skipped_input_days", skipped);
    info.put("skipped_files", RunStats.skippedFiles(counts));
    info.put("excluded_hot_users", RunStats.hotUserDays(counts));
    info.put("outputs", outputRows(run, counts));
    Map<String, Object> cal = new LinkedHashMap<>();
    cal.put("recorded_days", calendar.entries().size());
    cal.put("first_day", calendar.entries().isEmpty() ? null : calendar.entries().firstKey().toString());
    cal.put("last_day", calendar.entries().isEmpty() ? null : calendar.entries().lastKey().toString());
    cal.put("incomplete", calendar.incomplete());
    info.put("input_calendar", cal);
    info.put("withheld_partitions", withheld);
    Map<String, Object> predictions = predictions(run.outputs(),
        staged(run, Outputs.REWARD_PRIORS, config.date().toString()), config.rewardSpec().stickinessDays());
    if (predictions != null) {
      info.put("predictions", predictions);
    }
    return info;
  }

  /**
   * The run's stickiness predictions per entity level, read from its staged reward_priors rows: the fit and the
   * backtest, so a scheduler can alert on a drop from the run metadata alone. Null when the registry has no
   * reward_priors (the definition has no predictions section).
   *
   * @param staged the staged reward_priors partition of the run's date
   */
  static Map<String, Object> predictions(Outputs outputs, String staged, int stickinessDays) throws IOException {
    if (!outputs.names().contains(Outputs.REWARD_PRIORS)) {
      return null;
    }
    Map<String, Object> levels = new TreeMap<>();
    for (String file : PartitionLayout.parquetFiles(staged)) {
      ParquetFiles.read(file, r -> levels.put(r.get("entity_level").toString(), predictionLevel(r, stickinessDays)));
    }
    return levels;
  }

  private static Map<String, Object> predictionLevel(GenericRecord r, int stickinessDays) {
    Map<String, Object> level = new LinkedHashMap<>();
    level.put("has_prior", r.get("prior_mean") != null);
    level.put("no_prior_reason", r.get("no_prior_reason") == null ? null : r.get("no_prior_reason").toString());
    level.put("entities", r.get("entities"));
    level.put("traces", r.get("traces"));
    level.put("fit_from", LocalDate.ofEpochDay((Integer) r.get("fit_from")).toString());
    level.put("fit_to", LocalDate.ofEpochDay((Integer) r.get("fit_to")).toString());
    String prior = "prior_stickiness_" + stickinessDays;
    level.put(prior, r.get(prior));
    List<Map<String, Object>> backtest = new ArrayList<>();
    for (Object element : (List<?>) r.get("backtest")) {
      GenericRecord b = (GenericRecord) element;
      // Every column of the backtest, as published.
      Map<String, Object> row = new LinkedHashMap<>();
      b.getSchema().getFields().forEach(f -> row.put(f.name(), b.get(f.name())));
      backtest.add(row);
    }
    level.put("backtest", backtest);
    return level;
  }

  private static Map<String, Object> partitionInfo(
      Map<String, Object> runInfo, String dataset, String dt, Map<String, Long> counts) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("dataset", dataset);
    info.put("dt", dt);
    info.put("rows", RunStats.forOutput(counts, dataset).getOrDefault(dt, 0L));
    info.putAll(runInfo);
    return info;
  }
}
