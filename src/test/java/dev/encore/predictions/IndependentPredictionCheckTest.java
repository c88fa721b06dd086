package dev.encore.predictions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.encore.testing.DuckDb;
import dev.encore.testing.RewardsOracle;
import dev.encore.testing.Runs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's independent check: {@code src/test/python/stickiness_check.py}, a NumPy implementation of the model of
 * docs/rewards.md ("Predictions of stickiness", steps 1–9) written without the pipeline's code, chooses the fit and
 * recent sets itself from every discovery as of T and must reproduce the published {@code reward_priors},
 * {@code entity_predictions} and per-discovery {@code stickiness_60_pred} within a relative 1e-9.
 *
 * <p>The discoveries come from {@link RewardsOracle} (DuckDB SQL from the input plays), not from the published
 * partitions: those hold only the publication days, while the model needs every final day in
 * (T − M − fit_days, T] as of T. The published days are checked to equal the oracle's, so the script's input is the
 * pipeline's data wherever the pipeline shows it.
 *
 * <p>The committed sample (200 users) is small for the model: with the default min_discoverers 5 its last day
 * fits an artist prior on 7 entities only (none on 2024-05-10), and one date publishes fewer than 100
 * per-discovery predictions (92 on 2024-05-29). So the runs use a copy of the definition with min_discoverers 3
 * and two dates: artist priors on 32 and 5 entities, no show prior on either date (both paths are compared), 192
 * per-discovery predictions. A missing python3 or NumPy fails the test; it never skips.
 */
class IndependentPredictionCheckTest {
  static final Path SCRIPT = Path.of("src/test/python/stickiness_check.py").toAbsolutePath();
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  /**
   * The run dates, in the order they run: 2024-05-29 is the sample's last day (fit window 2024-03-02 … 2024-03-27
   * with a complete lookback); 2024-05-10 fits on 2024-03-02 … 2024-03-08 only, a small prior.
   */
  static final List<LocalDate> DATES = List.of(LocalDate.parse("2024-05-10"), LocalDate.parse("2024-05-29"));
  static final double TOLERANCE = 1e-9;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static final RewardsOracle.Definition DEFINITION = RewardsOracle.Definition.defaults();

