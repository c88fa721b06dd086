package dev.encore.inspect;

import dev.encore.publish.PartitionLayout;
import dev.encore.store.StoreFiles;
import dev.encore.store.Stores;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What {@code inspect} was pointed at, on any store: a dataset folder (holding {@code dt=...} partitions), one
 * partition folder, or one data file; the files are Parquet or Avro, never both. Paths are strings as Beam's file
 * systems take them; {@code path} is as the user gave it.
 */
record InspectTarget(String path, Kind kind, Format format, List<Part> parts) {

  enum Kind {
    DATASET("dataset"),
    PARTITION("partition"),
    FILE("file");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  enum Format {
    PARQUET("Parquet", ".parquet"),
    AVRO("Avro", ".avro");

    final String label;
    final String extension;

    Format(String label, String extension) {
      this.label = label;
      this.extension = extension;
    }
  }

  /**
   * One partition (or the folder of a single file) and the data files inspected in it, sorted by name.
   *
   * @param dir the folder of its files, where its {@code _run.json} is
   * @param manifest the manifest that publishes it on an object store, or null for a folder ({@code _SUCCESS})
   * @param success whether its folder holds {@code _SUCCESS}
   */
  record Part(String name, String dir, List<String> files, String manifest, boolean success) {}

  /** The path is not something inspect reads; the message says why. */
  static final class BadPath extends Exception {
    BadPath(String message) {
      super(message);
    }
  }

  static final String ACCEPTS =
      "inspect accepts a dataset folder holding dt=YYYY-MM-DD partitions (e.g. <output>/sessions, or the logs"
          + " root), one partition folder (e.g. <output>/sessions/dt=2024-03-29 or <logs>/dt=2024-03-30), or a"
          + " single .parquet or .avro file";

  /** Whether some partition is published by a manifest (object stores) rather than {@code _SUCCESS}. */
  boolean manifests() {
    return parts.stream().anyMatch(p -> p.manifest() != null);
  }

  /** Every data file inspected, in partition and name order. */
  List<String> files() {
    return parts.stream().flatMap(p -> p.files().stream()).toList();
  }

  /** Works out what {@code path} is; Beam's file systems must have been registered with {@code options}. */
  static InspectTarget resolve(String path, PipelineOptions options) throws BadPath, IOException {
    return new Resolver(options).resolve(path);
  }

  /** Resolves paths, keeping one partition layout per output root it meets. */
  private static final class Resolver {
    private final PipelineOptions options;
    private final Map<String, PartitionLayout> layouts = new HashMap<>();

    Resolver(PipelineOptions options) {
      this.options = options;
    }

    InspectTarget resolve(String given) throws BadPath, IOException {
      String path = absolute(given);
      if (StoreFiles.exists(path)) {
        Format format = formatOf(path);
        if (format == null) {
          throw new BadPath(given + " is neither a .parquet nor an .avro file");
        }
        String dir = StoreFiles.parent(path);
        return new InspectTarget(given, Kind.FILE, format, List.of(new Part(partitionName(dir), dir, List.of(path),
            null, StoreFiles.exists(StoreFiles.join(dir, PartitionLayout.SUCCESS)))));
      }
      if (!StoreFiles.folderExists(path)) {
        throw new BadPath(given + " does not exist");
      }
      Part self = partition(path);
      if (!self.files().isEmpty()) {
        return new InspectTarget(given, Kind.PARTITION, singleFormat(given, self.files()), List.of(self));
      }
      // Folders are found through their files: object stores have no folders, only keys.
      TreeSet<String> partitionDirs = new TreeSet<>();
      for (String f : StoreFiles.match(StoreFiles.join(path, "dt=*", "*"))) {
        partitionDirs.add(StoreFiles.parent(f));
      }
      List<Part> parts = new ArrayList<>();
      List<String> all = new ArrayList<>();
      for (String dir : partitionDirs) {
        Part part = partition(dir);
        parts.add(part);
        all.addAll(part.files());
      }
      if (all.isEmpty()) {
        TreeSet<String> datasets = new TreeSet<>();
        for (String f : StoreFiles.match(StoreFiles.join(path, "*", "dt=*", "*"))) {
          String dataset = StoreFiles.parent(StoreFiles.parent(f));
          if (!hidden(StoreFiles.name(dataset))) {
            datasets.add(StoreFiles.name(dataset));
          }
        }
        String why = parts.isEmpty()
            ? given + " holds no .parquet or .avro file and no dt=YYYY-MM-DD partition folder"
            : given + " holds dt= partition folders but none of them holds a .parquet or .avro file";
        if (!datasets.isEmpty()) {
          why += " (it holds the datasets " + String.join(", ", datasets) + ": inspect one of them)";
        }
        throw new BadPath(why);
      }
      return new InspectTarget(given, Kind.DATASET, singleFormat(given, all), parts);
    }

    /**
     * The partition in folder {@code dir}. A partition an object store publishes is found through its manifest
     * (its folder holds nothing else); any other folder — a Hive partition with {@code _SUCCESS}, an input
     * partition, a folder a run left — through the data files in it.
     */
    private Part partition(String dir) throws IOException {
      String name = partitionName(dir);
      String manifest = StoreFiles.join(dir, PartitionLayout.MANIFEST);
      if (name != null && StoreFiles.exists(manifest)) {
        String dataset = StoreFiles.parent(dir);
        PartitionLayout layout = layouts.computeIfAbsent(StoreFiles.parent(dataset),
            root -> PartitionLayout.of(root, options));
        PartitionLayout.Published published = layout.current(StoreFiles.name(dataset), name.substring(3));
        if (published != null) {
          List<String> files = published.files().stream().filter(f -> formatOf(f) != null).toList();
          return new Part(name, published.dir(), files, manifest, false);
        }
      }
      return new Part(name, dir, dataFiles(dir), null, StoreFiles.exists(StoreFiles.join(dir, PartitionLayout.SUCCESS)));
    }
  }

  /** A local path made absolute (files are listed with absolute paths); other stores' paths as given. */
  private static String absolute(String path) {
    String p = StoreFiles.join(path);
    return Stores.isLocal(p) && !p.startsWith("file:") ? Path.of(p).toAbsolutePath().normalize().toString() : p;
  }

  private static Format singleFormat(String path, List<String> files) throws BadPath {
    Format first = formatOf(files.get(0));
    for (String f : files) {
      if (formatOf(f) != first) {
        throw new BadPath(path + " mixes .parquet and .avro files");
      }
    }
    return first;
  }

  private static String partitionName(String dir) {
    if (dir.isEmpty() || !dir.contains("/")) {
      return null;
    }
    String name = StoreFiles.name(dir);
    return name.startsWith("dt=") ? name : null;
  }

  private static Format formatOf(String file) {
    String name = StoreFiles.name(file);
    for (Format f : Format.values()) {
      if (name.endsWith(f.extension)) {
        return f;
      }
    }
    return null;
  }

  private static boolean hidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  /** The Parquet and Avro files directly in a folder (not hidden ones such as Hadoop's .crc), sorted by name. */
  private static List<String> dataFiles(String dir) {
    TreeMap<String, String> byName = new TreeMap<>();
    for (String f : StoreFiles.match(StoreFiles.join(dir, "*"))) {
      String name = StoreFiles.name(f);
      if (!hidden(name) && formatOf(f) != null) {
        byName.put(name, f);
      }
    }
    return new ArrayList<>(byName.values());
  }
}
