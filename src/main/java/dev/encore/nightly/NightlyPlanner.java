package dev.encore.nightly;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.Version;
import dev.encore.config.PredictionRules;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.InputCalendar;
import dev.encore.ingest.InputPartition;
import dev.encore.predictions.PredictStickiness;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.PartitionLayout;
import dev.encore.publish.Publisher;
import dev.encore.sessions.ActivityLogic;
import dev.encore.store.StoreFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a nightly run: every read of the output root a run depends on happens here (the first input day, the
 * activity that can be reused, the rejections already published, the run records), so the pipeline and the
 * publisher work from one fixed {@link NightlyRun}.
 */
public final class NightlyPlanner {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyPlanner.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Run metadata key of the activity logic version a partition was built with. */
  static final String ACTIVITY_LOGIC_VERSION = "activity_logic_version";
  private static final String FIRST_INPUT_DAY = "FIRST_INPUT_DAY";

  private final NightlyConfig config;
  /** The output root's layout: where published partitions and Encore's own files are, on its store. */
  private final PartitionLayout layout;
  /** Set by {@link #plan}: why older activity days are rebuilt instead of reused, reason → days. */
  private Map<String, List<LocalDate>> activityRebuiltWhy = Map.of();

  public NightlyPlanner(NightlyConfig config, PartitionLayout layout) {
    this.config = config;
    this.layout = layout;
  }

  /**
   * Plans the days the run reads and writes. Refuses (exit 3) a date before the logs begin, and a run that must
   * rebuild activity from arrival partitions that log retention has removed.
   */
  public NightlyPlan plan() {
    return plan(config.date());
  }

  /**
   * Plans a one-pass backfill of the dates {@code from} .. the configured date: what running nightly for each date
   * in order leaves published ({@link NightlyPlan#range}), planned on the output root as it is now.
   */
  public NightlyPlan planRange(LocalDate from) {
    NightlyPlan first = plan(from);
    List<NightlyPlan> plans = new ArrayList<>(List.of(first));
    for (LocalDate d = from.plusDays(1); !d.isAfter(config.date()); d = d.plusDays(1)) {
      // Only their sessions and anchors matter: the activity they would read is rebuilt or reused by the range.
      plans.add(NightlyPlan.of(d, lateness(), first.firstInputDay(), config.definition().publicationAges(),
          config.definition().discovery().lookbackDays(), Set.of(), Set.of(), firstModelDay(d)));
    }
    return NightlyPlan.range(plans);
  }

