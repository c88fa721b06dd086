package dev.encore.nightly;

import dev.encore.avro.Activity;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.Session;
import dev.encore.predictions.PredictionSchemas;
import dev.encore.publish.Dataset;
import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.transforms.Filter;

/**
 * The registry of Encore's published datasets: each is declared here once ({@link OutputDataset}), in the order
 * runs write, summaries list and the docs describe them. To add a dataset, add its schema under {@code schemas/},
 * an entry in {@link #standard} and the transform that produces its rows (README, "Adding a dataset").
 */
public final class Outputs implements Iterable<OutputDataset<?>> {
  /** Listening sessions, by the day they start. */
  public static final Dataset<Session> SESSIONS =
      Dataset.of("sessions", Session.class, "user_id", "session_start", "session_id");
  /** The compact daily history that rewards are computed from. */
  public static final Dataset<Activity> ACTIVITY =
      Dataset.of("activity", Activity.class, "user_id", "entity_level", "entity_id");
  /** Input records that were not accepted, with their reason. */
  public static final Dataset<RejectedRecord> REJECTED =
      Dataset.of("rejected", RejectedRecord.class, "source_file", "position");

  private final List<OutputDataset<?>> entries;

  private Outputs(List<OutputDataset<?>> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Retention per (user, anchor day); columns follow the definition's horizons. */
  public static Dataset<GenericRecord> userRewards(RewardSpec spec) {
    return Dataset.of("user_rewards", RewardSchemas.userRewards(spec), "user_id", "anchor_date");
  }

  /** Discovery labels per (user, entity); columns follow the definition. */
  public static Dataset<GenericRecord> userEntityRewards(RewardSpec spec) {
    return Dataset.of("user_entity_rewards", RewardSchemas.userEntityRewards(spec),
        "user_id", "entity_level", "entity_id", "discovery_date");
  }

  /** Discovery statistics per (entity, discovery day); columns follow the definition. */
  public static Dataset<GenericRecord> entityRewards(RewardSpec spec) {
    return Dataset.of("entity_rewards", RewardSchemas.entityRewards(spec),
        "entity_level", "entity_id", "discovery_date");
  }

  /** Name of the dataset {@link #rewardPriors}, which the run metadata and the report read back. */
  public static final String REWARD_PRIORS = "reward_priors";

  /** The prior of the stickiness predictions per entity level, as of the run's date. */
  public static Dataset<GenericRecord> rewardPriors(RewardSpec spec) {
    return Dataset.of(REWARD_PRIORS, PredictionSchemas.rewardPriors(spec.stickinessDays(), spec.maturityAge()),
        "entity_level");
  }

  /** The predicted stickiness per entity, as of the run's date. */
  public static Dataset<GenericRecord> entityPredictions(RewardSpec spec) {
    return Dataset.of("entity_predictions",
        PredictionSchemas.entityPredictions(spec.stickinessDays(), spec.maturityAge()), "entity_level", "entity_id");
  }

  /** Every dataset a nightly run publishes under the definition {@code spec}. */
  public static Outputs standard(RewardSpec spec) {
    List<OutputDataset<?>> all = new ArrayList<>(labels(spec));
    if (spec.predictions() != null) {
      // Insert before rejected, which stays last.
      all.add(all.size() - 1, OutputDataset.of(rewardPriors(spec))
          .describedAs("entity level", List.of("entity_level"), "the run's date `as_of`")
          .writtenOn(run -> run.plan().asOfDates())
          .rows(Stages::rewardPriors));
      all.add(all.size() - 1, OutputDataset.of(entityPredictions(spec))
          .describedAs("entity with recent discoveries", List.of("entity_level", "entity_id"),
              "the run's date `as_of`")
          .writtenOn(run -> run.plan().asOfDates())
          .rows(Stages::entityPredictions));
    }
    return new Outputs(all);
  }

  private static List<OutputDataset<?>> labels(RewardSpec spec) {
    return List.of(
        OutputDataset.of(SESSIONS)
            .describedAs("listening session", List.of("user_id", "session_id"), "the UTC day of `session_start`")
            .schemaFile("session.avsc")
            .writtenOn(run -> run.plan().sessionDays())
            .shards(NightlyConfig::shardsPerPartition)
            .rows(Stages::sessions),
        OutputDataset.of(ACTIVITY)
            .describedAs("user (and user and entity) with a qualifying play on a day",
                List.of("user_id", "entity_level", "entity_id", "activity_date"), "the activity day `activity_date`")
            .writtenOn(run -> run.plan().activityRebuilt())
            .shards(NightlyConfig::shardsPerPartition)
            .rows(Stages::activity),
        OutputDataset.of(userRewards(spec))
            .describedAs("user active on an anchor day", List.of("user_id", "anchor_date"),
                "the anchor day `anchor_date`")
            .writtenOn(run -> run.plan().rewardAnchors())
            .onFinalDaysOnly()
            .rows(Stages::userRewards),
        OutputDataset.of(userEntityRewards(spec))
            .describedAs("discovery of an entity by a user",
                List.of("user_id", "entity_level", "entity_id", "discovery_date"), "the discovery day `discovery_date`")
            .writtenOn(run -> run.plan().rewardAnchors())
            .onFinalDaysOnly()
            .rows(Stages::userEntityRewards),
        OutputDataset.of(entityRewards(spec))
            .describedAs("entity and discovery day", List.of("entity_level", "entity_id", "discovery_date"),
                "the discovery day `discovery_date`")
            .writtenOn(run -> run.plan().rewardAnchors())
            .onFinalDaysOnly()
            .rows(Stages::entityRewards),
        OutputDataset.of(REJECTED)
            .describedAs("rejected input record", REJECTED.key(),
                "the arrival day of the input file that held the record")
            .schemaFile("rejected_record.avsc")
            .writtenOn(NightlyRun::rejectedDays)
            .rows(stages -> {
              Set<String> dts = new TreeSet<>();
              stages.run().rejectedDays().forEach(d -> dts.add(d.toString()));
              // Rejections already published by an earlier run are not written again.
              return stages.rejected().apply("KeepUnpublishedRejections", Filter.by(kv -> dts.contains(kv.getKey())));
            }));
  }

  /** This registry and one more dataset, written and published like the others. */
  public Outputs with(OutputDataset<?> extra) {
    if (names().contains(extra.name())) {
      throw new IllegalArgumentException("dataset " + extra.name() + " is already declared");
    }
    List<OutputDataset<?>> all = new ArrayList<>(entries);
    all.add(extra);
    return new Outputs(all);
  }

  /** The datasets' names, in registry order. */
  public List<String> names() {
    return entries.stream().map(OutputDataset::name).toList();
  }

  /** The entry of a dataset; throws when none is declared. */
  public OutputDataset<?> get(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no dataset " + name + " is declared in Outputs"));
  }

  /** The partitions {@code run} writes, dataset by dataset, as {@code dataset/dt=YYYY-MM-DD}. */
  public List<String> partitions(NightlyRun run) {
    List<String> all = new ArrayList<>();
    for (OutputDataset<?> o : entries) {
      for (LocalDate d : o.days().apply(run)) {
        all.add(o.name() + "/dt=" + d);
      }
    }
    return all;
  }

  @Override
  public Iterator<OutputDataset<?>> iterator() {
    return entries.iterator();
  }
}
