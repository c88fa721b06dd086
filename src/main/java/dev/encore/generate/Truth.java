package dev.encore.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The ground truth of one run: how many lookback-complete discoveries of each entity the generator made (each
 * follows {@link Retention}'s schedule), and what it writes to {@code _truth.json}: for every entity with at
 * least one, its propensity π_e and its true mean trace θ_e = π_e·s(k).
 *
 * <p>One instance per writing thread, merged at the end.
 */
final class Truth {
  static final String FILE = "_truth.json";
  private static final int DECIMALS = 6;

  private final long seed;
  private final long[][] discoveries;
  private final double[][] propensity;
  long returnPlays;
  long missedReturns;

  Truth(long seed, Catalog catalog) {
    this.seed = seed;
    this.discoveries = new long[][] {new long[catalog.artistCount], new long[catalog.showCount]};
    this.propensity = new double[][] {new double[catalog.artistCount], new double[catalog.showCount]};
  }

  /** π_e, drawn once per entity from its own stream. */
  double propensity(int level, int entity) {
    double p = propensity[level][entity];
    if (p == 0) {
      p = Retention.propensity(seed, level, entity);
      propensity[level][entity] = p;
    }
    return p;
  }

  void discovered(int level, int entity) {
    discoveries[level][entity]++;
  }

  long discoveries(int level, int entity) {
    return discoveries[level][entity];
  }

  void add(Truth other) {
    for (int level = 0; level < discoveries.length; level++) {
      for (int e = 0; e < discoveries[level].length; e++) {
        discoveries[level][e] += other.discoveries[level][e];
      }
    }
    returnPlays += other.returnPlays;
    missedReturns += other.missedReturns;
  }

  /** Writes _truth.json: the model, its numbers, and one line per entity with discoveries. */
  void write(Path file, GeneratorConfig config, Catalog catalog) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    ObjectNode root = json.createObjectNode();
    root.put("generator", "encore generate");
    root.put("format_version", 1);
    root.put("model", "A discoverer of entity e adopts it with probability propensity_e; an adopter is active "
        + "with e on D+k (k = 1..59) with probability return_curve[k-1], independently; a non-adopter never. "
        + "theta_e[k-1] = propensity_e * return_curve[k-1] is the exact expected trace of every "
        + "lookback-complete discovery of e (discovery_date >= lookback_complete_from) in these logs.");
    root.put("lookback_complete_from", config.from().plusDays(Retention.LOOKBACK).toString());
    ObjectNode curve = root.putObject("return_curve_formula");
    curve.put("c", Retention.C);
    curve.put("gamma", Retention.GAMMA);
    curve.put("formula", "c * k^-gamma");
    ArrayNode s = root.putArray("return_curve");
    for (double v : Retention.returnCurve()) {
      s.add(round(v));
    }
    ObjectNode prior = root.putObject("propensity_distribution");
    prior.put("family", "beta");
    prior.put("alpha", Retention.ALPHA);
    prior.put("beta", Retention.BETA);
    root.put("return_visit_plays", returnPlays);
    root.put("missed_returns", missedReturns);
    // One compact line per entity, so the file stays small and greppable.
    StringBuilder lines = new StringBuilder();
    for (int level = 0; level < discoveries.length; level++) {
      for (int e = 0; e < discoveries[level].length; e++) {
        if (discoveries[level][e] == 0) {
          continue;
        }
        ObjectNode n = json.createObjectNode();
        n.put("level", Retention.LEVELS[level]);
        n.put("entity_id", level == Retention.ARTIST ? catalog.artistId(e) : catalog.showId(e));
        double pi = propensity(level, e);
        n.put("propensity", round(pi));
        n.put("discoveries", discoveries[level][e]);
        ArrayNode theta = n.putArray("theta");
        for (double v : Retention.meanTrace(pi)) {
          theta.add(round(v));
        }
        lines.append(lines.length() == 0 ? "\n    " : ",\n    ").append(json.writeValueAsString(n));
      }
    }
    String head = json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    String text = head.substring(0, head.lastIndexOf('}')).stripTrailing()
        + ",\n  \"entities\" : [" + lines + "\n  ]\n}\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static BigDecimal round(double v) {
    return BigDecimal.valueOf(v).setScale(DECIMALS, RoundingMode.HALF_EVEN).stripTrailingZeros();
  }
}
