package dev.encore.nightly;

import dev.encore.EncoreException;
import dev.encore.config.FaultPoint;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.progress.RunProgress;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.PartitionLayout;
import dev.encore.publish.WriteRunStats;
import dev.encore.rewards.RewardSpec;
import dev.encore.store.StoreFiles;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code encore nightly --date=T}: plans the run ({@link NightlyPlanner}: what T reads and makes due), runs the
 * pipeline ({@link NightlyPipeline}) into staging, and publishes every registered dataset's partitions
 * ({@link NightlyPublisher}), each atomically with its run metadata and {@code _SUCCESS}.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);

  private NightlyJob() {}

  /** Runs the nightly job to completion and publishes its outputs; throws {@link EncoreException} on failure. */
  public static NightlySummary run(NightlyOptions options) {
    return run(options, Outputs::standard);
  }

  /**
   * As {@link #run(NightlyOptions)}, publishing the datasets of {@code registry} (given the definition's reward
   * spec) instead of the standard ones.
   */
  public static NightlySummary run(NightlyOptions options, Function<RewardSpec, Outputs> registry) {
    return run(options, registry, null);
  }

  /**
   * One-pass backfill: computes in one pipeline what running {@link #run} for each date {@code from} .. the options'
   * date in order leaves published ({@link NightlyPlan#range}), and records each date as run.
   */
  public static NightlySummary backfill(NightlyOptions options, LocalDate from) {
    return run(options, Outputs::standard, from);
  }

  private static NightlySummary run(NightlyOptions options, Function<RewardSpec, Outputs> registry, LocalDate from) {
    Instant started = Instant.now();
    NightlyConfig config = NightlyConfig.from(options);
    OutputRoot.checkNoOverlap(config.output(), config.logs());
    NightlyPlanner planner = new NightlyPlanner(config, PartitionLayout.of(config.output(), options));
    NightlyPlan plan = from == null ? planner.plan() : planner.planRange(from);
    ArrivalPartitions.Found input = planner.input(plan);
    try (OutputRoot root = OutputRoot.claim(config.output(), config.logs(), options)) {
      NightlyRun run = planner.prepare(plan, input, root, registry.apply(config.rewardSpec()), started,
          options.getRunner().getSimpleName());
      String what = run.isBackfill() ? "backfill " + plan.firstDate() + ".." + config.date() : "nightly " + config.date();
      LOG.info("{}: reading arrivals {}..{}; sessions {}, activity rebuilt {} / reused {}, rewards {} (run {})",
          what, plan.firstArrival(), plan.lastArrival(), span(plan.sessionDays()),
          span(plan.activityRebuilt()), plan.activityReused().size(),
          run.isBackfill() ? plan.rewardAnchors().size() + " anchor days" : plan.rewardAnchors(), run.runId());
      long files = input.partitions().stream().mapToLong(p -> p.files().size()).sum();
      try (RunProgress progress = RunProgress.start(what, files, System.err, Duration.ofSeconds(30))) {
        progress.stage("computing");
        Map<String, Long> counts = execute(options, run);
        progress.stage("publishing");
        return NightlyPublisher.publish(run, counts);
      }
    }
  }

  /**
   * Whether the run for this date already completed with the same Encore version, definitions and input
   * partitions: backfill skips such dates.
   */
  public static boolean alreadyPublished(NightlyOptions options) {
    NightlyConfig config = NightlyConfig.from(options);
    return new NightlyPlanner(config, PartitionLayout.of(config.output(), options)).alreadyPublished();
  }

  /** Builds and runs the pipeline into the run's staging folder; returns the run's exact counts. */
  private static Map<String, Long> execute(NightlyOptions options, NightlyRun run) {
    try {
      Pipeline pipeline = NightlyPipeline.build(Pipeline.create(options), run);
      PipelineResult.State state = pipeline.run().waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new EncoreException(EncoreException.PIPELINE, "The pipeline ended in state " + state + ".");
      }
      Map<String, Long> counts = WriteRunStats.read(run.staging());
      run.config().failAt().failIf(FaultPoint.PUBLISHING);
      return counts;
    } catch (RuntimeException | IOException e) {
      try {
        StoreFiles.deleteTree(run.staging());
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup); // the next run on this root clears it
      }
      throw failure(e);
    }
  }

  private static String span(List<LocalDate> days) {
    return days.isEmpty() ? "none" : days.get(0) + ".." + days.get(days.size() - 1);
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
}
