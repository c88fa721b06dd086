package dev.encore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private static long rows(Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration(false)))) {
      return reader.getRecordCount();
    }
  }
}
