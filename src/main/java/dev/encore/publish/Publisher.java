package dev.encore.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
  /** Run metadata key of the partition's content digest. */
  public static final String CONTENT_DIGEST = "content_sha256";
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
   * Completes and publishes one staged partition. When the published partition already holds exactly the same
   * data (same file names and bytes), its files are left as they are and only its run metadata is replaced, so a
   * rerun rewrites nothing and late data rewrites only the partitions it changes.
   *
   * @param staged the partition's staging folder (it may not exist when the partition has no rows)
   * @param metadata the run metadata to write beside the data
   * @return whether the data was (re)written; false when it was unchanged
   */
  public boolean publish(Dataset<?> dataset, String dt, Path staged, Map<String, Object> metadata)
      throws IOException {
    Files.createDirectories(staged);
    if (parquetFiles(staged).isEmpty()) {
      ParquetFiles.write(
          staged.resolve(WritePartitionedParquet.fileName(0)).toString(),
          dataset.schema(),
          dataset.model(),
          List.of());
    }
    String digest = contentDigest(staged);
    Map<String, Object> meta = new LinkedHashMap<>(metadata);
    meta.put(CONTENT_DIGEST, digest);
    JSON.writeValue(staged.resolve(RUN_METADATA).toFile(), meta);

    Path target = root.partition(dataset.name(), dt);
    if (Files.exists(target.resolve(SUCCESS)) && digest.equals(publishedDigest(target))) {
      Files.move(staged.resolve(RUN_METADATA), target.resolve(RUN_METADATA),
          StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      OutputRoot.deleteTree(staged);
      return false;
    }
    Files.createFile(staged.resolve(SUCCESS));
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
    return true;
  }

  /** SHA-256 over the names and bytes of a partition's Parquet files (Encore writes them deterministically). */
  static String contentDigest(Path dir) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Path f : parquetFiles(dir)) {
      sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      try (InputStream in = Files.newInputStream(f)) {
        byte[] buffer = new byte[1 << 16];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          sha.update(buffer, 0, n);
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String publishedDigest(Path partition) {
    try {
      return (String) readMetadata(partition).get(CONTENT_DIGEST);
    } catch (IOException | RuntimeException e) {
      return null; // unreadable metadata: publish anew
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
