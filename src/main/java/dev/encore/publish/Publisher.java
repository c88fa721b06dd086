package dev.encore.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.encore.store.StoreFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Makes staged partitions visible, whole. A partition is completed where the run wrote it (an empty Parquet file
 * with the schema when it has no rows, then the run metadata {@code _run.json}) and only then published: on
 * POSIX and HDFS by renaming its folder into place after {@code _SUCCESS} (a partition being replaced is first
 * moved to the run's trash and deleted once the new one is in place); on object stores by one write of its
 * manifest ({@link PartitionLayout}). A reader sees the old partition or the whole new one, never a mix.
 */
public final class Publisher {
  /** Run metadata written in every published partition. */
  public static final String RUN_METADATA = PartitionLayout.RUN_METADATA;
  /** Run metadata key of the partition's content digest. */
  public static final String CONTENT_DIGEST = "content_sha256";
  /** Marker of a complete, published partition folder. */
  public static final String SUCCESS = PartitionLayout.SUCCESS;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final OutputRoot root;
  private final String runId;

  public Publisher(OutputRoot root, String runId) {
    this.root = root;
    this.runId = runId;
  }

  /** What publishing one partition did. */
  public enum Outcome {
    /** The data was (re)written. */
    WRITTEN,
    /** The published partition already held exactly these rows; only its run metadata was renewed. */
    UNCHANGED,
    /** A run for a later date had published the partition: it was kept (a rerun of an old date never regresses). */
    KEPT_NEWER
  }

  /**
   * Completes and publishes one staged partition. When the published partition already holds exactly the same
   * rows, its files are left as they are and only its run metadata is replaced, so a rerun rewrites nothing and
   * late data rewrites only the partitions it changes. A partition published by a run for a later date is kept.
   *
   * @param staged where the run wrote the partition (it may not exist when the partition has no rows)
   * @param runDate the date of the publishing run
   * @param metadata the run metadata to write beside the data
   */
  public Outcome publish(
      Dataset<?> dataset, String dt, String staged, LocalDate runDate, Map<String, Object> metadata)
      throws IOException {
    PartitionLayout layout = root.layout();
    PartitionLayout.Published current = currentOrNull(layout, dataset.name(), dt);
    LocalDate publishedBy = publishedBy(current);
    if (publishedBy != null && publishedBy.isAfter(runDate)) {
      StoreFiles.deleteTree(staged);
      return Outcome.KEPT_NEWER;
    }
    List<String> files = PartitionLayout.parquetFiles(staged);
    if (files.isEmpty()) {
      ParquetFiles.write(StoreFiles.join(staged, WritePartitionedParquet.fileName(0)), dataset.schema(),
          dataset.model(), List.of());
      files = PartitionLayout.parquetFiles(staged);
    }
    String digest = rowsDigest(files, dataset);
    Map<String, Object> meta = new LinkedHashMap<>(metadata);
    meta.put(CONTENT_DIGEST, digest);
    byte[] json = JSON.writeValueAsBytes(meta);

    // The published rows are re-read rather than trusting their recorded digest, so a damaged file is repaired.
    if (current != null && digest.equals(rowsDigestOrNull(current.files(), dataset))) {
      root.checkStillLocked();
      layout.store().replaceAtomically(current.metadataPath(), json);
      StoreFiles.deleteTree(staged);
      return Outcome.UNCHANGED;
    }
    layout.store().replaceAtomically(StoreFiles.join(staged, RUN_METADATA), json);
    String target = layout.partition(dataset.name(), dt);
    if (layout.manifests()) {
      // The one write that publishes: the replaced version stays until the next run, for readers still on it.
      root.checkStillLocked();
      layout.store().replaceAtomically(StoreFiles.join(target, PartitionLayout.MANIFEST),
          PartitionLayout.manifest(files));
      return Outcome.WRITTEN;
    }
    StoreFiles.write(StoreFiles.join(staged, SUCCESS), new byte[0]);
    String old = null;
    if (StoreFiles.folderExists(target)) {
      old = StoreFiles.join(root.trash(runId), dataset.name(), "dt=" + dt);
      layout.store().renameDirectory(target, old);
    }
    try {
      layout.store().renameDirectory(staged, target);
    } catch (IOException | RuntimeException e) {
      if (old != null) {
        layout.store().renameDirectory(old, target); // put the published partition back
      }
      throw e;
    }
    if (old != null) {
      StoreFiles.deleteTree(old);
    }
    return Outcome.WRITTEN;
  }

  /**
   * SHA-256 over a partition's rows in file and row order, each in Avro's binary encoding, with each file's name.
   * Over rows, not file bytes: parquet-java orders some footer entries differently from one JVM to the next.
   */
  static String rowsDigest(List<String> files, Dataset<?> dataset) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(dataset.schema());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder[] encoder = {null};
    for (String f : files) {
      sha.update(StoreFiles.name(f).getBytes(StandardCharsets.UTF_8));
      ParquetFiles.read(f, r -> {
        bytes.reset();
        encoder[0] = EncoderFactory.get().binaryEncoder(bytes, encoder[0]);
        try {
          writer.write(r, encoder[0]);
          encoder[0].flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        sha.update(bytes.toByteArray());
      });
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String rowsDigestOrNull(List<String> files, Dataset<?> dataset) {
    try {
      return rowsDigest(files, dataset);
    } catch (IOException | RuntimeException e) {
      return null; // unreadable: publish anew
    }
  }

  /** The published version, or null when there is none or its manifest is unreadable (it is then replaced). */
  private static PartitionLayout.Published currentOrNull(PartitionLayout layout, String dataset, String dt) {
    try {
      return layout.current(dataset, dt);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The date of the run that published a partition, or null when it is not published. */
  private static LocalDate publishedBy(PartitionLayout.Published current) {
    if (current == null) {
      return null;
    }
    try {
      return LocalDate.parse((String) current.metadata().get("date"));
    } catch (IOException | RuntimeException e) {
      return LocalDate.MIN; // unreadable metadata: treat as old, so it is replaced
    }
  }

  /** The Parquet files of a local partition folder, sorted by name (tests and local tools). */
  public static List<java.nio.file.Path> parquetFiles(java.nio.file.Path dir) {
    return PartitionLayout.parquetFiles(dir.toString()).stream().map(java.nio.file.Path::of).toList();
  }

  /** Reads the run metadata of a local partition folder (tests and local tools). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> readMetadata(java.nio.file.Path partition) throws IOException {
    return JSON.readValue(partition.resolve(RUN_METADATA).toFile(), Map.class);
  }

  /** Reads a published partition's run metadata back, for tests and the next runs. */
  public static Map<String, Object> readMetadata(PartitionLayout layout, String dataset, String dt)
      throws IOException {
    PartitionLayout.Published p = layout.current(dataset, dt);
    if (p == null) {
      throw new IOException(layout.partition(dataset, dt) + " is not published");
    }
    return p.metadata();
  }
}
