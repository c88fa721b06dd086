package dev.encore.predictions;

import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaBuilder.FieldAssembler;

/**
 * The prediction datasets' schemas, built from the definition like the reward schemas (the column names follow
 * stickiness_days): with the default definition they are exactly {@code schemas/reward_priors.avsc} and {@code
 * schemas/entity_predictions.avsc} (a test keeps those files in step).
 */
public final class PredictionSchemas {
  private static final String NAMESPACE = "dev.encore.avro";

  private PredictionSchemas() {}

  /** user_entity_rewards' and entity_predictions' predicted stickiness column, stickiness_S_pred. */
  public static String predictionColumn(int stickinessDays) {
    return "stickiness_" + stickinessDays + "_pred";
  }

  /** Its standard deviation's column, stickiness_S_pred_sd. */
  public static String sdColumn(int stickinessDays) {
    return predictionColumn(stickinessDays) + "_sd";
  }

  /** Dataset reward_priors. */
  public static Schema rewardPriors(int stickinessDays, int maturityAge) {
    int s = stickinessDays;
    int w = s - 1;
    FieldAssembler<Schema> f = SchemaBuilder.record("RewardPrior").namespace(NAMESPACE)
        .doc("Dataset reward_priors: one row per entity level as of the run's date T, the Gaussian prior of the"
            + " stickiness predictions (docs/rewards.md, Predictions): an entity's mean trace theta ~ N(prior_mean,"
            + " prior_cov), a discovery's trace ~ N(theta, noise_cov), fitted by moments on the mature traces of the"
            + " fit window, with the nightly backtest. Partitioned by dt = as_of.")
        .fields();
    f.name("entity_level").doc("artist, show, track or album. Key column, first sort key.")
        .type().stringType().noDefault();
    f.name("as_of").doc("The run's date T: the prior is fitted on what a run of T can see.").type(date()).noDefault();
    f.name("fit_from")
        .doc("First discovery day of the fit window: T - M - fit_days + 1 (M the maturity age, " + maturityAge + ").")
        .type(date()).noDefault();
    f.name("fit_to").doc("Last discovery day of the fit window: T - M.").type(date()).noDefault();
    f.name("entities")
        .doc("Entities fitted on: those with at least min_discoverers mature, lookback-complete new_to_entity"
            + " discoveries in the fit window.")
        .type().intType().noDefault();
    f.name("traces").doc("Their mature traces.").type().intType().noDefault();
    f.name("prior_mean")
        .doc("mu: " + w + " doubles, element j-1 the mean over entities of their mean activity on D+j. Null when the"
            + " level has no prior (no_prior_reason).")
        .type().optional().array().items().doubleType();
    f.name("prior_cov")
        .doc("Sigma: " + w + " lists of " + w + " doubles (row i-1, column j-1: days D+i and D+j), the sample"
            + " covariance (n - 1) across entities of their mean traces. Null without a prior.")
        .type().optional().array().items().array().items().doubleType();
    f.name("noise_cov")
        .doc("V: " + w + " lists of " + w + " doubles, the mean over entities of the within-entity sample covariance"
            + " (n - 1) of their discoveries' traces, plus the definition's predictions.ridge x its mean diagonal entry on the diagonal."
            + " Null without a prior.")
        .type().optional().array().items().array().items().doubleType();
    f.name("prior_stickiness_" + s)
        .doc("1 + the sum of prior_mean: the predicted mean stickiness_" + s + " of an entity nothing is known of."
            + " Null without a prior.")
        .type().optional().doubleType();
    f.name("no_prior_reason")
        .doc("Why the level has no prior (too few entities qualify, or noise_cov is not positive definite); null"
            + " when it has one.")
        .type().optional().stringType();
    f.name("backtest")
        .doc("One element per days_observed, ascending; empty without a prior or without held-out entities.")
        .type().array().items(backtest(s, w)).noDefault();
    return f.endRecord();
  }

  private static Schema backtest(int s, int w) {
    FieldAssembler<Schema> f = SchemaBuilder.record("PriorBacktest").namespace(NAMESPACE)
        .doc("The backtest at one number of days observed: held-out entities of the fit set (5 folds by a hash of"
            + " entity_id), predicted by the prior of the other folds from their mature traces truncated to"
            + " days_observed days, against the realised mean stickiness_" + s + " of their discoverers.")
        .fields();
    f.name("days_observed").doc("k: the final days of each trace used (0, 1, 3, 7, 14, 28).")
        .type().intType().noDefault();
    f.name("entities").doc("Held-out entities predicted.").type().intType().noDefault();
    f.name("mae").doc("Mean absolute error of the predicted mean stickiness_" + s + ".").type().doubleType()
        .noDefault();
    f.name("mae_prior_mean").doc("The same for the baseline that predicts the prior mean (1 + sum of mu).")
        .type().doubleType().noDefault();
    f.name("mae_scaled_count")
        .doc("The same for the baseline that scales the partial count to the whole window: 1 + (" + w + " / k) x"
            + " active days in the first k; null for k = 0.")
        .type().optional().doubleType();
    f.name("coverage_90")
        .doc("Share of entities whose realised mean lies in the 90 % predictive interval: the prediction +- 1.645"
            + " sd, the variance being the posterior's plus the realised mean's sampling noise (1'V1 / n).")
        .type().doubleType().noDefault();
    return f.endRecord();
  }

  /** Dataset entity_predictions. */
  public static Schema entityPredictions(int stickinessDays, int maturityAge) {
    int s = stickinessDays;
    FieldAssembler<Schema> f = SchemaBuilder.record("EntityPrediction").namespace(NAMESPACE)
        .doc("Dataset entity_predictions: one row per (entity level, entity) with a lookback-complete new_to_entity"
            + " discovery on a final day D in (T - " + maturityAge + ", T], as of the run's date T: the posterior"
            + " prediction of the mean stickiness_" + s + " of its discoverers from their final trace days"
            + " (docs/rewards.md, Predictions). A prediction, not a label: it changes from one as_of to the next."
            + " Partitioned by dt = as_of.")
        .fields();
    f.name("entity_level").doc("artist, show, track or album. Key column, first sort key.")
        .type().stringType().noDefault();
    f.name("entity_id").doc("The entity. Key column, second sort key.").type().stringType().noDefault();
    f.name("as_of").doc("The run's date T.").type(date()).noDefault();
    f.name("discoveries")
        .doc("Its recent discoveries used: lookback-complete, new_to_entity, D in (T - " + maturityAge + ", T] and"
            + " final.")
        .type().intType().noDefault();
    f.name("trace_days").doc("Final trace days used: the sum of their days_final.").type().intType().noDefault();
    f.name("days_observed")
        .doc("k: the leading days D+1 .. D+k final for at least one of them (the largest days_final); 0 gives the"
            + " prior.")
        .type().intType().noDefault();
    f.name(predictionColumn(s))
        .doc("Predicted mean stickiness_" + s + " of the entity's discoverers (1 + the sum of the posterior mean"
            + " trace); null when the level has no prior.")
        .type().optional().doubleType();
    f.name(sdColumn(s))
        .doc("Its posterior standard deviation: the uncertainty about the entity's mean, not about one discovery;"
            + " null when the level has no prior.")
        .type().optional().doubleType();
    return f.endRecord();
  }

  private static Schema date() {
    return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
  }

  /** Both, for listing. */
  public static List<Schema> all(int stickinessDays, int maturityAge) {
    return List.of(rewardPriors(stickinessDays, maturityAge), entityPredictions(stickinessDays, maturityAge));
  }
}
