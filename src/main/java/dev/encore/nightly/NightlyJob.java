package dev.encore.nightly;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.Version;
import dev.encore.avro.Activity;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.Session;
import dev.encore.config.FaultPoint;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.IngestListeningLogs;
import dev.encore.ingest.InputPartition;
import dev.encore.progress.RunProgress;
import dev.encore.publish.Dataset;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.Publisher;
import dev.encore.publish.RunStats;
import dev.encore.publish.WritePartitionedParquet;
import dev.encore.publish.WriteRunStats;
import dev.encore.rewards.ComputeRewards;
import dev.encore.rewards.ReadActivity;
import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import dev.encore.sessions.Sessionize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code encore nightly --date=T}: reads what T's arrival needs, publishes the sessions, daily activity and reward
 * partitions T makes due (see {@link NightlyPlan}), and the rejected records of T and of every partition it is the
 * first to read; each partition atomically with its run metadata and {@code _SUCCESS}.
 */
public final class NightlyJob {
  public static final Dataset<Session> SESSIONS =
      Dataset.of("sessions", Session.class, "user_id", "session_start", "session_id");
  public static final Dataset<RejectedRecord> REJECTED =
      Dataset.of("rejected", RejectedRecord.class, "source_file", "position");
  public static final Dataset<Activity> ACTIVITY =
      Dataset.of("activity", Activity.class, "user_id", "entity_level", "entity_id");

  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private NightlyJob() {}

  /** The reward datasets of a definition (their columns follow its horizons). */
  public static List<Dataset<GenericRecord>> rewardDatasets(RewardSpec spec) {
    return List.of(
        Dataset.of("user_rewards", RewardSchemas.userRewards(spec), "user_id", "anchor_date"),
        Dataset.of("user_entity_rewards", RewardSchemas.userEntityRewards(spec),
            "user_id", "entity_level", "entity_id", "discovery_date"),
        Dataset.of("entity_rewards", RewardSchemas.entityRewards(spec),
            "entity_level", "entity_id", "discovery_date"));
  }

  /** Runs the nightly job to completion and publishes its outputs; throws {@link EncoreException} on failure. */
  public static NightlySummary run(NightlyOptions options) {
    Instant started = Instant.now();
    NightlyConfig config = NightlyConfig.from(options);
    OutputRoot.checkNoOverlap(config.output(), config.logs());
    LocalDate firstInputDay = firstInputDay(config);
    if (config.date().isBefore(ArrivalPartitions.firstDay(config.logs()))) {
      throw new EncoreException(EncoreException.INPUT, "Input partition "
          + ArrivalPartitions.partitionDir(config.logs(), config.date()) + " does not exist: the logs under "
          + config.logs() + " begin on " + firstInputDay + ". Check --date and --logs.");
    }
    NightlyPlan plan = NightlyPlan.of(
        config.date(), config.definition().playRules().allowedLatenessDays(), firstInputDay,
        config.definition().publicationAges(), config.definition().discovery().lookbackDays(),
        reusableActivity(config));
    ArrivalPartitions.Found input = ArrivalPartitions.resolve(
        config.logs(), plan.firstArrival(), plan.lastArrival(), config.allowMissingDays());
    try (OutputRoot root = OutputRoot.claim(config.output(), config.logs())) {
      return run(options, config, plan, input, root, started);
    }
  }

  private static NightlySummary run(
      NightlyOptions options,
      NightlyConfig config,
      NightlyPlan plan,
      ArrivalPartitions.Found input,
      OutputRoot root,
      Instant started) {
    String runId = runId(config.date(), started);
    Path staging = root.staging(runId);
    LOG.info("nightly {}: reading arrivals {}..{}; sessions {}, activity rebuilt {} / reused {}, rewards {} (run {})",
        config.date(), plan.firstArrival(), plan.lastArrival(), span(plan.sessionDays()),
        span(plan.activityRebuilt()), plan.activityReused().size(), plan.rewardAnchors(), runId);

    // Each arrival's rejections are published by the first run that reads it (and again by its own date's run).
    List<LocalDate> rejectedDays = new ArrayList<>();
    for (InputPartition p : input.partitions()) {
      if (p.day().equals(config.date())
          || !Files.exists(root.partition(REJECTED.name(), p.day().toString()).resolve(Publisher.SUCCESS))) {
        rejectedDays.add(p.day());
      }
    }
    long files = input.partitions().stream().mapToLong(p -> p.files().size()).sum();
    try (RunProgress progress =
        RunProgress.start("nightly " + config.date(), files, System.err, Duration.ofSeconds(30))) {
      progress.stage("computing");
      return publishAfter(options, config, plan, input, root, started, runId, staging, rejectedDays, progress);
    }
  }

