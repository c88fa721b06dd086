package dev.encore.rewards;

import dev.encore.predictions.PredictionSchemas;
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
  private static final String FINALITY =
      " Every value is true as published: final (never changes) or progressive over the final days only (days_final),"
          + " or null; the rows of a partition never change (docs/rewards.md).";

  private RewardSchemas() {}

  /** The bounded days-to-return column: days_to_return_W, W the longest user horizon. */
  public static String daysToReturnColumn(RewardSpec spec) {
    return "days_to_return_" + spec.longestUserHorizon();
  }

  /** Dataset user_rewards. */
  public static Schema userRewards(RewardSpec spec) {
    int w = spec.longestUserHorizon();
    FieldAssembler<Schema> f = SchemaBuilder.record("UserReward").namespace(NAMESPACE)
        .doc("Dataset user_rewards: one row per (user, anchor day D) for users active on a final day D (a day with"
            + " at least one qualifying play). Partitioned by dt = anchor_date; rewritten at the publication ages"
            + " only." + FINALITY)
        .fields();
    f.name("user_id").doc("Listener. Key column, first sort key.").type().stringType().noDefault();
    f.name("anchor_date").doc("Anchor day D (UTC). Key column, second sort key.").type(date()).noDefault();
    for (UserRewardColumns family : UserRewardColumns.values()) {
      horizonColumns(f, family, spec);
    }
    f.name("return_d1").doc("Whether the user is active on D+1; null until D+1 is final (mature_1).")
        .type().optional().booleanType();
    f.name(daysToReturnColumn(spec))
        .doc("Days from D to the user's first active day in (D, D+" + w + "] (1 = the next day), among its final"
            + " days; null when there is none. Final when not null; a null is final with mature_" + w + ".")
        .type().optional().intType();
    f.name("user_first_active_date")
        .doc("The day f (D-" + spec.lookbackDays() + " <= f <= D) the user's listening began: active on f, and on"
            + " none of the " + spec.lookbackDays() + " days before f, all of them final; null when there is no"
            + " such day.")
        .type().optional().type(date());
    asOf(f);
    daysFinal(f, w);
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
        .doc("Dataset user_entity_rewards: one row per discovery, a user's first qualifying play of an entity on a"
            + " final day D with no qualifying play of it in the " + spec.lookbackDays() + " days before D (discovery"
            + " labels after Spotify's Impatient Bandits, KDD 2023). Partitioned by dt = discovery_date." + FINALITY)
        .fields();
    f.name("user_id").doc("Listener. Key column, first sort key.").type().stringType().noDefault();
    f.name("entity_level").doc("artist, show, track or album. Key column, second sort key.")
        .type().stringType().noDefault();
    f.name("entity_id").doc("The artist_id, show_id, item_id (track) or album_id. Key column, third sort key.")
        .type().stringType().noDefault();
    f.name("discovery_date").doc("Discovery day D (UTC). Key column, fourth sort key.").type(date()).noDefault();
    f.name("trace")
        .doc("List of " + w + " booleans: element k-1 (k = 1.." + w + ") is whether the user is active with the"
            + " entity (a qualifying play of it) on D+k; null unless D+k is final (k <= days_final).")
        .type().array().items().nullable().booleanType().noDefault();
    f.name("stickiness_" + s)
        .doc("1 + the number of true entries of trace (1.." + s + "), once trace_mature; null before.")
        .type().optional().intType();
    for (int n : spec.discoveryHorizons()) {
      f.name("active_days_" + n)
          .doc("Number of final days in (D, D+" + n + "] with a qualifying play of the entity; final when mature_"
              + n + ".")
          .type().intType().noDefault();
    }
    f.name("discovery_kind")
        .doc("new_to_entity: the user was active in the " + spec.lookbackDays() + " (final) days before D;"
            + " new_user: the user was active on none of them (their first day); null when the lookback is not"
            + " complete.")
        .type().optional().stringType();
    f.name("discovery_ts")
        .doc("Start of the discovering play (the first qualifying play of the entity on D, plays ordered by"
            + " start, end, event_id): ts - ms_played, UTC epoch milliseconds.")
        .type().longType().noDefault();
    f.name("discovery_item_id").doc("item_id of the discovering play.").type().stringType().noDefault();
    f.name("discovery_platform").doc("platform of the discovering play.").type().optional().stringType();
    f.name("discovery_context_type")
        .doc("context_type of the discovering play: was it organic or recommended?")
        .type().optional().stringType();
    f.name("discovery_reason_start").doc("reason_start of the discovering play.").type().optional().stringType();
    f.name("lookback_complete")
        .doc("Whether every one of the " + spec.lookbackDays() + " lookback days D-" + spec.lookbackDays()
            + " .. D-1 is final. When false the discovery may not be new.")
        .type().booleanType().noDefault();
    asOf(f);
    daysFinal(f, w);
    for (int n : spec.discoveryHorizons()) {
      mature(f, n, "active_days_" + n);
    }
    traceMature(f, s, w, "trace and stickiness_" + s + " are final");
    f.name(PredictionSchemas.predictionColumn(s))
        .doc("Predicted stickiness_" + s + " of this discovery from its final trace days and its entity's"
            + " posterior (docs/rewards.md, Predictions): a prediction, not a label, it changes with every"
            + " publication. Null when trace_mature (stickiness_" + s + " is known), for discoveries other than"
            + " lookback-complete new_to_entity ones, and without predictions or a prior for the level.")
        .type().optional().doubleType();
    f.name(PredictionSchemas.sdColumn(s))
        .doc("Its standard deviation: the uncertainty about this discovery's stickiness_" + s + "; null with it.")
        .type().optional().doubleType();
    return f.endRecord();
  }

  /** Dataset entity_rewards. */
  public static Schema entityRewards(RewardSpec spec) {
    int s = spec.stickinessDays();
    int w = spec.traceLength();
    FieldAssembler<Schema> f = SchemaBuilder.record("EntityReward").namespace(NAMESPACE)
        .doc("Dataset entity_rewards: one row per (entity level, entity, final discovery day D) with a discovery"
            + " whose lookback is complete: the sufficient statistics of its new_to_entity discoveries, which a"
            + " progressive estimator needs. Partitioned by dt = discovery_date." + FINALITY)
        .fields();
    f.name("entity_level").doc("artist, show, track or album. Key column, first sort key.")
        .type().stringType().noDefault();
    f.name("entity_id").doc("The entity. Key column, second sort key.").type().stringType().noDefault();
    f.name("discovery_date").doc("Discovery day D (UTC). Key column, third sort key.").type(date()).noDefault();
    f.name("discoverers").doc("Number of users who discovered the entity on D with discovery_kind new_to_entity.")
        .type().longType().noDefault();
    f.name("new_user_discoverers")
        .doc("Number of new_user discoveries of the entity on D (users on their first day), not aggregated.")
        .type().longType().noDefault();
    f.name("mean_stickiness_" + s)
        .doc("Mean stickiness_" + s + " of the new_to_entity discoveries, once trace_mature; null before, and"
            + " when there is none.")
        .type().optional().doubleType();
    f.name("active_by_offset")
        .doc("List of " + w + " counts: element k-1 (k = 1.." + w + ") is how many of the new_to_entity"
            + " discoverers are active with the entity on D+k; null unless D+k is final (k <= days_final).")
        .type().array().items().nullable().longType().noDefault();
    asOf(f);
    daysFinal(f, w);
    traceMature(f, s, w, "active_by_offset and mean_stickiness_" + s + " are final");
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
    f.name("as_of").doc("The newest arrival day the run read (the run's date): labels are as published then.")
        .type(date()).noDefault();
  }

  private static void mature(FieldAssembler<Schema> f, int n, String labels) {
    f.name("mature_" + n)
        .doc("Whether every day of the " + n + "-day window (D, D+" + n + "] is final (days_final >= " + n + "), so "
            + labels + " will not change.")
        .type().booleanType().noDefault();
  }

  private static void daysFinal(FieldAssembler<Schema> f, int w) {
    f.name("days_final")
        .doc("The largest k <= " + w + " such that D+1 .. D+k are all final (docs/rewards.md): progressive values"
            + " count these days only.")
        .type().intType().noDefault();
  }

  private static void traceMature(FieldAssembler<Schema> f, int s, int w, String what) {
    f.name("trace_mature")
        .doc("Whether the whole " + s + "-day window D..D+" + w + " is final (days_final = " + w + "), so " + what
            + ".")
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
