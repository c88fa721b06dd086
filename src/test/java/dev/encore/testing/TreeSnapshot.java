package dev.encore.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Copies and fingerprints folder trees, to prove what a run did or did not touch. */
public final class TreeSnapshot {
  private TreeSnapshot() {}

  /** Copies {@code from} to {@code to} (which must not exist) and returns {@code to}. */
  public static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  /** SHA-256 of every file below {@code root}, by relative path. */
  public static Map<String, String> files(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString(), sha256(p));
      }
    }
    return files;
  }

  /** {@link #files} without run metadata, the run report and Encore's private folder. */
  public static Map<String, String> dataFiles(Path root) throws IOException {
    Map<String, String> files = files(root);
    files.keySet().removeIf(
        f -> f.endsWith("_run.json") || f.startsWith("_encore/") || f.startsWith("_report/"));
    return files;
  }

  /** The paths whose presence or content differs between two snapshots, sorted. */
  public static java.util.List<String> differences(Map<String, String> a, Map<String, String> b) {
    java.util.TreeSet<String> paths = new java.util.TreeSet<>(a.keySet());
    paths.addAll(b.keySet());
    paths.removeIf(p -> java.util.Objects.equals(a.get(p), b.get(p)));
    return java.util.List.copyOf(paths);
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