  private static NightlySummary publishAfter(
      NightlyOptions options,
      NightlyConfig config,
      NightlyPlan plan,
      ArrivalPartitions.Found input,
      OutputRoot root,
      Instant started,
      String runId,
      Path staging,
      List<LocalDate> rejectedDays,
      RunProgress progress) {
    Map<String, Long> counts;
    try {
      Pipeline pipeline = Pipeline.create(options);
      buildPipeline(pipeline, config, plan, input.partitions(), rejectedDays, root, staging.toString());
      PipelineResult.State state = pipeline.run().waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new EncoreException(EncoreException.PIPELINE, "The pipeline ended in state " + state + ".");
      }
      counts = WriteRunStats.read(staging);
      config.failAt().failIf(FaultPoint.PUBLISHING);
    } catch (RuntimeException | IOException e) {
      OutputRoot.deleteTree(staging);
      throw failure(e);
    }

    progress.stage("publishing");
    Map<String, Object> runInfo = runInfo(runId, config, options, plan, input, counts, started);
    List<String> published = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    try {
      Publisher publisher = new Publisher(root, runId);
      List<KV<Dataset<?>, LocalDate>> partitions = new ArrayList<>();
      plan.sessionDays().forEach(d -> partitions.add(KV.of(SESSIONS, d)));
      plan.activityRebuilt().forEach(d -> partitions.add(KV.of(ACTIVITY, d)));
      for (Dataset<GenericRecord> rewards : rewardDatasets(config.rewardSpec())) {
        plan.rewardAnchors().forEach(d -> partitions.add(KV.of(rewards, d)));
      }
      rejectedDays.forEach(d -> partitions.add(KV.of(REJECTED, d)));
      Map<String, Long> today = RunStats.forInput(counts, config.date().toString());
      long rejectedToday = today.entrySet().stream()
          .filter(e -> e.getKey().startsWith(RunStats.REJECTED + "/")).mapToLong(Map.Entry::getValue).sum();
      long recordsToday = today.get(RunStats.RECORDS);
      if (recordsToday > 0 && rejectedToday > config.maxRejectedShare() * recordsToday) {
        // Publish the rejected records, so they can be inspected, and nothing else.
        String dt = config.date().toString();
        publisher.publish(
            REJECTED, dt, staged(staging, REJECTED, dt), config.date(), partitionInfo(runInfo, REJECTED, dt, counts));
        OutputRoot.deleteTree(staging);
        throw new EncoreException(EncoreException.INPUT, String.format(
            "%d of the %d records of arrival partition %s were rejected (%.1f %%), more than --maxRejectedShare=%s."
                + " Only %s/dt=%s was published; inspect it (reasons per record), fix the input and re-run.",
            rejectedToday, recordsToday, dt, 100.0 * rejectedToday / recordsToday, config.maxRejectedShare(),
            REJECTED.name(), dt));
      }
      for (KV<Dataset<?>, LocalDate> p : partitions) {
        Dataset<?> dataset = p.getKey();
        String dt = p.getValue().toString();
        Publisher.Outcome outcome = publisher.publish(
            dataset, dt, staged(staging, dataset, dt), config.date(), partitionInfo(runInfo, dataset, dt, counts));
        (outcome == Publisher.Outcome.WRITTEN ? published : unchanged).add(dataset.name() + "/dt=" + dt);
      }
      OutputRoot.deleteTree(staging);
      OutputRoot.deleteTree(root.trash(runId));
      writeRunRecord(root, config, runId, plan.firstInputDay());
    } catch (IOException e) {
      throw new EncoreException(
          EncoreException.PIPELINE,
          "Publishing failed after " + published.size() + " partitions were published: " + e
              + ". Re-run the same command; published partitions are complete and will be replaced.",
          e);
    }
    return new NightlySummary(
        config.date(), runId, input, counts, published, unchanged, Duration.between(started, Instant.now()),
        options.getRunner().getSimpleName());
  }

  /**
   * The nightly pipeline: ingest → per user (deduplicate, sessions, daily activity) → rewards from the activity
   * (rebuilt days plus days read back) → staged Parquet and exact counts.
   */
  public static Pipeline buildPipeline(
      Pipeline pipeline,
      NightlyConfig config,
      NightlyPlan plan,
      List<InputPartition> partitions,
      List<LocalDate> rejectedDays,
      OutputRoot root,
      String staging) {
    RewardSpec spec = config.rewardSpec();
    PCollectionTuple ingested = pipeline.apply(
        "IngestListeningLogs", new IngestListeningLogs(
            partitions, config.definition().playRules(), config.failAt(), config.skipCorruptFiles(),
            userGroups(pipeline)));
    LocalDate sessionsFrom = plan.sessionDays().isEmpty() ? plan.date() : plan.sessionDays().get(0);
    PCollectionTuple perUser = ingested
        .get(IngestListeningLogs.PLAYS)
        .apply("Sessionize", new Sessionize(
            config.definition().sessionRules(), sessionsFrom, plan.date().minusDays(1),
            new HashSet<>(plan.activityRebuilt()), spec.levels(), config.maxPlaysPerUserDay(),
            userGroups(pipeline)));

    List<PCollection<KV<String, Long>>> rows = new ArrayList<>();
    rows.add(perUser.get(Sessionize.SESSIONS)
        .apply("WriteSessions",
            new WritePartitionedParquet<>(SESSIONS, staging, config.shardsPerPartition(), config.failAt())));
    rows.add(perUser.get(Sessionize.ACTIVITY)
        .apply("WriteActivity", new WritePartitionedParquet<>(ACTIVITY, staging, config.shardsPerPartition())));
    Set<String> rejectedDts = new TreeSet<>();
    rejectedDays.forEach(d -> rejectedDts.add(d.toString()));
    rows.add(ingested.get(IngestListeningLogs.REJECTED)
        // Rejections already published by an earlier run are not written again.
        .apply("KeepUnpublishedRejections", Filter.by(kv -> rejectedDts.contains(kv.getKey())))
        .apply("WriteRejected", new WritePartitionedParquet<>(REJECTED, staging, 1)));

    PCollection<Activity> history = PCollectionList
        .of(perUser.get(Sessionize.ACTIVITY).apply("RebuiltActivity", Values.create()))
        .and(pipeline.apply("ReadActivityHistory", new ReadActivity(
            plan.activityReused().stream().map(d -> root.partition(ACTIVITY.name(), d.toString()).toString())
                .toList())))
        .apply("AllActivity", Flatten.pCollections());
    PCollectionTuple rewards = history.apply("ComputeRewards", new ComputeRewards(
        spec, plan.date().toEpochDay(), plan.firstInputDay().toEpochDay(),
        plan.rewardAnchors().stream().map(LocalDate::toEpochDay).toList()));
    List<Dataset<GenericRecord>> rewardDatasets = rewardDatasets(spec);
    rows.add(rewards.get(ComputeRewards.USER_REWARDS)
        .apply("WriteUserRewards", new WritePartitionedParquet<>(rewardDatasets.get(0), staging, 1)));
    rows.add(rewards.get(ComputeRewards.USER_ENTITY_REWARDS)
        .apply("WriteUserEntityRewards", new WritePartitionedParquet<>(rewardDatasets.get(1), staging, 1)));
    rows.add(rewards.get(ComputeRewards.ENTITY_REWARDS)
        .apply("WriteEntityRewards", new WritePartitionedParquet<>(rewardDatasets.get(2), staging, 1)));

    PCollectionList.of(ingested.get(IngestListeningLogs.STATS))
        .and(perUser.get(Sessionize.STATS))
        .and(rows)
        .apply("FlattenCounts", Flatten.pCollections())
        .apply("WriteRunCounts", new WriteRunStats(staging));
    return pipeline;
  }

  /**
   * How the input files and the plays are grouped for the shuffles: one by one and by user (0) on engines that
   * stream a key's values from sorted files; in a few groups (of files, of users) on the DirectRunner, which keeps
   * everything in memory and copies a key's values once for every bundle that adds to them (see {@link Sessionize}):
   * there, files read one by one and per-user keys made each shuffle copy its groups about once per file or user,
   * three quarters of a run.
   */
  static int userGroups(Pipeline pipeline) {
    boolean direct = pipeline.getOptions().getRunner().getSimpleName().equals("DirectRunner");
    return direct ? Math.max(4, 2 * Runtime.getRuntime().availableProcessors()) : 0;
  }

  /**
   * Whether the run for this date already completed with the same Encore version, definitions and input
   * partitions (its arrival partition and the late window before it): backfill skips such dates.
   */
  public static boolean alreadyPublished(NightlyOptions options) {
    NightlyConfig config = NightlyConfig.from(options);
    Path record = runRecord(config.output(), config.date());
    if (!Files.exists(record)) {
      return false;
    }
    try {
      Map<?, ?> done = JSON.readValue(record.toFile(), Map.class);
      return runFingerprint(config, firstInputDay(config)).equals(done.get("fingerprint"));
    } catch (IOException e) {
      return false; // an unreadable record: run again
    }
  }

  /** {@code <output>/_encore/runs/nightly-<date>.json}: written when a run has published everything. */
  static Path runRecord(Path output, LocalDate date) {
    return output.resolve(OutputRoot.PRIVATE_DIR).resolve("runs").resolve("nightly-" + date + ".json");
  }

  private static void writeRunRecord(OutputRoot root, NightlyConfig config, String runId, LocalDate firstInputDay)
      throws IOException {
    Path record = runRecord(root.path(), config.date());
    Files.createDirectories(record.getParent());
    Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
    Map<String, Object> done = new LinkedHashMap<>();
    done.put("date", config.date().toString());
    done.put("run_id", runId);
    done.put("finished_at", Instant.now().toString());
    done.put("fingerprint", runFingerprint(config, firstInputDay));
    JSON.writeValue(tmp.toFile(), done);
    Files.move(tmp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(firstInputDayFile(root.path()), firstInputDay + "\n");
  }

  /**
   * The first input day F: the earliest arrival partition ever seen for this output root (recorded by its runs),
   * or in the logs now. Recorded, so that log retention deleting old partitions does not move F and change
   * lookback_complete or what counts as observed.
   */
  static LocalDate firstInputDay(NightlyConfig config) {
    LocalDate inLogs = ArrivalPartitions.firstDay(config.logs());
    Path recorded = firstInputDayFile(config.output());
    try {
      if (Files.exists(recorded)) {
        LocalDate seen = LocalDate.parse(Files.readString(recorded).strip());
        return seen.isBefore(inLogs) ? seen : inLogs;
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: fall back to the logs
    }
    return inLogs;
  }

  private static Path firstInputDayFile(Path output) {
    return output.resolve(OutputRoot.PRIVATE_DIR).resolve("FIRST_INPUT_DAY");
  }

  /**
   * What decides a date's results: Encore's version, the definitions, the run's options that change rows, and
   * the names and sizes of the files of the arrival partitions T-3-L .. T.
   */
  static String runFingerprint(NightlyConfig config, LocalDate firstInputDay) {
    StringBuilder s = new StringBuilder();
    s.append(Version.get()).append('|').append(config.definition().digest()).append('|')
        .append(config.maxPlaysPerUserDay()).append('|').append(config.skipCorruptFiles());
    int lateness = config.definition().playRules().allowedLatenessDays();
    for (LocalDate d = config.date().minusDays(3L + lateness); !d.isAfter(config.date()); d = d.plusDays(1)) {
      if (d.isBefore(firstInputDay)) {
        continue;
      }
      Path dir = ArrivalPartitions.partitionDir(config.logs(), d);
      s.append('|').append(d).append(Files.exists(dir.resolve(ArrivalPartitions.SUCCESS)) ? ":sealed" : ":open");
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          for (Path f : files.sorted().toList()) {
            s.append(',').append(f.getFileName()).append('=').append(f.toFile().length());
          }
        } catch (IOException e) {
          s.append(",unlistable");
        }
      }
    }
    return com.google.common.hash.Hashing.sha256().hashString(s, java.nio.charset.StandardCharsets.UTF_8).toString();
  }

  /**
   * Activity days already published complete (by a run on or after the day plus the lateness) with the same
   * definition: these are read back instead of rebuilt.
   */
  static Set<LocalDate> reusableActivity(NightlyConfig config) {
    Set<LocalDate> days = new TreeSet<>();
    Path dir = config.output().resolve(ACTIVITY.name());
    if (!Files.isDirectory(dir)) {
      return days;
    }
    int lateness = config.definition().playRules().allowedLatenessDays();
    try (var partitions = Files.list(dir)) {
      for (Path p : partitions.toList()) {
        String name = p.getFileName().toString();
        if (!name.startsWith("dt=") || !Files.exists(p.resolve(Publisher.SUCCESS))) {
          continue;
        }
        LocalDate day = LocalDate.parse(name.substring(3));
        Map<String, Object> meta = Publisher.readMetadata(p);
        LocalDate builtBy = LocalDate.parse((String) meta.get("date"));
        // Activity built while input was skipped (missing days, corrupt files) is incomplete: never reused.
        boolean completeInput = ((List<?>) meta.getOrDefault("skipped_input_days", List.of())).isEmpty()
            && ((List<?>) meta.getOrDefault("skipped_files", List.of())).isEmpty();
        if (config.activityDefinition().equals(meta.get("activity_definition"))
            && !builtBy.isBefore(day.plusDays(lateness))
            && completeInput) {
          days.add(day);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new EncoreException(EncoreException.OUTPUT,
          "Cannot read the published activity under " + dir + ": " + e + ". Move the damaged partition away and"
              + " re-run; Encore rebuilds missing activity from the logs.", e);
    }
    return days;
  }

  private static Path staged(Path staging, Dataset<?> dataset, String dt) {
    return Path.of(WritePartitionedParquet.partitionDir(staging.toString(), dataset.name(), dt));
  }

  private static String span(List<LocalDate> days) {
    return days.isEmpty() ? "none" : days.get(0) + ".." + days.get(days.size() - 1);
  }

  private static String runId(LocalDate date, Instant started) {
    return "nightly-" + date + "-"
        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC).format(started) + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The failure as the user should see it: the deepest Encore message, or the root cause. */
  static EncoreException failure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EncoreException ee) {
        return ee;
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new EncoreException(
        EncoreException.PIPELINE,
        "The pipeline failed: " + root + ". Nothing was published; fix the cause and re-run the same command.",
        e);
  }

  private static Map<String, Object> runInfo(
      String runId,
      NightlyConfig config,
      NightlyOptions options,
      NightlyPlan plan,
      ArrivalPartitions.Found input,
      Map<String, Long> counts,
      Instant started) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("encore_version", Version.get());
    info.put("run_id", runId);
    info.put("command", "nightly");
    info.put("date", config.date().toString());
    info.put("started_at", started.toString());
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("logs", config.logs().toString());
    opts.put("output", config.output().toString());
    opts.put("runner", options.getRunner().getSimpleName());
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
    info.put("first_input_day", plan.firstInputDay().toString());
    info.put("activity_reused_days", plan.activityReused().size());
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (InputPartition p : input.partitions()) {
      Map<String, Object> in = new LinkedHashMap<>();
      in.put("dt", p.day().toString());
      in.put("path", p.dir());
      in.putAll(RunStats.forInput(counts, p.day().toString()));
      inputs.add(in);
    }
    info.put("input_partitions", inputs);
    List<Map<String, Object>> skipped = new ArrayList<>();
    for (ArrivalPartitions.Skipped s : input.skipped()) {
      skipped.add(Map.of("dt", s.day().toString(), "why", s.why()));
    }
    info.put("skipped_input_days", skipped);
    info.put("skipped_files", RunStats.skippedFiles(counts));
    info.put("excluded_hot_users", RunStats.hotUserDays(counts));
    return info;
  }

  private static Map<String, Object> partitionInfo(
      Map<String, Object> runInfo, Dataset<?> dataset, String dt, Map<String, Long> counts) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("dataset", dataset.name());
    info.put("dt", dt);
    info.put("rows", RunStats.forOutput(counts, dataset.name()).getOrDefault(dt, 0L));
    info.putAll(runInfo);
    return info;
  }
}
