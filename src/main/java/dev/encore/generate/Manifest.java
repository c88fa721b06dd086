package dev.encore.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes {@code _generator.json}: the options used and exact counts per arrival partition, so tests and
 * benchmarks can check the pipelines against what was really put into the logs.
 *
 * <p>The output directory itself is not recorded, so the same options give the same bytes wherever they are
 * written.
 */
final class Manifest {
  private Manifest() {}

  static void write(Path file, GeneratorConfig config, int botIndex, PartitionCounts counts) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("generator", "encore generate");
    root.put("format_version", 1);
    ObjectNode options = root.putObject("options");
    options.put("from", config.from().toString());
    options.put("days", config.days());
    options.put("users", config.users());
    options.put("plays", config.plays());
    options.put("seed", config.seed());
    options.put("allowedLatenessDays", config.allowedLatenessDays());
    options.put("filesPerPartition", config.filesPerPartition());
    options.put("bot", config.bot());
    root.put("bot_user_id", botIndex >= 0 ? Ids.userId(config.seed(), botIndex) : null);

    ObjectNode totals = root.putObject("totals");
    totals.put("plays", counts.plays);
    totals.put("not_delivered", counts.notDelivered);
    // Return visits of the retention model (_truth.json) that the listener's later days could not pay back.
    totals.put("return_plays_beyond_budget", counts.unpaidReturnPlays);
    long[] sums = new long[5];
    long[] invalid = new long[PartitionCounts.REASONS.length];
    for (int d = 0; d < config.days(); d++) {
      sums[0] += counts.records[d];
      sums[1] += counts.validPlays[d];
      sums[2] += counts.privatePlays[d];
      sums[3] += counts.duplicates[d];
      sums[4] += counts.lateAccepted[d];
      for (int r = 0; r < invalid.length; r++) {
        invalid[r] += counts.invalid[d][r];
      }
    }
    putCounts(totals, sums[0], sums[1], sums[2], sums[3], invalid, sums[4]);

    ObjectNode partitions = root.putObject("partitions");
    for (int d = 0; d < config.days(); d++) {
      ObjectNode p = partitions.putObject(PartitionWriters.partitionDir(config.from().plusDays(d)));
      var files = p.putArray("files");
      for (int f = 0; f < config.filesPerPartition(); f++) {
        files.add(PartitionWriters.fileName(f));
      }
      putCounts(p, counts.records[d], counts.validPlays[d], counts.privatePlays[d], counts.duplicates[d],
          counts.invalid[d], counts.lateAccepted[d]);
    }

    // Written beside, then moved, so a reader never sees half a manifest.
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, json.writeValueAsBytes(root));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void putCounts(ObjectNode node, long records, long valid, long privatePlays, long duplicates,
      long[] invalid, long lateAccepted) {
    node.put("records", records);
    node.put("valid_plays", valid);
    node.put("private", privatePlays);
    node.put("duplicates", duplicates);
    ObjectNode reasons = node.putObject("invalid");
    for (int r = 0; r < invalid.length; r++) {
      reasons.put(PartitionCounts.REASONS[r], invalid[r]);
    }
    node.put("late_accepted", lateAccepted);
  }
}
