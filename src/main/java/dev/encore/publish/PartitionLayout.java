package dev.encore.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.store.Store;
import dev.encore.store.StoreFiles;
import dev.encore.store.Stores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where an output root's partitions live and how to find the published version of each (docs/operations.md,
 * "Stores"). Where folders rename atomically (POSIX, HDFS) a partition is the Hive folder
 * {@code <root>/<dataset>/dt=D/} with its Parquet files, {@code _run.json} and {@code _SUCCESS}, renamed into place
 * whole. On object stores (S3, GCS), which cannot swap a folder, a partition's files are written once to a path no
 * run ever rewrites, {@code <root>/_encore/data/<run>/<dataset>/dt=D/}, and published by one single-object write
 * of {@code <root>/<dataset>/dt=D/manifest}: the list of its data files, one URI per line (Hive's symlink
 * format, which Trino, Athena, Spark and BigQuery read). A reader that follows the manifest sees the old version or
 * the new, whole; the manifest replaces {@code _SUCCESS}, and {@code _run.json} lies beside the files it lists.
 */
public final class PartitionLayout {
  /** Encore's private folder inside the output root. */
  public static final String PRIVATE_DIR = "_encore";
  /** On object stores: the committed list of a partition's data files. */
  public static final String MANIFEST = "manifest";
  /** Run metadata written beside every published partition's files. */
  public static final String RUN_METADATA = "_run.json";
  /** Marker of a complete, published partition folder (Hive layout). */
  public static final String SUCCESS = "_SUCCESS";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String root;
  private final Store store;

  private PartitionLayout(String root, Store store) {
    this.root = StoreFiles.join(root);
    this.store = store;
  }

  /**
   * The layout of output root {@code root}, on the store its scheme names, with Beam's file systems registered
   * with {@code options}.
   */
  public static PartitionLayout of(String root, PipelineOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    return new PartitionLayout(root, Stores.forPath(root, options));
  }

  /** The output root, without a trailing slash. */
  public String root() {
    return root;
  }

  /** The store the root is on. */
  public Store store() {
    return store;
  }

  /** Whether partitions are published by manifest (object stores) rather than by renaming folders. */
  public boolean manifests() {
    return !store.renamesAtomically();
  }

  /** {@code <root>/_encore/<names...>}. */
  public String privatePath(String... names) {
    String[] all = new String[names.length + 1];
    all[0] = PRIVATE_DIR;
    System.arraycopy(names, 0, all, 1, names.length);
    return StoreFiles.join(root, all);
  }

  /** The published folder of a partition, {@code <root>/<dataset>/dt=D} (on object stores, its manifest's). */
  public String partition(String dataset, String dt) {
    return StoreFiles.join(root, dataset, "dt=" + dt);
  }

  /**
   * Where a run's pipeline writes its partitions ({@code <staging>/<dataset>/dt=D/}): a staging folder renamed
   * into place later, or on object stores the run's immutable versions, referenced once published.
   */
  public String stagingRoot(String runId) {
    return manifests() ? privatePath("data", runId) : privatePath("staging", runId);
  }

  /**
   * A published partition version.
   *
   * @param dir the folder holding its files and {@code _run.json}
   * @param files its Parquet files, in name order
   */
  public record Published(String dir, List<String> files) {
    /** Its run metadata file. */
    public String metadataPath() {
      return StoreFiles.join(dir, RUN_METADATA);
    }

    /** Its run metadata. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> metadata() throws IOException {
      return JSON.readValue(StoreFiles.read(metadataPath()), Map.class);
    }
  }

  /** The published version of a partition, or null when it is not published (or not completely). */
  public Published current(String dataset, String dt) throws IOException {
    String dir = partition(dataset, dt);
    if (manifests()) {
      String manifest = StoreFiles.join(dir, MANIFEST);
      if (!StoreFiles.exists(manifest)) {
        return null;
      }
      List<String> files = parseManifest(StoreFiles.read(manifest));
      if (files.isEmpty()) {
        throw new IOException("The manifest " + manifest + " lists no file; Encore never commits such a manifest.");
      }
      return new Published(StoreFiles.parent(files.get(0)), files);
    }
    if (!StoreFiles.exists(StoreFiles.join(dir, SUCCESS))) {
      return null;
    }
    return new Published(dir, parquetFiles(dir));
  }

  /** The days ({@code YYYY-MM-DD}) a dataset has published, sorted. */
  public List<String> publishedDays(String dataset) {
    String marker = manifests() ? MANIFEST : SUCCESS;
    TreeSet<String> days = new TreeSet<>();
    for (String f : StoreFiles.match(StoreFiles.join(root, dataset, "dt=*", marker))) {
      String dir = StoreFiles.name(StoreFiles.parent(f));
      if (dir.startsWith("dt=")) {
        days.add(dir.substring(3));
      }
    }
    return new ArrayList<>(days);
  }

  /** The Parquet files directly in a folder, sorted by name. */
  public static List<String> parquetFiles(String dir) {
    return StoreFiles.match(StoreFiles.join(dir, "*.parquet"));
  }

  /** A manifest's content: the files it lists, one per line. */
  static byte[] manifest(List<String> files) {
    StringBuilder s = new StringBuilder();
    files.forEach(f -> s.append(f).append('\n'));
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> parseManifest(byte[] content) {
    List<String> files = new ArrayList<>();
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        files.add(line.strip());
      }
    }
    return files;
  }
}