  /**
   * The script on five artist discoveries in the fit window (two entities) and a few recent ones, with W = 2 and a
   * ridge of 0.001, against values worked out in exact fractions (by hand, then with the ridge): a's traces 10, 01,
   * 11 (mean (2/3, 2/3), S_a = [1/3 −1/6; −1/6 1/3]) and b's 00, 00 (S_b = 0) give μ = (1/3, 1/3) and
   * Σ₀ = [2/9 2/9; 2/9 2/9] − (S_a/3 + S_b/2)/2 = [1/6 1/4; 1/4 1/6], eigenvalues 5/12 on (1, 1) and −1/12 on
   * (1, −1): the negative one is clipped, so Σ = (5/12) · ½[1 1; 1 1] = [5/24 5/24; 5/24 5/24] (neither Σ₀ nor the
   * plain covariance of the means). V₀ = [1/6 −1/12; −1/12 1/6], ε = 0.001 · (1/6 + 1/6) / 2 = 1/6000, V = V₀ + εI.
   * Without the ridge the predictions would be simple (entity a: 35/18, var 5/36; entity c: 65/27, var 10/27; the
   * discovery of c: 19/7, var 29/112; of d: 23/9, var 1/3); with it they are the fractions asserted below. Entity b
   * has only an empty prefix: the prior, 5/3 and 1ᵀΣ1 = 5/6, which the ridge does not touch. Entity d has only an
   * immature discovery at D = T − M, predicted from (μ, Σ) conditioned on its first day.
   */
  @Test
  void scriptReproducesAHandWorkedExample() throws Exception {
    Path csv = tmp.resolve("hand.csv");
    Files.writeString(csv, String.join("\n",
        "entity_level,entity_id,user_id,discovery_date,days_final,lookback_complete,discovery_kind,trace",
        // Fit window [2024-01-28, 2024-03-27] as of 2024-05-29 (M 63, fit_days 60); mature traces of a and b.
        "artist,a,u1,2024-03-01,2,true,new_to_entity,10",
        "artist,a,u2,2024-01-28,2,true,new_to_entity,01",
        "artist,a,u3,2024-03-27,2,true,new_to_entity,11",
        "artist,b,u4,2024-03-01,2,true,new_to_entity,00",
        "artist,b,u5,2024-03-01,2,true,new_to_entity,00",
        // Left out of the fit: new_user, lookback incomplete, the day before the window, not mature, and an
        // entity with a single discoverer.
        "artist,b,u6,2024-03-01,2,true,new_user,11",
        "artist,b,u7,2024-03-01,2,false,,11",
        "artist,b,u8,2024-01-27,2,true,new_to_entity,11",
        "artist,b,u9,2024-03-02,1,true,new_to_entity,1",
        "artist,z,u1,2024-03-01,2,true,new_to_entity,11",
        // Recent discoveries [2024-03-28, 2024-05-29]; u12 is a new_user, outside the model.
        "artist,c,u1,2024-05-20,1,true,new_to_entity,1",
        "artist,c,u12,2024-05-20,1,true,new_user,0",
        "artist,a,u10,2024-03-28,2,true,new_to_entity,01",
        "artist,a,u11,2024-05-26,0,true,new_to_entity,",
        "artist,b,u13,2024-05-27,0,true,new_to_entity,",
        // D = T − M, left immature (as by incomplete input): neither fitted nor recent, predicted from the prior.
        "artist,d,u14,2024-03-27,1,true,new_to_entity,1",
        // show: a single qualifying entity; track: every fitted trace the same, so V₀ = 0 and the ridge is 0.
        "show,s1,u1,2024-03-01,2,true,new_to_entity,10",
        "show,s1,u2,2024-03-01,2,true,new_to_entity,01",
        "show,s1,u1,2024-05-20,1,true,new_to_entity,1",
        "track,t1,u1,2024-03-01,2,true,new_to_entity,10",
        "track,t1,u2,2024-03-01,2,true,new_to_entity,10",
        "track,t2,u1,2024-03-01,2,true,new_to_entity,10",
        "track,t2,u2,2024-03-01,2,true,new_to_entity,10") + "\n");
    Path result = tmp.resolve("hand.json");
    runScript(List.of("--discoveries=" + csv, "--as-of=2024-05-29", "--levels=artist,show,track",
        "--trace-days=2", "--maturity-age=63", "--fit-days=60", "--min-discoverers=2", "--ridge=0.001",
        "--predict-days=2024-05-20,2024-05-26,2024-03-28,2024-03-27,2024-03-01", "--out=" + result));
    JsonNode levels = JSON.readTree(result.toFile()).path("levels");

    JsonNode artist = levels.path("artist");
    assertThat(artist.path("entities").asInt(), equalTo(2));
    assertThat(artist.path("traces").asInt(), equalTo(5));
    assertThat(artist.path("no_prior_reason").isNull(), equalTo(true));
    assertHand(artist.path("mu"), 1 / 3.0, 1 / 3.0);
    assertHand(artist.path("Sigma"), 5 / 24.0, 5 / 24.0, 5 / 24.0, 5 / 24.0);
    assertHand(artist.path("V"), 1001 / 6000.0, -1 / 12.0, -1 / 12.0, 1001 / 6000.0);
    // entity: discoveries, trace_days, days_observed, pred, sd
    assertThat(entityLines(artist.path("entity_predictions")), equalTo(List.of(
        "a|2|2|2", "b|1|0|0", "c|1|1|1")));
    JsonNode[] entities = elements(artist.path("entity_predictions"));
    assertHand(entities[0].path("pred"), 5835 / 3001.0);
    assertHand(entities[0].path("sd"), Math.sqrt(835 / 6002.0));
    assertHand(entities[1].path("pred"), 5 / 3.0);
    assertHand(entities[1].path("sd"), Math.sqrt(5 / 6.0));
    assertHand(entities[2].path("pred"), 16255 / 6753.0);
    assertHand(entities[2].path("sd"), Math.sqrt(5005 / 13506.0));
    // Per discovery: the mature u10 (2024-03-28) and the fit-window rows of 2024-03-01 get none.
    JsonNode[] discoveries = elements(artist.path("discovery_predictions"));
    assertThat(discoveries.length, equalTo(3));
    assertThat(discoveries[0].path("user_id").asText(), equalTo("u11"));
    // k = 0: the entity's posterior mean, and its variance plus 1ᵀV1.
    assertHand(discoveries[0].path("pred"), 5835 / 3001.0);
    assertHand(discoveries[0].path("sd"), Math.sqrt(918667 / 3001000.0));
    assertThat(discoveries[1].path("user_id").asText(), equalTo("u1"));
    assertHand(discoveries[1].path("pred"), 28507 / 10503.0);
    assertHand(discoveries[1].path("sd"), Math.sqrt(5449006751.0 / 21027006000.0));
    // d: (a, B) = (μ, Σ), S = Σ + V, conditioned on its first day.
    assertThat(discoveries[2].path("user_id").asText(), equalTo("u14"));
    assertHand(discoveries[2].path("pred"), 17257 / 6753.0);
    assertHand(discoveries[2].path("sd"), Math.sqrt(4504501 / 13506000.0));

    JsonNode show = levels.path("show");
    assertThat(show.path("no_prior_reason").asText(),
        equalTo("fewer than 2 entities with min_discoverers mature discoveries in the fit window"));
    assertThat(show.path("entities").asInt() + "|" + show.path("traces").asInt(), equalTo("1|2"));
    assertThat(entityLines(show.path("entity_predictions")), equalTo(List.of("s1|1|1|1")));
    assertThat(show.path("entity_predictions").get(0).path("pred").isNull(), equalTo(true));
    JsonNode track = levels.path("track");
    assertThat(track.path("no_prior_reason").asText(), equalTo("noise covariance not positive definite"));
    assertThat(track.path("entities").asInt() + "|" + track.path("traces").asInt(), equalTo("2|4"));
    assertThat(track.path("mu").isNull(), equalTo(true));
  }

