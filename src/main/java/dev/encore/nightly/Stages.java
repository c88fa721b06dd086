package dev.encore.nightly;

import dev.encore.avro.Activity;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.Session;
import dev.encore.ingest.IngestListeningLogs;
import dev.encore.predictions.PredictStickiness;
import dev.encore.rewards.ComputeRewards;
import dev.encore.sessions.Sessionize;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * What the nightly graph's stages produce, for the registry's datasets to take their rows from: each collection
 * is keyed by the {@code dt} partition of its rows.
 *
 * @param run the run being built
 * @param ingested the output of {@link IngestListeningLogs}
 * @param perUser the output of {@link Sessionize}
 * @param rewards the output of {@link ComputeRewards}
 * @param predictions the output of {@link PredictStickiness}; null when the definition has no predictions
 */
public record Stages(
    NightlyRun run, PCollectionTuple ingested, PCollectionTuple perUser, PCollectionTuple rewards,
    PCollectionTuple predictions) {

  /** Sessions of the session days, by start day. */
  public PCollection<KV<String, Session>> sessions() {
    return perUser.get(Sessionize.SESSIONS);
  }

  /** Activity of the days rebuilt from the logs, by activity day. */
  public PCollection<KV<String, Activity>> activity() {
    return perUser.get(Sessionize.ACTIVITY);
  }

  /** Every rejected record read, by arrival day. */
  public PCollection<KV<String, RejectedRecord>> rejected() {
    return ingested.get(IngestListeningLogs.REJECTED);
  }

  /** User reward rows of the anchors published, by anchor day. */
  public PCollection<KV<String, GenericRecord>> userRewards() {
    return rewards.get(ComputeRewards.USER_REWARDS);
  }

  /** Discovery rows of the anchors published, with their predictions when there are any, by discovery day. */
  public PCollection<KV<String, GenericRecord>> userEntityRewards() {
    return predictions == null
        ? rewards.get(ComputeRewards.USER_ENTITY_REWARDS)
        : predictions.get(PredictStickiness.USER_ENTITY_REWARDS);
  }

  /** The priors per entity level, by the run's date. */
  public PCollection<KV<String, GenericRecord>> rewardPriors() {
    return predictions.get(PredictStickiness.REWARD_PRIORS);
  }

  /** The entity predictions, by the run's date. */
  public PCollection<KV<String, GenericRecord>> entityPredictions() {
    return predictions.get(PredictStickiness.ENTITY_PREDICTIONS);
  }

  /** Entity rows of the anchors published, by discovery day. */
  public PCollection<KV<String, GenericRecord>> entityRewards() {
    return rewards.get(ComputeRewards.ENTITY_REWARDS);
  }
}
