package dev.encore.nightly;

import dev.encore.EncoreException;
import dev.encore.Version;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.Session;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.IngestListeningLogs;
import dev.encore.ingest.InputPartition;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.Publisher;
import dev.encore.publish.RunStats;
import dev.encore.publish.WritePartitionedParquet;
import dev.encore.publish.WriteRunStats;
import dev.encore.sessions.SessionOrder;
import dev.encore.sessions.Sessionize;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code encore nightly --date=T}: reads the arrival partitions T needs, publishes the sessions of the days T makes
 * due and the rejected records of partition T (see {@link NightlyWindow}), each partition atomically with its run
 * metadata and {@code _SUCCESS}.
 */
public final class NightlyJob {
  /** Dataset names, as published under the output root. */
  public static final String SESSIONS = "sessions";

  public static final String REJECTED = "rejected";

  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  private NightlyJob() {}

  /** Runs the nightly job to completion and publishes its outputs; throws {@link EncoreException} on failure. */
  public static NightlySummary run(NightlyOptions options) {
    Instant started = Instant.now();
    NightlyConfig config = NightlyConfig.from(options);
    NightlyWindow window = config.window();
    ArrivalPartitions.Found input =
        ArrivalPartitions.resolve(
            config.logs(), window.firstArrival(), window.lastArrival(), config.allowMissingDays());
    OutputRoot root = OutputRoot.claim(config.output(), config.logs());
    String runId = runId(config.date(), started);
    Path staging = root.staging(runId);
    LOG.info(
        "nightly {}: reading {} arrival partitions {}..{}, publishing sessions {}..{} (run {})",
        config.date(), input.partitions().size(), window.firstArrival(), window.lastArrival(),
        window.firstSessionDay(), window.lastSessionDay(), runId);

    Map<String, Long> counts;
    try {
      Pipeline pipeline = Pipeline.create(options);
      buildPipeline(pipeline, config, input.partitions(), staging.toString());
      PipelineResult.State state = pipeline.run().waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new EncoreException(EncoreException.PIPELINE, "The pipeline ended in state " + state + ".");
      }
      counts = WriteRunStats.read(staging);
    } catch (RuntimeException | IOException e) {
      OutputRoot.deleteTree(staging);
      throw failure(e);
    }

    Map<String, Object> runInfo = runInfo(runId, config, options, input, counts, started);
    List<String> published = new ArrayList<>();
    try {
      Publisher publisher = new Publisher(root, runId);
      for (LocalDate day = window.firstSessionDay();
          !day.isAfter(window.lastSessionDay());
          day = day.plusDays(1)) {
        String dt = day.toString();
        publisher.publish(
            SESSIONS, dt, staged(staging, SESSIONS, dt), Session.class,
            partitionInfo(runInfo, SESSIONS, dt, counts));
        published.add(SESSIONS + "/dt=" + dt);
      }
      String runDt = config.date().toString();
      publisher.publish(
          REJECTED, runDt, staged(staging, REJECTED, runDt), RejectedRecord.class,
          partitionInfo(runInfo, REJECTED, runDt, counts));
      published.add(REJECTED + "/dt=" + runDt);
      OutputRoot.deleteTree(staging);
      OutputRoot.deleteTree(root.trash(runId));
    } catch (IOException e) {
      throw new EncoreException(
          EncoreException.PIPELINE,
          "Publishing failed after " + published + " were published: " + e
              + ". Re-run the same command; published partitions are complete and will be replaced.",
          e);
    }
    return new NightlySummary(
        config.date(), runId, input, counts, published, Duration.between(started, Instant.now()),
        options.getRunner().getSimpleName());
  }

  /** The nightly pipeline: ingest → sessionize → write staged Parquet and exact counts. */
  public static Pipeline buildPipeline(
      Pipeline pipeline, NightlyConfig config, List<InputPartition> partitions, String staging) {
    NightlyWindow window = config.window();
    PCollectionTuple ingested =
        pipeline.apply("IngestListeningLogs", new IngestListeningLogs(partitions, config.playRules()));
    PCollectionTuple sessions =
        ingested
            .get(IngestListeningLogs.PLAYS)
            .apply(
                "Sessionize",
                new Sessionize(config.sessionRules(), window.firstSessionDay(), window.lastSessionDay()));
    PCollection<KV<String, Long>> sessionRows =
        sessions
            .get(Sessionize.SESSIONS)
            .apply(
                "WriteSessions",
                new WritePartitionedParquet<>(
                    SESSIONS, Session.class, staging, Session::getUserId, SessionOrder::compare,
                    config.shardsPerPartition()));
    String runDt = config.date().toString();
    PCollection<KV<String, Long>> rejectedRows =
        ingested
            .get(IngestListeningLogs.REJECTED)
            // Older partitions' rejections were published by their own nightly runs.
            .apply("KeepRunDateRejections", Filter.by(kv -> runDt.equals(kv.getKey())))
            .apply(
                "WriteRejected",
                new WritePartitionedParquet<>(
                    REJECTED, RejectedRecord.class, staging, RejectedRecord::getSourceFile,
                    NightlyJob::compareRejected, 1));
    PCollectionList.of(ingested.get(IngestListeningLogs.STATS))
        .and(sessions.get(Sessionize.STATS))
        .and(sessionRows)
        .and(rejectedRows)
        .apply("FlattenCounts", Flatten.pCollections())
        .apply("WriteRunCounts", new WriteRunStats(staging));
    return pipeline;
  }

  private static int compareRejected(RejectedRecord a, RejectedRecord b) {
    int c = a.getSourceFile().compareTo(b.getSourceFile());
    return c != 0 ? c : Long.compare(a.getPosition(), b.getPosition());
  }

  private static Path staged(Path staging, String dataset, String dt) {
    return Path.of(WritePartitionedParquet.partitionDir(staging.toString(), dataset, dt));
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
    opts.put("allowedLatenessDays", config.playRules().allowedLatenessDays());
    opts.put("trackStreamMs", config.playRules().trackStreamMs());
    opts.put("episodeStreamMs", config.playRules().episodeStreamMs());
    opts.put("sessionGapMinutes", config.sessionRules().gapMs() / 60_000);
    opts.put("maxSessionHours", config.sessionRules().maxSessionMs() / 3_600_000);
    opts.put("shardsPerPartition", config.shardsPerPartition());
    info.put("options", opts);
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
    return info;
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
