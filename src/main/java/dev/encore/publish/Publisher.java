package dev.encore.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

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
   * @param staged the partition's staging folder (it may not exist when the partition has no rows)
   * @param runDate the date of the publishing run
   * @param metadata the run metadata to write beside the data
   */
  public Outcome publish(
      Dataset<?> dataset, String dt, Path staged, LocalDate runDate, Map<String, Object> metadata)
      throws IOException {
    Path target = root.partition(dataset.name(), dt);
    LocalDate publishedBy = publishedBy(target);
    if (publishedBy != null && publishedBy.isAfter(runDate)) {
      OutputRoot.deleteTree(staged);
      return Outcome.KEPT_NEWER;
    }
    Files.createDirectories(staged);
    if (parquetFiles(staged).isEmpty()) {
      ParquetFiles.write(
          staged.resolve(WritePartitionedParquet.fileName(0)).toString(),
          dataset.schema(),
          dataset.model(),
          List.of());
    }
    String digest = rowsDigest(staged, dataset);
    Map<String, Object> meta = new LinkedHashMap<>(metadata);
    meta.put(CONTENT_DIGEST, digest);
    JSON.writeValue(staged.resolve(RUN_METADATA).toFile(), meta);

    // The published rows are re-read rather than trusting their recorded digest, so a damaged file is repaired.
    if (publishedBy != null && digest.equals(rowsDigestOrNull(target, dataset))) {
      Files.move(staged.resolve(RUN_METADATA), target.resolve(RUN_METADATA),
          StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      OutputRoot.deleteTree(staged);
      return Outcome.UNCHANGED;
    }
    Files.createFile(staged.resolve(SUCCESS));
    Files.createDirectories(target.getParent());
    Path old = null;
    if (Files.exists(target)) {
      old = root.trash(runId).resolve(dataset.name()).resolve("dt=" + dt);
      Files.createDirectories(old.getParent());
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (old != null) {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE); // put the published partition back
      }
      throw e;
    }
    if (old != null) {
      OutputRoot.deleteTree(old);
    }
    return Outcome.WRITTEN;
  }

  /**
   * SHA-256 over a partition's rows in file and row order, each in Avro's binary encoding. Over rows, not file
   * bytes: parquet-java orders some footer entries differently from one JVM to the next.
   */
  static String rowsDigest(Path dir, Dataset<?> dataset) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(dataset.schema());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = null;
    for (Path f : parquetFiles(dir)) {
      sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
              HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()), new Configuration(false)))
          .withDataModel(GenericData.get())
          .build()) {
        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
          bytes.reset();
          encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
          writer.write(r, encoder);
          encoder.flush();
          sha.update(bytes.toByteArray());
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String rowsDigestOrNull(Path dir, Dataset<?> dataset) {
    try {
      return rowsDigest(dir, dataset);
    } catch (IOException | RuntimeException e) {
      return null; // unreadable: publish anew
    }
  }

  /** The date of the run that published a partition, or null when it is not published (complete). */
  private static LocalDate publishedBy(Path partition) {
    if (!Files.exists(partition.resolve(SUCCESS))) {
      return null;
    }
    try {
      return LocalDate.parse((String) readMetadata(partition).get("date"));
    } catch (IOException | RuntimeException e) {
      return LocalDate.MIN; // unreadable metadata: treat as old, so it is replaced
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
