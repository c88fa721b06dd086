package dev.encore.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Rows per dataset under an output root ({@code <root>/<dataset>/dt=.../*.parquet}), read from the Parquet footers
 * only, so counting is cheap and independent of Encore's own run metadata. Folders starting with {@code _} (Encore's
 * private ones, the report) are not datasets.
 */
public final class DatasetCounts {
  private DatasetCounts() {}

  /** Dataset name → rows, in name order. */
  public static Map<String, Long> of(Path root) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    try (Stream<Path> datasets = Files.list(root)) {
      for (Path dataset : datasets.filter(Files::isDirectory).sorted().toList()) {
        String name = dataset.getFileName().toString();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        long rows = 0;
        try (Stream<Path> files = Files.walk(dataset)) {
          for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
            rows += rows(f);
          }
        }
        counts.put(name, rows);
      }
    }
    return counts;
  }

  /**
   * Rows per dataset and partition ({@code dt}), of the partitions published by the run of {@code date} (their
   * {@code _run.json} says so; Encore renews it for every partition a run publishes, rewritten or not), or of every
   * partition when {@code date} is null.
   */
  public static Map<String, Map<String, Long>> byPartition(Path root, LocalDate date) throws IOException {
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    try (Stream<Path> datasets = Files.list(root)) {
      for (Path dataset : datasets.filter(Files::isDirectory).sorted().toList()) {
        String name = dataset.getFileName().toString();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        Map<String, Long> partitions = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(dataset)) {
          for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("dt=")).sorted().toList()) {
            if (date != null && !publishedBy(dir, date)) {
              continue;
            }
            long rows = 0;
            try (Stream<Path> files = Files.list(dir)) {
              for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                rows += rows(f);
              }
            }
            partitions.put(dir.getFileName().toString().substring(3), rows);
          }
        }
        if (!partitions.isEmpty()) {
          counts.put(name, partitions);
        }
      }
    }
    return counts;
  }

  /** Rows per dataset of counts by partition. */
  public static Map<String, Long> totals(Map<String, Map<String, Long>> byPartition) {
    Map<String, Long> totals = new TreeMap<>();
    byPartition.forEach((dataset, partitions) ->
        totals.put(dataset, partitions.values().stream().mapToLong(Long::longValue).sum()));
    return totals;
  }

  /** Rows per dataset of {@code counts}, over only the partitions {@code keys} has of each dataset. */
  public static Map<String, Long> totalsOver(Map<String, Map<String, Long>> counts,
      Map<String, Map<String, Long>> keys) {
    Map<String, Long> totals = new TreeMap<>();
    keys.forEach((dataset, partitions) -> {
      Map<String, Long> mine = counts.getOrDefault(dataset, Map.of());
      if (partitions.keySet().stream().anyMatch(mine::containsKey)) {
        totals.put(dataset, partitions.keySet().stream().mapToLong(dt -> mine.getOrDefault(dt, 0L)).sum());
      }
    });
    return totals;
  }

  private static boolean publishedBy(Path partition, LocalDate date) throws IOException {
    Path meta = partition.resolve("_run.json");
    if (!Files.exists(meta)) {
      return false;
    }
    return date.toString().equals(JSON.readTree(meta.toFile()).path("date").asText());
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static long rows(Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false)))) {
      return reader.getRecordCount();
    }
  }
}
