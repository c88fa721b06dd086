package dev.encore.predictions;

import dev.encore.config.PredictionRules;
import dev.encore.predictions.StickinessModel.BacktestRow;
import dev.encore.predictions.StickinessModel.Fit;
import dev.encore.predictions.StickinessModel.Prediction;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** The prediction datasets' rows: plain functions of the model's results. Dates are epoch days. */
public final class PredictionRows {
  private PredictionRows() {}

  /**
   * A level's fit as of a run, with its backtest.
   *
   * @param fitFrom first discovery day of the fit window, epoch day
   * @param fitTo its last
   */
  public record LevelFit(String level, Fit fit, List<BacktestRow> backtest, long fitFrom, long fitTo)
      implements Serializable {}

  /** A level's fit on its mature traces of the fit window, with the backtest when there is a prior. */
  public static LevelFit fitLevel(
      String level, List<DiscoveryTrace> mature, int days, PredictionRules rules, long fitFrom, long fitTo) {
    StickinessModel model = new StickinessModel(days, rules.minDiscoverers(), rules.ridge());
    Fit fit = model.fit(mature);
    List<BacktestRow> backtest = fit.prior() == null ? List.of() : StickinessModel.summarise(model.backtest(mature));
    return new LevelFit(level, fit, backtest, fitFrom, fitTo);
  }

  /**
   * One entity's predictions.
   *
   * @param entityRow its entity_predictions row; null when it has no recent discovery
   * @param rows its user_entity_rewards rows to predict, copied, with their predictions (null without a prior)
   */
  public record EntityPredictions(GenericRecord entityRow, List<GenericRecord> rows) {}

  /**
   * Predicts one entity from its recent discoveries: its stickiness (the prior's without any) for its row, and each
   * of its rows to predict from its posterior conditioned on the row's own final days.
   *
   * @param prior the level's prior; null when it has none
   */
  public static EntityPredictions predictEntity(Schema predictionSchema, int stickinessDays, String level,
      String entityId, long asOf, StickinessModel.Prior prior, List<DiscoveryTrace> recent, List<GenericRecord> rows) {
    int days = stickinessDays - 1;
    // Only the posterior and the per-discovery predictions: the fit's parameters do not matter here.
    StickinessModel model = new StickinessModel(days, 2, 0);
    StickinessModel.Evidence evidence = StickinessModel.Evidence.of(recent, days);
    GenericRecord entityRow = null;
    if (!recent.isEmpty()) {
      Prediction p = prior == null ? null : model.stickiness(prior, evidence);
      entityRow = entityPrediction(predictionSchema, stickinessDays, level, entityId, asOf, evidence, recent.size(), p);
    }
    // The whole posterior (W x W) only for an entity with rows to predict: a backfill's earlier dates have none.
    StickinessModel.DiscoveryPredictor discoveries = null;
    if (prior != null && !rows.isEmpty()) {
      StickinessModel.Posterior posterior = model.posterior(prior, evidence);
      discoveries = model.discoveries(posterior.mean(), posterior.cov(), prior.noise());
    }
    List<GenericRecord> predicted = new ArrayList<>();
    for (GenericRecord row : rows) {
      // Rows may be a pipeline's elements, which must not change: the prediction goes into a copy.
      GenericRecord r = new GenericData.Record((GenericData.Record) row, true);
      if (discoveries != null) {
        @SuppressWarnings("unchecked")
        List<Boolean> trace = (List<Boolean>) r.get("trace");
        Prediction p = discoveries.predict(
            DiscoveryTrace.of(entityId, (Integer) r.get("discovery_date"), (Integer) r.get("days_final"), trace));
        r.put(PredictionSchemas.predictionColumn(stickinessDays), p.mean());
        r.put(PredictionSchemas.sdColumn(stickinessDays), p.sd());
      }
      predicted.add(r);
    }
    return new EntityPredictions(entityRow, predicted);
  }

  /** The reward_priors row of a level. */
  public static GenericRecord rewardPrior(Schema schema, int stickinessDays, LevelFit l, long asOf) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("entity_level", l.level());
    r.put("as_of", (int) asOf);
    r.put("fit_from", (int) l.fitFrom());
    r.put("fit_to", (int) l.fitTo());
    r.put("entities", l.fit().entities());
    r.put("traces", l.fit().traces());
    StickinessModel.Prior p = l.fit().prior();
    if (p != null) {
      r.put("prior_mean", list(p.mean()));
      r.put("prior_cov", matrix(p.cov()));
      r.put("noise_cov", matrix(p.noise()));
      r.put("prior_stickiness_" + stickinessDays, p.stickiness());
    }
    r.put("no_prior_reason", l.fit().noPriorReason());
    Schema element = schema.getField("backtest").schema().getElementType();
    List<GenericRecord> backtest = new ArrayList<>();
    for (BacktestRow b : l.backtest()) {
      GenericRecord e = new GenericData.Record(element);
      e.put("days_observed", b.daysObserved());
      e.put("entities", b.entities());
      e.put("mae", b.mae());
      e.put("mae_prior_mean", b.maePriorMean());
      e.put("mae_scaled_count", b.maeScaledCount());
      e.put("coverage_90", b.coverage90());
      backtest.add(e);
    }
    r.put("backtest", backtest);
    return r;
  }

  /** An entity_predictions row; {@code prediction} null when the level has no prior. */
  public static GenericRecord entityPrediction(
      Schema schema, int stickinessDays, String level, String entityId, long asOf,
      StickinessModel.Evidence evidence, int discoveries, Prediction prediction) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("entity_level", level);
    r.put("entity_id", entityId);
    r.put("as_of", (int) asOf);
    r.put("discoveries", discoveries);
    r.put("trace_days", (int) evidence.traceDays());
    r.put("days_observed", evidence.daysObserved());
    if (prediction != null) {
      r.put(PredictionSchemas.predictionColumn(stickinessDays), prediction.mean());
      r.put(PredictionSchemas.sdColumn(stickinessDays), prediction.sd());
    }
    return r;
  }

  private static List<Double> list(double[] v) {
    return Arrays.stream(v).boxed().toList();
  }

  private static List<List<Double>> matrix(double[][] m) {
    return Arrays.stream(m).map(PredictionRows::list).toList();
  }
}
