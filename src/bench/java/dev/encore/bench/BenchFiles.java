package dev.encore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File helpers of the benchmark. */
final class BenchFiles {
  private BenchFiles() {}

  /** Deletes a file or a directory tree; nothing when it does not exist. */
  static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(path)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }

  /** Copies a directory tree to {@code target} (which must not exist). */
  static void copyTree(Path source, Path target) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(source)) {
      all = walk.sorted().toList();
    }
    for (Path p : all) {
      Path to = target.resolve(source.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(to);
      } else {
        Files.copy(p, to);
      }
    }
  }

  /** Total bytes of the regular files under a directory (0 when it does not exist). */
  static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
