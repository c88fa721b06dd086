package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.encore.config.JobDefinition;
import dev.encore.predictions.StickinessModel;
import dev.encore.publish.Dataset;
import dev.encore.publish.ParquetFiles;
import dev.encore.rewards.RewardSpec;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run metadata's {@code predictions}: the staged reward_priors rows, read back level by level. */
class NightlyPublisherPredictionsTest {
  @TempDir Path tmp;

  @Test
  void everyLevelOfTheStagedRowsWithoutItsMatrices() throws Exception {
    RewardSpec spec = RewardSpec.of(JobDefinition.builtIn());
    Dataset<GenericRecord> priors = Outputs.rewardPriors(spec);
    Schema schema = priors.schema();
    Schema element = schema.getField("backtest").schema().getElementType();
    double[] mu = new double[59];
    Arrays.fill(mu, 0.02);
    GenericRecord artist = new GenericData.Record(schema);
    artist.put("entity_level", "artist");
    artist.put("as_of", (int) LocalDate.parse("2024-05-29").toEpochDay());
    artist.put("fit_from", (int) LocalDate.parse("2024-01-28").toEpochDay());
    artist.put("fit_to", (int) LocalDate.parse("2024-03-27").toEpochDay());
    artist.put("entities", 7);
    artist.put("traces", 40);
    artist.put("prior_mean", Arrays.stream(mu).boxed().toList());
    artist.put("prior_cov", identity(59, 0.01));
    artist.put("noise_cov", identity(59, 0.2));
    artist.put("prior_stickiness_60", 2.18);
    artist.put("backtest", List.of(
        backtest(element, 0, 7, 1.5, 1.5, null, 6.0 / 7),
        backtest(element, 1, 7, 1.25, 1.5, 4.75, 1.0)));
    GenericRecord show = new GenericData.Record(schema);
    show.put("entity_level", "show");
    show.put("as_of", (int) LocalDate.parse("2024-05-29").toEpochDay());
    show.put("fit_from", (int) LocalDate.parse("2024-01-28").toEpochDay());
    show.put("fit_to", (int) LocalDate.parse("2024-03-27").toEpochDay());
    show.put("entities", 1);
    show.put("traces", 6);
    show.put("no_prior_reason", StickinessModel.TOO_FEW_ENTITIES);
    show.put("backtest", List.of());
    // Two shards, as a run with more than one would stage them: both are read.
    Path staged = tmp.resolve("reward_priors/dt=2024-05-29");
    ParquetFiles.write(staged.resolve("part-00000.parquet").toString(), schema, priors.model(), List.of(artist));
    ParquetFiles.write(staged.resolve("part-00001.parquet").toString(), schema, priors.model(), List.of(show));

    Map<String, Object> expectedArtist = level(true, null, 7, 40, 2.18, List.of(
        row(0, 7, 1.5, 1.5, null, 6.0 / 7), row(1, 7, 1.25, 1.5, 4.75, 1.0)));
    Map<String, Object> expectedShow = level(false, StickinessModel.TOO_FEW_ENTITIES, 1, 6, null, List.of());
    assertThat(NightlyPublisher.predictions(Outputs.standard(spec), staged.toString(), 60),
        equalTo(Map.of("artist", expectedArtist, "show", expectedShow)));
  }

  @Test
  void absentWhenTheDefinitionHasNoPredictions() throws Exception {
    JobDefinition d = JobDefinition.builtIn();
    RewardSpec none = RewardSpec.of(new JobDefinition(d.source(), d.playRules(), d.sessionRules(), d.userRewards(),
        d.discovery(), d.checkpoints(), null));
    assertThat(NightlyPublisher.predictions(Outputs.standard(none), tmp.toString(), 60), nullValue());
  }

  private static List<List<Double>> identity(int n, double diagonal) {
    List<List<Double>> m = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Double[] row = new Double[n];
      Arrays.fill(row, 0.0);
      row[i] = diagonal;
      m.add(Arrays.asList(row));
    }
    return m;
  }

  private static GenericRecord backtest(
      Schema element, int k, int entities, double mae, double maePrior, Double maeScaled, double coverage) {
    GenericRecord b = new GenericData.Record(element);
    b.put("days_observed", k);
    b.put("entities", entities);
    b.put("mae", mae);
    b.put("mae_prior_mean", maePrior);
    b.put("mae_scaled_count", maeScaled);
    b.put("coverage_90", coverage);
    return b;
  }

  private static Map<String, Object> row(
      int k, int entities, double mae, double maePrior, Double maeScaled, double coverage) {
    Map<String, Object> r = new HashMap<>();
    r.put("days_observed", k);
    r.put("entities", entities);
    r.put("mae", mae);
    r.put("mae_prior_mean", maePrior);
    r.put("mae_scaled_count", maeScaled);
    r.put("coverage_90", coverage);
    return r;
  }

  private static Map<String, Object> level(boolean hasPrior, String reason, int entities, int traces,
      Double priorStickiness, List<Map<String, Object>> backtest) {
    Map<String, Object> l = new HashMap<>();
    l.put("has_prior", hasPrior);
    l.put("no_prior_reason", reason);
    l.put("entities", entities);
    l.put("traces", traces);
    l.put("fit_from", "2024-01-28");
    l.put("fit_to", "2024-03-27");
    l.put("prior_stickiness_60", priorStickiness);
    l.put("backtest", backtest);
    return l;
  }
}