  @Test
  void scriptRefusesATraceThatIsNotTheKnownPrefix() throws Exception {
    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv,
        "entity_level,entity_id,user_id,discovery_date,days_final,lookback_complete,discovery_kind,trace\n"
            + "artist,a,u1,2024-03-01,3,true,new_to_entity,10\n");
    Script s = script(List.of("--discoveries=" + csv, "--as-of=2024-05-29", "--levels=artist",
        "--out=" + tmp.resolve("bad.json")));
    assertThat(s.toString(), s.code(), equalTo(2));
    assertThat(s.err(), containsString("bad.csv:2: trace '10' is not 3 characters 0/1"));
  }

  /**
   * {@code nightly} on the committed sample for {@link #DATES} in one output root (the second run incremental, as
   * nights follow each other), with a copy of the definition whose min_discoverers is 3; each date against the
   * script on the oracle's discoveries as of that date.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AgainstTheNightlyRuns {
    final List<Check> checks = new ArrayList<>();

    /** What one date gives: the script's result, the published rows and the oracle's view of the input. */
    record Check(
        LocalDate t,
        List<LocalDate> publicationDays,
        JsonNode script,
        Map<String, List<Object>> priors,
        Map<String, List<Object>> entityPredictions,
        Map<String, List<Object>> discoveryPredictions,
        long inputOnlyPublished,
        long inputOnlyOracle,
        long rangeRows,
        long csvRows,
        List<String> rangeOnPublicationDays,
        List<String> oraclePublished) {}

    @BeforeAll
    void runNightlyOracleAndScript() throws Exception {
      Path definition = tmp.resolve("nightly-min3.yaml");
      String yamlText = Files.readString(Path.of("pipelines/nightly.yaml"));
      assertThat("pipelines/nightly.yaml sets min_discoverers: 5", yamlText, containsString("\n  min_discoverers: 5\n"));
      Files.writeString(definition, yamlText.replace("\n  min_discoverers: 5\n", "\n  min_discoverers: 3\n"));
      JsonNode predictions = new ObjectMapper(new YAMLFactory()).readTree(definition.toFile()).path("predictions");
      int fitDays = predictions.path("fit_days").asInt(-1);
      int minDiscoverers = predictions.path("min_discoverers").asInt(-1);
      assertThat(minDiscoverers, equalTo(3));
      assertThat("predictions.ridge of the definition", predictions.path("ridge").isNumber(), equalTo(true));
      double ridge = predictions.path("ridge").doubleValue();

      Path out = tmp.resolve("out");
      for (LocalDate t : DATES) {
        Runs.Cli run = Runs.encore(
            "nightly", "--date=" + t, "--logs=" + LOGS, "--output=" + out, "--definition=" + definition);
        assertThat(run.toString(), run.code(), equalTo(0));
      }
      try (RewardsOracle oracle = RewardsOracle.load(LOGS, DEFINITION); DuckDb db = DuckDb.open()) {
        for (LocalDate t : DATES) {
          checks.add(check(oracle, db, out, t, fitDays, minDiscoverers, ridge));
        }
      }
    }

    private Check check(
        RewardsOracle oracle, DuckDb db, Path out, LocalDate t, int fitDays, int minDiscoverers, double ridge)
        throws IOException {
      List<LocalDate> publicationDays = oracle.publishedAnchors(t);
      LocalDate from = t.minusDays(DEFINITION.maturityAge() + fitDays);
      Path oracleRows = tmp.resolve("oracle-discoveries-" + t + ".parquet");
      oracle.writeUserEntityRewards(t, from, t, oracleRows);
      // The range method on the publication days must give what the oracle publishes for run T.
      List<Map<String, Object>> range = oracle.userEntityRewards(t, from, t);
      List<String> rangeOnPublicationDays = RewardsOracle.renderRows(
          range.stream().filter(r -> publicationDays.contains(r.get("discovery_date"))).toList(),
          DEFINITION.userEntityRewardColumns());

      Path csv = tmp.resolve("discoveries-" + t + ".csv");
      // The known prefix as '0'/'1' characters; a null entry inside it would shorten the string (the script fails).
      db.execute("COPY (SELECT entity_level, entity_id, user_id, discovery_date, days_final, lookback_complete,"
          + " discovery_kind, array_to_string(list_transform(trace[1:days_final],"
          + " lambda x: CASE WHEN x THEN '1' WHEN NOT x THEN '0' END), '') AS trace"
          + " FROM " + DuckDb.readParquet(oracleRows.toString()) + ") TO " + DuckDb.quote(csv.toString())
          + " (HEADER)");
      long csvRows = db.longValue("SELECT count(*) FROM read_csv(" + DuckDb.quote(csv.toString()) + ")");

      Path result = tmp.resolve("check-" + t + ".json");
      runScript(List.of(
          "--discoveries=" + csv,
          "--as-of=" + t,
          "--levels=" + String.join(",", DEFINITION.entityLevels()),
          "--trace-days=" + DEFINITION.traceLength(),
          "--maturity-age=" + DEFINITION.maturityAge(),
          "--fit-days=" + fitDays,
          "--min-discoverers=" + minDiscoverers,
          "--ridge=" + ridge,
          "--predict-days=" + publicationDays.stream().map(LocalDate::toString).collect(Collectors.joining(",")),
          "--out=" + result));

      String pred = DEFINITION.stickinessColumn() + "_pred";
      Map<String, List<Object>> priors = new TreeMap<>();
      for (List<Object> r : db.rows("SELECT entity_level, as_of, fit_from, fit_to, entities, traces, prior_mean,"
          + " prior_cov, noise_cov, prior_" + DEFINITION.stickinessColumn() + ", no_prior_reason FROM "
          + partition(out, "reward_priors", t))) {
        priors.put((String) r.get(0), r.subList(1, r.size()));
      }
      Map<String, List<Object>> entityPredictions = new TreeMap<>();
      for (List<Object> r : db.rows("SELECT concat_ws('|', entity_level, entity_id), as_of, discoveries, trace_days,"
          + " days_observed, " + pred + ", " + pred + "_sd FROM " + partition(out, "entity_predictions", t))) {
        assertThat("as_of of entity_predictions " + r.get(0), r.get(1), equalTo(t));
        if (entityPredictions.put((String) r.get(0), r.subList(2, r.size())) != null) {
          throw new AssertionError("entity_predictions of " + t + " has two rows for " + r.get(0));
        }
      }
      // Run T's partitions of user_entity_rewards: its publication days (no other run publishes them).
      String published = DuckDb.readDataset(out, "user_entity_rewards") + " WHERE as_of = " + dateLiteral(t);
      Map<String, List<Object>> discoveryPredictions = new TreeMap<>();
      for (List<Object> r : db.rows("SELECT concat_ws('|', entity_level, entity_id, user_id, discovery_date),"
          + " days_final, " + pred + ", " + pred + "_sd FROM " + published)) {
        discoveryPredictions.put((String) r.get(0), r.subList(1, r.size()));
      }
      assertThat("days of the user_entity_rewards rows published as of " + t,
          db.rows("SELECT DISTINCT discovery_date FROM " + published + " ORDER BY 1").stream()
              .map(r -> r.get(0)).toList(),
          equalTo(publicationDays));
      String input = "entity_level, entity_id, user_id, discovery_date, days_final, lookback_complete,"
          + " discovery_kind, trace";
      String oracleDays = "SELECT " + input + " FROM " + DuckDb.readParquet(oracleRows.toString())
          + " WHERE discovery_date IN (" + publicationDays.stream().map(IndependentPredictionCheckTest::dateLiteral)
              .collect(Collectors.joining(", ")) + ")";
      long inputOnlyPublished = db.longValue(
          "SELECT count(*) FROM (SELECT " + input + " FROM " + published + " EXCEPT " + oracleDays + ")");
      long inputOnlyOracle = db.longValue(
          "SELECT count(*) FROM (" + oracleDays + " EXCEPT SELECT " + input + " FROM " + published + ")");
      return new Check(t, publicationDays, JSON.readTree(result.toFile()), priors, entityPredictions,
          discoveryPredictions, inputOnlyPublished, inputOnlyOracle, range.size(), csvRows, rangeOnPublicationDays,
          oracle.renderedUserEntityRewards(t));
    }

    private static String partition(Path out, String dataset, LocalDate t) {
      return DuckDb.readParquet(out.resolve(dataset).resolve("dt=" + t).toAbsolutePath() + "/*.parquet");
    }

    @Test
    void oracleRangeAgreesWithItsPublishedRowsAndTheExport() {
      for (Check c : checks) {
        assertThat("T=" + c.t(), c.rangeOnPublicationDays(), equalTo(c.oraclePublished()));
        assertThat("T=" + c.t(), c.csvRows(), equalTo(c.rangeRows()));
        assertThat("T=" + c.t() + ": oracle discoveries beyond the publication days",
            c.rangeRows() - c.oraclePublished().size(), greaterThanOrEqualTo(1000L));
      }
    }

    @Test
    void scriptInputEqualsThePublishedDiscoveries() {
      for (Check c : checks) {
        assertThat("T=" + c.t() + ": published rows that are not the oracle's", c.inputOnlyPublished(), equalTo(0L));
        assertThat("T=" + c.t() + ": oracle rows that are not published", c.inputOnlyOracle(), equalTo(0L));
      }
    }

    @Test
    void priorsEqualTheScripts() {
      List<String> disagreements = new ArrayList<>();
      for (Check c : checks) {
        assertThat("T=" + c.t(), c.priors().keySet(), equalTo(new TreeSet<>(DEFINITION.entityLevels())));
        for (String level : DEFINITION.entityLevels()) {
          List<Object> p = c.priors().get(level);
          JsonNode s = c.script().path("levels").path(level);
          String at = "T=" + c.t() + " reward_priors " + level + ": ";
          same(disagreements, at + "as_of", p.get(0), c.t());
          same(disagreements, at + "fit_from", p.get(1), LocalDate.parse(s.path("fit_from").asText()));
          same(disagreements, at + "fit_to", p.get(2), LocalDate.parse(s.path("fit_to").asText()));
          same(disagreements, at + "entities", number(p.get(3)), s.path("entities").asLong());
          same(disagreements, at + "traces", number(p.get(4)), s.path("traces").asLong());
          same(disagreements, at + "no_prior_reason", p.get(9), s.path("no_prior_reason").textValue());
          if (s.path("mu").isNull()) {
            List<String> names = List.of("prior_mean", "prior_cov", "noise_cov", "prior_stickiness");
            for (int i = 0; i < names.size(); i++) {
              same(disagreements, at + names.get(i) + " without a prior", p.get(5 + i), null);
            }
            continue;
          }
          compareVector(disagreements, at + "prior_mean", p.get(5), s.path("mu"));
          compareMatrix(disagreements, at + "prior_cov (Sigma)", p.get(6), s.path("Sigma"));
          compareMatrix(disagreements, at + "noise_cov (V)", p.get(7), s.path("V"));
          compareScalar(disagreements, at + "prior_stickiness", p.get(8), s.path("prior_stickiness"));
        }
      }
      assertThat(report(disagreements), disagreements, empty());
    }

    @Test
    void entityPredictionsEqualTheScripts() {
      List<String> disagreements = new ArrayList<>();
      for (Check c : checks) {
        Map<String, JsonNode> expected = new TreeMap<>();
        for (String level : DEFINITION.entityLevels()) {
          for (JsonNode e : c.script().path("levels").path(level).path("entity_predictions")) {
            expected.put(level + "|" + e.path("entity_id").asText(), e);
          }
        }
        assertThat("T=" + c.t() + ": entity_predictions rows (level|entity)", c.entityPredictions().keySet(),
            equalTo(expected.keySet()));
        for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
          List<Object> p = c.entityPredictions().get(e.getKey());
          JsonNode s = e.getValue();
          String at = "T=" + c.t() + " entity_predictions " + e.getKey() + ": ";
          same(disagreements, at + "discoveries", number(p.get(0)), s.path("discoveries").asLong());
          same(disagreements, at + "trace_days", number(p.get(1)), s.path("trace_days").asLong());
          same(disagreements, at + "days_observed", number(p.get(2)), s.path("days_observed").asLong());
          compareScalar(disagreements, at + "stickiness_pred", p.get(3), s.path("pred"));
          compareScalar(disagreements, at + "stickiness_pred_sd", p.get(4), s.path("sd"));
        }
      }
      assertThat(report(disagreements), disagreements, empty());
    }

    @Test
    void perDiscoveryPredictionsEqualTheScripts() {
      List<String> disagreements = new ArrayList<>();
      for (Check c : checks) {
        Map<String, JsonNode> expected = new TreeMap<>();
        for (String level : DEFINITION.entityLevels()) {
          for (JsonNode d : c.script().path("levels").path(level).path("discovery_predictions")) {
            expected.put(String.join("|", level, d.path("entity_id").asText(), d.path("user_id").asText(),
                d.path("discovery_date").asText()), d);
          }
        }
        for (Map.Entry<String, List<Object>> e : c.discoveryPredictions().entrySet()) {
          List<Object> p = e.getValue();
          JsonNode s = expected.get(e.getKey());
          String at = "T=" + c.t() + " user_entity_rewards " + e.getKey() + " (days_final " + p.get(0) + "): ";
          if (s == null) {
            // Not predicted by the script: mature, new_user, lookback-incomplete or a level without a prior.
            same(disagreements, at + "stickiness_pred", p.get(1), null);
            same(disagreements, at + "stickiness_pred_sd", p.get(2), null);
            continue;
          }
          compareScalar(disagreements, at + "stickiness_pred", p.get(1), s.path("pred"));
          compareScalar(disagreements, at + "stickiness_pred_sd", p.get(2), s.path("sd"));
        }
        List<String> unpublished = new ArrayList<>(expected.keySet());
        unpublished.removeAll(c.discoveryPredictions().keySet());
        assertThat("T=" + c.t() + ": discoveries the script predicts but no published row holds", unpublished,
            empty());
      }
      assertThat(report(disagreements), disagreements, empty());
    }

    @Test
    void theCheckIsNotVacuous() {
      long largestPrior = 0;
      long predicted = 0;
      long partial = 0;
      long fromPrior = 0;
      long perDiscovery = 0;
      long withoutPrior = 0;
      for (Check c : checks) {
        for (List<Object> p : c.priors().values()) {
          largestPrior = Math.max(largestPrior, p.get(5) == null ? 0 : number(p.get(3)));
          withoutPrior += p.get(5) == null ? 1 : 0;
        }
        for (List<Object> p : c.entityPredictions().values()) {
          if (p.get(3) != null) {
            predicted++;
            long k = number(p.get(2));
            partial += k > 0 && k < DEFINITION.traceLength() ? 1 : 0;
            fromPrior += k == 0 ? 1 : 0;
          }
        }
        perDiscovery += c.discoveryPredictions().values().stream().filter(p -> p.get(1) != null).count();
      }
      assertThat("entities of the largest published prior", largestPrior, greaterThanOrEqualTo(10L));
      assertThat("levels without a prior", withoutPrior, greaterThanOrEqualTo(1L));
      assertThat("entity predictions with a value", predicted, greaterThanOrEqualTo(100L));
      assertThat("entity predictions from partial traces (0 < k < W)", partial, greaterThanOrEqualTo(1L));
      assertThat("entity predictions from the prior alone (k = 0)", fromPrior, greaterThanOrEqualTo(1L));
      assertThat("per-discovery predictions with a value", perDiscovery, greaterThanOrEqualTo(100L));
    }
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** What the script returned and printed. */
  record Script(int code, String out, String err) {
    @Override
    public String toString() {
      return "stickiness_check.py exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** Runs the script with python3 and fails with its output unless it succeeds. */
  static void runScript(List<String> args) {
    Script s = script(args);
    assertThat(s.toString(), s.code(), equalTo(0));
  }

  /** Runs {@code python3 stickiness_check.py args}; a missing python3 fails (the check never skips). */
  static Script script(List<String> args) {
    List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString()));
    command.addAll(args);
    Path stdout = tmp.resolve("script.out");
    Path stderr = tmp.resolve("script.err");
    try {
      Process p = new ProcessBuilder(command)
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("stickiness_check.py did not finish in 300 s: " + command);
      }
      return new Script(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
          Files.readString(stderr, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run python3 (" + e.getMessage() + "): the independent prediction check"
          + " needs Python 3 with NumPy on the PATH; it fails rather than skips", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }

  private static void same(List<String> disagreements, String what, Object published, Object expected) {
    if (!Objects.equals(published, expected)) {
      disagreements.add(what + ": published " + published + ", script " + expected);
    }
  }

  /** |a − b| ≤ 1e-9 · max(|a|, |b|), both null, or a disagreement. */
  private static void compareScalar(List<String> disagreements, String what, Object published, JsonNode expected) {
    if (published == null || expected.isNull()) {
      same(disagreements, what, published, expected.isNull() ? null : expected.doubleValue());
      return;
    }
    double a = ((Number) published).doubleValue();
    double b = expected.doubleValue();
    if (!(Math.abs(a - b) <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b)))) {
      disagreements.add(what + ": published " + a + ", script " + b + " (relative " + relative(a, b) + ")");
    }
  }

  private static void compareVector(List<String> disagreements, String what, Object published, JsonNode expected) {
    List<?> a = (List<?>) published;
    if (a == null || a.size() != expected.size()) {
      disagreements.add(what + ": published " + (a == null ? "null" : a.size() + " values") + ", script "
          + expected.size());
      return;
    }
    for (int i = 0; i < a.size(); i++) {
      compareScalar(disagreements, what + "[" + i + "]", a.get(i), expected.get(i));
    }
  }

  /** Entry by entry, |a − b| ≤ 1e-9 · the largest |entry| of the two matrices. */
  private static void compareMatrix(List<String> disagreements, String what, Object published, JsonNode expected) {
    List<?> rows = (List<?>) published;
    int n = expected.size();
    if (rows == null || rows.size() != n) {
      disagreements.add(what + ": published " + (rows == null ? "null" : rows.size() + " rows") + ", script " + n);
      return;
    }
    double scale = 0;
    for (int i = 0; i < n; i++) {
      List<?> row = (List<?>) rows.get(i);
      if (row == null || row.size() != expected.get(i).size()) {
        disagreements.add(what + " row " + i + ": published " + row + ", script " + expected.get(i).size()
            + " values");
        return;
      }
      for (int j = 0; j < row.size(); j++) {
        scale = Math.max(scale, Math.max(Math.abs(((Number) row.get(j)).doubleValue()),
            Math.abs(expected.get(i).get(j).doubleValue())));
      }
    }
    for (int i = 0; i < n; i++) {
      List<?> row = (List<?>) rows.get(i);
      for (int j = 0; j < row.size(); j++) {
        double a = ((Number) row.get(j)).doubleValue();
        double b = expected.get(i).get(j).doubleValue();
        if (!(Math.abs(a - b) <= TOLERANCE * scale)) {
          disagreements.add(what + "[" + i + "][" + j + "]: published " + a + ", script " + b
              + " (difference " + Math.abs(a - b) / scale + " of the largest entry " + scale + ")");
        }
      }
    }
  }

  static String dateLiteral(LocalDate day) {
    return "DATE '" + day + "'";
  }

  private static String relative(double a, double b) {
    return String.valueOf(Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
  }

  /** The first disagreements (the first one is the one to look at), with their count. */
  private static String report(List<String> disagreements) {
    return disagreements.size() + " disagreements; the first:\n  "
        + String.join("\n  ", disagreements.subList(0, Math.min(20, disagreements.size())));
  }

  private static long number(Object value) {
    return ((Number) value).longValue();
  }

  private static void assertHand(JsonNode actual, double... expected) {
    List<Double> values = new ArrayList<>();
    if (actual.isArray()) {
      actual.forEach(v -> {
        if (v.isArray()) {
          v.forEach(x -> values.add(x.doubleValue()));
        } else {
          values.add(v.doubleValue());
        }
      });
    } else {
      assertThat("a number", actual.isNumber(), equalTo(true));
      values.add(actual.doubleValue());
    }
    assertThat(values.size(), equalTo(expected.length));
    for (int i = 0; i < expected.length; i++) {
      double a = values.get(i);
      assertThat("value " + i + " of " + actual + " is " + expected[i],
          Math.abs(a - expected[i]) <= 1e-12 * Math.abs(expected[i]), equalTo(true));
    }
  }

  private static List<String> entityLines(JsonNode predictions) {
    List<String> lines = new ArrayList<>();
    predictions.forEach(e -> lines.add(String.join("|", e.path("entity_id").asText(),
        e.path("discoveries").asText(), e.path("trace_days").asText(), e.path("days_observed").asText())));
    return lines;
  }

  private static JsonNode[] elements(JsonNode array) {
    assertThat(array.isArray(), equalTo(true));
    JsonNode[] out = new JsonNode[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i);
    }
    return out;
  }
}
