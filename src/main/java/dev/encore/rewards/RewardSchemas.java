package dev.encore.rewards;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaBuilder.FieldAssembler;

/**
 * The reward datasets' schemas, built from the reward definitions: a new horizon or entity level in
 * {@code pipelines/*.yaml} becomes a column without a code change. With the default definitions they are exactly
 * {@code schemas/user_rewards.avsc}, {@code user_entity_rewards.avsc} and {@code entity_rewards.avsc} (a test
 * keeps those files in step); every field carries its definition as its doc.
 */
public final class RewardSchemas {
  private static final String NAMESPACE = "dev.encore.avro";
  private static final String MATURITY =
      " as_of, days_observed and the mature_N flags say how much of each window was observed (docs/rewards.md).";

  private RewardSchemas() {}

  /** Dataset user_rewards. */
  public static Schema userRewards(RewardSpec spec) {
    FieldAssembler<Schema> f = SchemaBuilder.record("UserReward").namespace(NAMESPACE)
        .doc("Dataset user_rewards: one row per (user, anchor day D) for users active on D (a day with at least one"
            + " qualifying play). Partitioned by dt = anchor_date; rewritten at the publication ages (checkpoints"
            + " and maturity) only." + MATURITY)
        .fields();
    f.name("user_id").doc("Listener. Key column, first sort key.").type().stringType().noDefault();
    f.name("anchor_date").doc("Anchor day D (UTC). Key column, second sort key.").type(date()).noDefault();
    // The order published before the families were declared: active_days_N, return_d1 and days_to_return, then
    // the other families.
    horizonColumns(f, UserRewardColumns.ACTIVE_DAYS, spec);
    f.name("return_d1").doc("Whether the user is active on D+1; null when D+1 is after as_of.")
        .type().optional().booleanType();
    f.name("days_to_return")
        .doc("Days from D to the user's next active day (1 = the next day), looking up to as_of; null when none"
            + " is observed yet.")
        .type().optional().intType();
    for (UserRewardColumns family : UserRewardColumns.values()) {
      if (family != UserRewardColumns.ACTIVE_DAYS) {
        horizonColumns(f, family, spec);
      }
    }
    asOf(f);
    f.name("days_observed")
        .doc("How many days of the longest window (D, D+" + spec.longestUserHorizon() + "] are observed (up to"
            + " as_of): min(" + spec.longestUserHorizon() + ", as_of - D).")
        .type().intType().noDefault();
    for (int n : spec.userMaturityHorizons()) {
      mature(f, n, n == 1 ? "return_d1" : labelsOf(n, spec));
    }
    return f.endRecord();
  }

  /** Dataset user_entity_rewards. */
  public static Schema userEntityRewards(RewardSpec spec) {
    int s = spec.stickinessDays();
    int w = spec.traceLength();
    FieldAssembler<Schema> f = SchemaBuilder.record("UserEntityReward").namespace(NAMESPACE)
        .doc("Dataset user_entity_rewards: one row per discovery, a user's first qualifying play of an entity on"
            + " day D with no qualifying play of it in the " + spec.lookbackDays() + " days before D (discovery"
            + " labels after Spotify's Impatient Bandits, KDD 2023). Partitioned by dt = discovery_date." + MATURITY)
        .fields();
    f.name("user_id").doc("Listener. Key column, first sort key.").type().stringType().noDefault();
    f.name("entity_level").doc("artist, show, track or album. Key column, second sort key.")
        .type().stringType().noDefault();
    f.name("entity_id").doc("The artist_id, show_id, item_id (track) or album_id. Key column, third sort key.")
        .type().stringType().noDefault();
    f.name("discovery_date").doc("Discovery day D (UTC). Key column, fourth sort key.").type(date()).noDefault();
    f.name("trace")
        .doc("List of " + w + " booleans: element k-1 (k = 1.." + w + ") is whether the user is active with the"
            + " entity (a qualifying play of it) on D+k; null for days after as_of.")
        .type().array().items().nullable().booleanType().noDefault();
    f.name("stickiness_" + s)
        .doc("1 + the number of true entries of trace (1.." + s + "), once mature_" + s + "; null before.")
        .type().optional().intType();
    for (int n : spec.discoveryHorizons()) {
      f.name("active_days_" + n)
          .doc("Number of days in (D, D+" + n + "] with a qualifying play of the entity, up to as_of.")
          .type().intType().noDefault();
    }
    f.name("discovery_context_type")
        .doc("context_type of the discovering play (the first qualifying play of the entity on D): was it organic"
            + " or recommended?")
        .type().optional().stringType();
    f.name("discovery_reason_start").doc("reason_start of the discovering play.").type().optional().stringType();
    f.name("lookback_complete")
        .doc("Whether every one of the " + spec.lookbackDays() + " lookback days was observed (D - "
            + spec.lookbackDays() + " is on or after the first input day). When false the discovery may not be"
            + " new.")
        .type().booleanType().noDefault();
    asOf(f);
    f.name("days_observed").doc("How many days of (D, D+" + w + "] are observed: min(" + w + ", as_of - D).")
        .type().intType().noDefault();
    for (int n : spec.discoveryHorizons()) {
      mature(f, n, "active_days_" + n);
    }
    f.name("mature_" + s)
        .doc("Whether the " + s + "-day window D..D+" + w + " is complete: D + " + w + " + allowedLatenessDays <="
            + " as_of. trace and stickiness_" + s + " are final.")
        .type().booleanType().noDefault();
    return f.endRecord();
  }

