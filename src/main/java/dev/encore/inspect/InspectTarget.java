package dev.encore.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code inspect} was pointed at: a dataset folder (holding {@code dt=...} partitions), one partition folder,
 * or one data file; the files are Parquet or Avro, never both.
 */
record InspectTarget(Path path, Kind kind, Format format, List<Part> parts) {

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

  /** One partition (or the folder of a single file) and the data files inspected in it, sorted by name. */
  record Part(String name, Path dir, List<Path> files) {}

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

  /** Works out what {@code path} is. */
  static InspectTarget resolve(Path path) throws BadPath, IOException {
    if (!Files.exists(path)) {
      throw new BadPath(path + " does not exist");
    }
    if (Files.isRegularFile(path)) {
      Format format = formatOf(path);
      if (format == null) {
        throw new BadPath(path + " is neither a .parquet nor an .avro file");
      }
      Path dir = path.toAbsolutePath().getParent();
      return new InspectTarget(path, Kind.FILE, format, List.of(new Part(partitionName(dir), dir, List.of(path))));
    }
    if (!Files.isDirectory(path)) {
      throw new BadPath(path + " is neither a file nor a folder");
    }
    List<Path> files = dataFiles(path);
    if (!files.isEmpty()) {
      Format format = singleFormat(path, files);
      return new InspectTarget(path, Kind.PARTITION, format,
          List.of(new Part(partitionName(path.toAbsolutePath()), path, files)));
    }
    List<Part> parts = new ArrayList<>();
    List<Path> all = new ArrayList<>();
    for (Path dir : children(path)) {
      String name = dir.getFileName().toString();
      if (Files.isDirectory(dir) && name.startsWith("dt=")) {
        List<Path> inside = dataFiles(dir);
        parts.add(new Part(name, dir, inside));
        all.addAll(inside);
      }
    }
    if (all.isEmpty()) {
      List<String> datasets = new ArrayList<>();
      for (Path dir : children(path)) {
        if (Files.isDirectory(dir) && !hidden(dir) && hasPartitions(dir)) {
          datasets.add(dir.getFileName().toString());
        }
      }
      String why = parts.isEmpty()
          ? path + " holds no .parquet or .avro file and no dt=YYYY-MM-DD partition folder"
          : path + " holds dt= partition folders but none of them holds a .parquet or .avro file";
      if (!datasets.isEmpty()) {
        why += " (it holds the datasets " + String.join(", ", datasets) + ": inspect one of them)";
      }
      throw new BadPath(why);
    }
    return new InspectTarget(path, Kind.DATASET, singleFormat(path, all), parts);
  }

  /** Every data file inspected, in partition and name order. */
  List<Path> files() {
    return parts.stream().flatMap(p -> p.files().stream()).toList();
  }

  private static boolean hasPartitions(Path dir) throws IOException {
    for (Path sub : children(dir)) {
      if (Files.isDirectory(sub) && sub.getFileName().toString().startsWith("dt=")) {
        return true;
      }
    }
    return false;
  }

  private static Format singleFormat(Path path, List<Path> files) throws BadPath {
    Format first = formatOf(files.get(0));
    for (Path f : files) {
      if (formatOf(f) != first) {
        throw new BadPath(path + " mixes .parquet and .avro files");
      }
    }
    return first;
  }

  private static String partitionName(Path dir) {
    if (dir == null || dir.getFileName() == null) {
      return null;
    }
    String name = dir.getFileName().toString();
    return name.startsWith("dt=") ? name : null;
  }

  private static Format formatOf(Path file) {
    String name = file.getFileName().toString();
    for (Format f : Format.values()) {
      if (name.endsWith(f.extension)) {
        return f;
      }
    }
    return null;
  }

  private static boolean hidden(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith("_") || name.startsWith(".");
  }

  /** The Parquet and Avro files directly in a folder (not hidden ones such as Hadoop's .crc), sorted by name. */
  private static List<Path> dataFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path f : children(dir)) {
      if (Files.isRegularFile(f) && !hidden(f) && formatOf(f) != null) {
        out.add(f);
      }
    }
    return out;
  }

  private static List<Path> children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