  private NightlyPlan plan(LocalDate date) {
    LocalDate logsBegin = ArrivalPartitions.firstDay(config.logs());
    LocalDate firstInputDay = firstInputDay(logsBegin);
    if (date.isBefore(logsBegin)) {
      throw new EncoreException(EncoreException.INPUT, "Input partition "
          + ArrivalPartitions.partitionDir(config.logs(), date) + " does not exist: the logs under "
          + config.logs() + " begin on " + logsBegin + ". Check --date and --logs.");
    }
    Map<LocalDate, String> notReusable = new TreeMap<>();
    List<LocalDate> reusable = reusableActivity(notReusable);
    Set<LocalDate> legacy = legacyRewardDays();
    if (!legacy.isEmpty()) {
      LOG.info("nightly {}: republishing the reward partitions of {} days ({} .. {}) published under an older"
          + " definition format, whose labels could still change; they are rewritten as of this run",
          date, legacy.size(), Collections.min(legacy), Collections.max(legacy));
    }
    NightlyPlan plan = NightlyPlan.of(
        date, lateness(), firstInputDay, config.definition().publicationAges(),
        config.definition().discovery().lookbackDays(), new HashSet<>(reusable), legacy, firstModelDay(date));

    // Older activity rebuilt (beyond the days every run rebuilds): say why, and refuse when its logs are gone.
    LocalDate alwaysRebuilt = NightlyPlan.alwaysRebuiltFrom(date, lateness());
    List<LocalDate> older = plan.activityRebuilt().stream().filter(d -> d.isBefore(alwaysRebuilt)).toList();
    activityRebuiltWhy = older.stream().collect(Collectors.groupingBy(
        d -> notReusable.getOrDefault(d, "not published yet"), TreeMap::new, Collectors.toList()));
    // A first run rebuilds everything; say why only when published activity is not reused.
    if (!notReusable.isEmpty() && !older.isEmpty()) {
      LOG.info("nightly {}: rebuilding the activity of {} older days from the logs: {}", date,
          older.size(), activityRebuiltWhy.entrySet().stream().map(e -> e.getValue().size() + " " + e.getKey())
              .collect(Collectors.joining("; ")));
    }
    if (plan.firstArrival().isBefore(logsBegin)) {
      String needs = older.isEmpty()
          ? "This run reads arrival partitions from " + plan.firstArrival() + " on (its late window)"
          : "This run must rebuild the activity of " + older.get(0) + " .. " + older.get(older.size() - 1) + " ("
              + notReusable.getOrDefault(older.get(0), "not published yet") + ") from arrival partitions "
              + plan.firstArrival() + " on";
      throw new EncoreException(EncoreException.INPUT, needs + ", but the logs under " + config.logs()
          + " now begin on " + logsBegin + " (older partitions were removed). The oldest missing partition is "
          + ArrivalPartitions.partitionDir(config.logs(), plan.firstArrival()) + ". Restore the partitions from "
          + plan.firstArrival() + " to " + logsBegin.minusDays(1) + ", or publish into a new output root.");
    }
    return plan;
  }

  /** The arrival partitions the plan reads; refuses missing or unsealed ones unless missing days are allowed. */
  public ArrivalPartitions.Found input(NightlyPlan plan) {
    return ArrivalPartitions.resolve(config.logs(), plan.firstArrival(), plan.lastArrival(),
        config.allowMissingDays());
  }

  /**
   * The run value of a plan made by {@link #plan}, once the output root is claimed: the rejections it publishes
   * are read under the lock.
   */
  public NightlyRun prepare(
      NightlyPlan plan, ArrivalPartitions.Found input, OutputRoot root, Outputs outputs, Instant started,
      String runner) {
    // Each arrival's rejections are published by the first run that reads it (and again by its own date's run).
    List<LocalDate> rejectedDays = new ArrayList<>();
    Set<String> rejectedPublished = new HashSet<>(layout.publishedDays(Outputs.REJECTED.name()));
    for (InputPartition p : input.partitions()) {
      if (!p.day().isBefore(plan.firstDate()) || !rejectedPublished.contains(p.day().toString())) {
        rejectedDays.add(p.day());
      }
    }
    InputCalendar calendar = InputCalendar.read(layout).observe(input, plan.firstDate());
    warnWhereTheInputDiffersFromTheCalendar(input, calendar);
    List<String> reusedActivityFiles = new ArrayList<>();
    for (LocalDate day : plan.activityReused()) {
      try {
        reusedActivityFiles.addAll(layout.current(Outputs.ACTIVITY.name(), day.toString()).files());
      } catch (IOException | RuntimeException e) {
        throw new EncoreException(EncoreException.OUTPUT, "Cannot list the published activity of " + day + " under "
            + layout.root() + ": " + e + ". Move the damaged partition away and re-run.", e);
      }
    }
    return new NightlyRun(config, plan, input, calendar, List.copyOf(rejectedDays), activityRebuiltWhy,
        List.copyOf(reusedActivityFiles), outputs, root,
        NightlyRun.newRunId(plan.firstDate(), config.date(), started), started, runner);
  }

  /**
   * Whether the run for this date already completed with the same Encore version, definitions and input
   * partitions (its arrival partition and the late window before it): backfill skips such dates.
   */
  public boolean alreadyPublished() {
    return alreadyPublished(config.date());
  }