  /** Dataset entity_rewards. */
  public static Schema entityRewards(RewardSpec spec) {
    int s = spec.stickinessDays();
    int w = spec.traceLength();
    FieldAssembler<Schema> f = SchemaBuilder.record("EntityReward").namespace(NAMESPACE)
        .doc("Dataset entity_rewards: one row per (entity level, entity, discovery day D), over that day's"
            + " discoveries whose lookback is complete: the sufficient statistics a progressive estimator needs."
            + " Partitioned by dt = discovery_date." + MATURITY)
        .fields();
    f.name("entity_level").doc("artist, show, track or album. Key column, first sort key.")
        .type().stringType().noDefault();
    f.name("entity_id").doc("The entity. Key column, second sort key.").type().stringType().noDefault();
    f.name("discovery_date").doc("Discovery day D (UTC). Key column, third sort key.").type(date()).noDefault();
    f.name("discoverers").doc("Number of users who discovered the entity on D (lookback complete).")
        .type().longType().noDefault();
    f.name("mean_stickiness_" + s)
        .doc("Mean stickiness_" + s + " of those discoveries, once mature_" + s + "; null before.")
        .type().optional().doubleType();
    f.name("active_by_offset")
        .doc("List of " + w + " counts: element k-1 (k = 1.." + w + ") is how many of the discoverers are active"
            + " with the entity on D+k; null for days after as_of.")
        .type().array().items().nullable().longType().noDefault();
    asOf(f);
    f.name("days_observed").doc("How many days of (D, D+" + w + "] are observed: min(" + w + ", as_of - D).")
        .type().intType().noDefault();
    f.name("mature_" + s)
        .doc("Whether the window D..D+" + w + " is complete: D + " + w + " + allowedLatenessDays <= as_of.")
        .type().booleanType().noDefault();
    return f.endRecord();
  }

  /** A family's columns: for each horizon, one column per {@link UserRewardColumns.Column}. */
  private static void horizonColumns(FieldAssembler<Schema> f, UserRewardColumns family, RewardSpec spec) {
    for (int n : spec.horizons(family)) {
      for (UserRewardColumns.Column column : family.columns()) {
        Schema type = Schema.create(column.type());
        if (column.nullable()) {
          f.name(column.name(n)).doc(column.doc().apply(n)).type().optional().type(type);
        } else {
          f.name(column.name(n)).doc(column.doc().apply(n)).type(type).noDefault();
        }
      }
    }
  }

  /** The user_rewards columns of horizon n, e.g. "active_days_28, streams_28, ms_played_28". */
  private static String labelsOf(int n, RewardSpec spec) {
    List<String> names = new ArrayList<>();
    for (UserRewardColumns family : UserRewardColumns.values()) {
      if (spec.horizons(family).contains(n)) {
        family.columns().forEach(column -> names.add(column.name(n)));
      }
    }
    return String.join(", ", names);
  }

  private static void asOf(FieldAssembler<Schema> f) {
    f.name("as_of").doc("The newest arrival day the run read (the run's date): labels are as observed then.")
        .type(date()).noDefault();
  }

  private static void mature(FieldAssembler<Schema> f, int n, String labels) {
    f.name("mature_" + n)
        .doc("Whether the " + n + "-day window (D, D+" + n + "] is complete: D + " + n
            + " + allowedLatenessDays <= as_of, so " + labels + " will not change.")
        .type().booleanType().noDefault();
  }

  private static Schema date() {
    return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
  }

  /** All three, for listing. */
  public static List<Schema> all(RewardSpec spec) {
    return List.of(userRewards(spec), userEntityRewards(spec), entityRewards(spec));
  }
}
