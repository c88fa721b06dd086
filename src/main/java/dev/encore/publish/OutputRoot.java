package dev.encore.publish;

import dev.encore.EncoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Encore's output root: refused before anything is written when it overlaps the input or already holds files
 * Encore did not write. Encore marks a root it owns with {@code _encore/ROOT}; staging, trash and run records
 * live under {@code _encore/} too, on the same file system, so publishing is a rename.
 */
public final class OutputRoot implements AutoCloseable {
  /** Encore's private folder inside the output root. */
  public static final String PRIVATE_DIR = "_encore";
  private static final String MARKER = "ROOT";

  private static final String LOCK = "LOCK";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private OutputRoot(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Releases the run's exclusive lock on the root. */
  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // The lock goes with the process anyway.
    }
  }

  /** The path with every symbolic link of its existing part resolved, so links cannot hide an overlap. */
  private static Path real(Path path) {
    Path p = path.toAbsolutePath().normalize();
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p));
    } catch (IOException e) {
      return p;
    }
  }

  /** Refuses an output root that overlaps the logs (either inside the other). */
  public static void checkNoOverlap(Path output, Path logs) {
    Path out = real(output);
    Path in = real(logs);
    if (out.startsWith(in) || in.startsWith(out)) {
      throw new EncoreException(
          EncoreException.OUTPUT,
          "Output root " + out + " overlaps the logs " + in + ". Choose an output folder outside the input"
              + " (and the input outside the output).");
    }
  }

  /**
   * Checks {@code output} against {@code logs}, claims it for Encore and takes an exclusive lock on it for the
   * run (two runs on one root would publish over each other); close the root to release it.
   */
  public static OutputRoot claim(Path output, Path logs) {
    checkNoOverlap(output, logs);
    Path out = output.toAbsolutePath().normalize();
    Path marker = out.resolve(PRIVATE_DIR).resolve(MARKER);
    try {
      if (Files.exists(out) && !Files.exists(marker) && !isEmptyDir(out)) {
        throw new EncoreException(
            EncoreException.OUTPUT,
            "Output root " + out + " is not empty and was not written by Encore (no " + PRIVATE_DIR + "/"
                + MARKER + "). Encore refuses to write there; choose an empty or new folder.");
      }
      Files.createDirectories(marker.getParent());
      if (!Files.exists(marker)) {
        Files.writeString(marker, "This folder is an Encore output root.\n");
      }
    } catch (IOException e) {
      throw new EncoreException(EncoreException.OUTPUT, "Cannot use output root " + out + ": " + e, e);
    }
    Path lockFile = marker.resolveSibling(LOCK);
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
    } catch (IOException e) {
      throw new EncoreException(EncoreException.OUTPUT, "Cannot lock output root " + out + ": " + e, e);
    }
    if (lock == null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to release
      }
      throw new EncoreException(EncoreException.OUTPUT, "Another Encore run is writing to " + out
          + " (it holds " + lockFile + "). Wait for it to finish; runs on one output root must not overlap.");
    }
    OutputRoot root = new OutputRoot(out, channel, lock);
    root.recoverInterruptedPublish();
    // Holding the lock, no other run is staging: anything left in staging is from a run that died.
    deleteTree(out.resolve(PRIVATE_DIR).resolve("staging"));
    return root;
  }

  /**
   * A run that died between moving a published partition to its trash and moving the new one in leaves the
   * partition missing: put the old one back. Whatever else is in the trash was already replaced; delete it.
   */
  void recoverInterruptedPublish() {
    Path trash = root.resolve(PRIVATE_DIR).resolve("trash");
    if (!Files.isDirectory(trash)) {
      return;
    }
    try (Stream<Path> partitions = Files.walk(trash, 3)) {
      for (Path old : partitions.filter(p -> p.getFileName().toString().startsWith("dt=")).toList()) {
        Path target = root.resolve(old.getParent().getFileName()).resolve(old.getFileName());
        if (!Files.exists(target)) {
          Files.createDirectories(target.getParent());
          Files.move(old, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (IOException e) {
      throw new EncoreException(EncoreException.OUTPUT,
          "Cannot restore partitions from " + trash + ": " + e + ". Move them back by hand.", e);
    }
    deleteTree(trash);
  }

  public Path path() {
    return root;
  }

  /** A fresh staging folder for one run. */
  public Path staging(String runId) {
    return root.resolve(PRIVATE_DIR).resolve("staging").resolve(runId);
  }

  /** Where a run moves the partitions it replaces, until the new ones are in place. */
  public Path trash(String runId) {
    return root.resolve(PRIVATE_DIR).resolve("trash").resolve(runId);
  }

  /** The published folder of one partition. */
  public Path partition(String dataset, String dt) {
    return root.resolve(dataset).resolve("dt=" + dt);
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Deletes a folder tree of Encore's own (staging or trash). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(OutputRoot::deleteOne);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteOne(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
