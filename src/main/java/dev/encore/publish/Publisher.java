package dev.encore.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes staged partitions visible. Each partition is completed in staging (an empty Parquet file with the schema
 * when it has no rows, the run metadata {@code _run.json}, then {@code _SUCCESS}) and only then renamed into
 * place, so a reader sees either the old partition or the whole new one, never a half-written one. A partition
 * being replaced is first moved to the run's trash and deleted once the new one is in place.
 */
public final class Publisher {
  /** Run metadata written in every published partition. */
  public static final String RUN_METADATA = "_run.json";
  /** Marker of a complete, published partition. */
  public static final String SUCCESS = "_SUCCESS";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final OutputRoot root;
  private final String runId;

  public Publisher(OutputRoot root, String runId) {
    this.root = root;
    this.runId = runId;
  }

  /**
   * Completes and publishes one staged partition.
   *
   * @param staged the partition's staging folder (it may not exist when the partition has no rows)
   * @param metadata the run metadata to write beside the data
   */
  public void publish(Dataset<?> dataset, String dt, Path staged, Map<String, Object> metadata)
      throws IOException {
    Files.createDirectories(staged);
    if (parquetFiles(staged).isEmpty()) {
      ParquetFiles.write(
          staged.resolve(WritePartitionedParquet.fileName(0)).toString(),
          dataset.schema(),
          dataset.model(),
          List.of());
    }
    JSON.writeValue(staged.resolve(RUN_METADATA).toFile(), metadata);
    Files.createFile(staged.resolve(SUCCESS));

    Path target = root.partition(dataset.name(), dt);
    Files.createDirectories(target.getParent());
    Path old = null;
    if (Files.exists(target)) {
      old = root.trash(runId).resolve(dataset.name()).resolve("dt=" + dt);
      Files.createDirectories(old.getParent());
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      OutputRoot.deleteTree(old);
    }
  }

  /** The Parquet files of a partition folder, sorted by name. */
  public static List<Path> parquetFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** Reads a run metadata file back, for tests and the next runs. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> readMetadata(Path partition) throws IOException {
    return JSON.readValue(partition.resolve(RUN_METADATA).toFile(), Map.class);
  }
}
