package dev.encore.nightly;

import dev.encore.avro.Activity;
import dev.encore.ingest.IngestListeningLogs;
import dev.encore.predictions.PredictStickiness;
import dev.encore.publish.RunStats;
import dev.encore.publish.WritePartitionedParquet;
import dev.encore.publish.WriteRunStats;
import dev.encore.rewards.AsOf;
import dev.encore.rewards.ComputeRewards;
import dev.encore.rewards.Finality;
import dev.encore.rewards.ReadActivity;
import dev.encore.rewards.RewardSpec;
import dev.encore.sessions.Sessionize;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The nightly pipeline: ingest → per user (deduplicate, sessions, daily activity) → rewards from the activity
 * (rebuilt days plus days read back) → stickiness predictions from the discoveries' traces → every registered
 * dataset's rows staged as Parquet, and the run's exact counts.
 */
public final class NightlyPipeline {
  private NightlyPipeline() {}

  /** Adds the run's graph to {@code pipeline}; it writes only into the run's staging folder. */
  public static Pipeline build(Pipeline pipeline, NightlyRun run) {
    NightlyConfig config = run.config();
    NightlyPlan plan = run.plan();
    RewardSpec spec = config.rewardSpec();
    PCollectionTuple ingested = pipeline.apply(
        "IngestListeningLogs", new IngestListeningLogs(
            run.input().partitions(), config.definition().playRules(), config.failAt(), config.skipCorruptFiles(),
            userGroups(pipeline)));
    PCollectionTuple perUser = ingested
        .get(IngestListeningLogs.PLAYS)
        .apply("Sessionize", new Sessionize(
            config.definition().sessionRules(), plan.firstSessionDay(), plan.date().minusDays(1),
            new HashSet<>(plan.activityRebuilt()), spec.levels(), config.maxPlaysPerUserDay(),
            userGroups(pipeline)));

    PCollection<Activity> history = PCollectionList
        .of(perUser.get(Sessionize.ACTIVITY).apply("RebuiltActivity", Values.create()))
        .and(pipeline.apply("ReadActivityHistory", new ReadActivity(run.reusedActivityFiles())))
        .apply("AllActivity", Flatten.pCollections());
    // One as-of date for a nightly run; one per date of a one-pass backfill, each labelling what it publishes last.
    List<AsOf> asOfs = new ArrayList<>();
    for (NightlyPlan.AsOf a : plan.asOfs()) {
      long t = a.date().toEpochDay();
      List<Long> anchors = a.rewardAnchors().stream().map(LocalDate::toEpochDay).toList();
      Finality finality = run.calendar().finality(a.date(), spec.lateness());
      asOfs.add(spec.predictions() == null ? new AsOf(finality, anchors)
          : new AsOf(finality, anchors, PredictStickiness.fitFrom(t, spec.maturityAge(), spec.predictions()), t));
    }
    PCollectionTuple rewards = history.apply("ComputeRewards",
        new ComputeRewards(spec, asOfs).withIncompleteArrivals(incompleteArrivals(ingested, run)));
    PCollectionTuple predictions = spec.predictions() == null ? null : rewards.apply(
        "PredictStickiness", new PredictStickiness(spec, spec.predictions(), spec.maturityAge(),
            plan.asOfDates().stream().map(LocalDate::toEpochDay).toList(), userGroups(pipeline)));

    Stages stages = new Stages(run, ingested, perUser, rewards, predictions);
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    counts.add(ingested.get(IngestListeningLogs.STATS));
    counts.add(perUser.get(Sessionize.STATS));
    for (OutputDataset<?> output : run.outputs()) {
      counts.add(write(output, stages, run));
    }
    PCollectionList.of(counts)
        .apply("FlattenCounts", Flatten.pCollections())
        .apply("WriteRunCounts", new WriteRunStats(run.staging()));
    return pipeline;
  }

  /**
   * The arrival days this run is the first to look at in which a file was skipped as corrupt: their plays are not
   * all read, so the days they can hold are not final. Known only once read, hence a side input.
   */
  private static PCollectionView<List<Long>> incompleteArrivals(PCollectionTuple ingested, NightlyRun run) {
    Set<Long> observed = new HashSet<>(run.calendar().observedEpochDays());
    String suffix = "/" + RunStats.CORRUPT_FILES;
    return ingested.get(IngestListeningLogs.STATS)
        .apply("ArrivalDaysWithSkippedFiles", Filter.by(kv -> kv.getKey().startsWith("input/")
            && kv.getKey().endsWith(suffix)))
        .apply("ArrivalDay", MapElements.into(TypeDescriptors.longs()).via(kv ->
            LocalDate.parse(kv.getKey().substring("input/".length(), kv.getKey().length() - suffix.length()))
                .toEpochDay()))
        .apply("FirstObservedNow", Filter.by(observed::contains))
        .apply("IncompleteArrivals", View.asList());
  }

  /** Stages one dataset's rows in a step named after it (WriteSessions, WriteUserRewards, ...). */
  private static <T extends org.apache.avro.generic.GenericRecord> PCollection<KV<String, Long>> write(
      OutputDataset<T> output, Stages stages, NightlyRun run) {
    return output.rows().apply(stages).apply("Write" + stepName(output.name()), new WritePartitionedParquet<>(
        output.dataset(), run.staging(), output.shards().applyAsInt(run.config()), run.config().failAt()));
  }

  /** user_entity_rewards → UserEntityRewards. */
  static String stepName(String dataset) {
    StringBuilder s = new StringBuilder();
    for (String part : dataset.split("_")) {
      s.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return s.toString();
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
}