  /** {@link #alreadyPublished()} for {@code date} (a backfill asks for each date of its range). */
  public boolean alreadyPublished(LocalDate date) {
    String record = runRecord(layout, date);
    if (!StoreFiles.exists(record)) {
      return false;
    }
    try {
      Map<?, ?> done = JSON.readValue(StoreFiles.read(record), Map.class);
      return fingerprint(date, firstInputDay(ArrivalPartitions.firstDay(config.logs())))
          .equals(done.get("fingerprint"));
    } catch (IOException e) {
      return false; // an unreadable record: run again
    }
  }

  /** {@code <output>/_encore/runs/nightly-<date>.json}: written when a run has published everything. */
  static String runRecord(PartitionLayout output, LocalDate date) {
    return output.privatePath("runs", "nightly-" + date + ".json");
  }

  /** Where the first input day is recorded, so that log retention does not move it. */
  static String firstInputDayFile(PartitionLayout output) {
    return output.privatePath(FIRST_INPUT_DAY);
  }

  /**
   * The first input day F: the earliest arrival partition ever seen for this output root (recorded by its runs),
   * or in the logs now. Recorded, so that log retention deleting old partitions does not move F and change
   * lookback_complete or what counts as observed.
   */
  private LocalDate firstInputDay(LocalDate logsBegin) {
    String recorded = firstInputDayFile(layout);
    try {
      if (StoreFiles.exists(recorded)) {
        LocalDate seen = LocalDate.parse(new String(StoreFiles.read(recorded), StandardCharsets.UTF_8).strip());
        return seen.isBefore(logsBegin) ? seen : logsBegin;
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: fall back to the logs
    }
    return logsBegin;
  }

  /**
   * What decides a date's results: Encore's version, the definitions, the run's options that change rows, and
   * the names and sizes of the files of the arrival partitions of the late window.
   */
  String fingerprint(LocalDate date, LocalDate firstInputDay) {
    StringBuilder s = new StringBuilder();
    s.append(Version.get()).append('|').append(config.definition().digest()).append('|')
        .append(config.maxPlaysPerUserDay()).append('|').append(config.skipCorruptFiles());
    LocalDate from = NightlyPlan.lateWindowStart(date, lateness());
    for (LocalDate d = from; !d.isAfter(date); d = d.plusDays(1)) {
      if (d.isBefore(firstInputDay)) {
        continue;
      }
      String dir = ArrivalPartitions.partitionDir(config.logs(), d);
      s.append('|').append(d).append(StoreFiles.exists(StoreFiles.join(dir, ArrivalPartitions.SUCCESS))
          ? ":sealed" : ":open");
      try {
        for (MatchResult.Metadata f : StoreFiles.matchMetadata(StoreFiles.join(dir, "*"))) {
          s.append(',').append(StoreFiles.name(f.resourceId().toString())).append('=').append(f.sizeBytes());
        }
      } catch (RuntimeException e) {
        s.append(",unlistable");
      }
    }
    return com.google.common.hash.Hashing.sha256().hashString(s, StandardCharsets.UTF_8).toString();
  }

  /**
   * Activity days published complete (by a run on or after the day plus the lateness) with the same definition and
   * activity logic version: these are read back instead of rebuilt. Every other
   * published day goes into {@code notReusable} with the reason.
   */
  private List<LocalDate> reusableActivity(Map<LocalDate, String> notReusable) {
    List<LocalDate> days = new ArrayList<>();
    String dataset = Outputs.ACTIVITY.name();
    try {
      for (String dt : layout.publishedDays(dataset)) {
        LocalDate day = LocalDate.parse(dt);
        String why = whyNotReusable(day, Publisher.readMetadata(layout, dataset, dt));
        if (why == null) {
          days.add(day);
        } else {
          notReusable.put(day, why);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new EncoreException(EncoreException.OUTPUT,
          "Cannot read the published activity under " + StoreFiles.join(layout.root(), dataset) + ": " + e
              + ". Move the damaged partition away and re-run; Encore rebuilds missing activity from the logs.", e);
    }
    return days;
  }

  /**
   * Days whose reward partitions were published under another definition format version than this Encore's (1:
   * labels that could still change, other columns): the next run republishes them, so that an output root holds
   * one format (docs/rewards.md).
   */
  private Set<LocalDate> legacyRewardDays() {
    Set<LocalDate> days = new TreeSet<>();
    Object current = config.definition().toMap().get("version");
    for (OutputDataset<?> dataset : Outputs.standard(config.rewardSpec())) {
      if (!dataset.finalDaysOnly()) {
        continue;
      }
      try {
        for (String dt : layout.publishedDays(dataset.name())) {
          Object definition = Publisher.readMetadata(layout, dataset.name(), dt).get("definition");
          Object version = definition instanceof Map<?, ?> m ? m.get("version") : null;
          if (!String.valueOf(current).equals(String.valueOf(version))) {
            days.add(LocalDate.parse(dt));
          }
        }
      } catch (IOException | RuntimeException e) {
        throw new EncoreException(EncoreException.OUTPUT, "Cannot read the published rewards under "
            + StoreFiles.join(layout.root(), dataset.name()) + ": " + e + ". Move the damaged partition away and"
            + " re-run.", e);
      }
    }
    return days;
  }

  /**
   * Logs the arrival partitions whose state now differs from their calendar entry: the entry stays as first
   * recorded (docs/rewards.md, "The input calendar and final days").
   */
  private void warnWhereTheInputDiffersFromTheCalendar(ArrivalPartitions.Found input, InputCalendar calendar) {
    for (ArrivalPartitions.Skipped s : input.skipped()) {
      if (!calendar.observed().contains(s.day()) && calendar.complete(s.day())) {
        LOG.warn("nightly {}: arrival partition {} is {} now, but the input calendar recorded it complete on {}."
            + " Days already final stay as published.", config.date(), s.day(), s.why(),
            calendar.entries().get(s.day()).recordedBy());
      }
    }
    for (InputPartition p : input.partitions()) {
      if (!calendar.observed().contains(p.day()) && !calendar.complete(p.day())) {
        LOG.warn("nightly {}: arrival partition {} is read, but it stays incomplete in the input calendar ({},"
            + " recorded on {}): the days it can hold stay not final, as published. To use it fully, publish"
            + " into a new output root (docs/rewards.md, \"The input calendar\").", config.date(), p.day(),
            calendar.entries().get(p.day()).why(), calendar.entries().get(p.day()).recordedBy());
      }
    }
  }

  /** Why a published activity partition cannot be reused, or null when it can. */
  private String whyNotReusable(LocalDate day, Map<String, Object> meta) {
    Object version = meta.get(ACTIVITY_LOGIC_VERSION);
    if (!String.valueOf(ActivityLogic.VERSION).equals(String.valueOf(version))) {
      return version == null
          ? "built before activity logic versions were recorded (this is version " + ActivityLogic.VERSION + ")"
          : "built by activity logic version " + version + " (this is version " + ActivityLogic.VERSION + ")";
    }
    if (!config.activityDefinition().equals(meta.get("activity_definition"))) {
      return "built under another definition";
    }
    LocalDate builtBy = LocalDate.parse((String) meta.get("date"));
    if (builtBy.isBefore(day.plusDays(lateness()))) {
      return "published before all its late plays could arrive";
    }
    // Activity built from incomplete input is reused too: its days are not final (input calendar), and rows
    // published on the basis of it must not change.
    return null;
  }

  /** The first discovery day the predictions of {@code date} use (its fit window's), or null without predictions. */
  private LocalDate firstModelDay(LocalDate date) {
    PredictionRules rules = config.definition().predictions();
    return rules == null ? null : LocalDate.ofEpochDay(PredictStickiness.fitFrom(
        date.toEpochDay(), config.definition().maturityAge(), rules));
  }

  private int lateness() {
    return config.definition().playRules().allowedLatenessDays();
  }
}
