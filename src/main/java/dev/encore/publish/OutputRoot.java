package dev.encore.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.store.StoreFiles;
import dev.encore.store.Stores;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Encore's output root, on any store: refused before anything is written when it overlaps the input or already
 * holds files Encore did not write (Encore marks a root it owns with {@code _encore/ROOT}), and locked for one run
 * at a time. On a local file system the lock is an OS file lock, released when the process ends; elsewhere it is
 * the object {@code _encore/LOCK} created only if absent (a conditional write) and holding a lease, so a lock left
 * by a killed run expires, or is broken with {@code --breakLock}.
 */
public final class OutputRoot implements AutoCloseable {
  /** Encore's private folder inside the output root. */
  public static final String PRIVATE_DIR = PartitionLayout.PRIVATE_DIR;
  private static final String MARKER = "ROOT";
  private static final String LOCK = "LOCK";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PartitionLayout layout;
  private final LocalLock localLock;
  /** On other stores: the token written into the lock object, which proves the lock is still this run's. */
  private final String leaseToken;

  private OutputRoot(PartitionLayout layout, LocalLock localLock, String leaseToken) {
    this.layout = layout;
    this.localLock = localLock;
    this.leaseToken = leaseToken;
  }

  /** The OS lock of a local root. */
  private record LocalLock(FileChannel channel, FileLock lock) {}

  /** Releases the run's lock on the root (on other stores only when it is still this run's). */
  @Override
  public void close() {
    try {
      if (localLock != null) {
        localLock.lock().release();
        localLock.channel().close();
      } else if (leaseToken.equals(lockHolder().get("token"))) {
        StoreFiles.delete(List.of(lockPath()));
      }
    } catch (IOException | RuntimeException e) {
      // A local lock goes with the process; a lease expires.
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

  /** Refuses an output root that overlaps the logs (either inside the other), on any store. */
  public static void checkNoOverlap(String output, String logs) {
    String out;
    String in;
    if (Stores.isLocal(output) && Stores.isLocal(logs)) {
      out = real(Path.of(output)).toString();
      in = real(Path.of(logs)).toString();
    } else {
      out = StoreFiles.join(output);
      in = StoreFiles.join(logs);
    }
    if (out.equals(in) || out.startsWith(in + "/") || in.startsWith(out + "/")) {
      throw new EncoreException(
          EncoreException.OUTPUT,
          "Output root " + out + " overlaps the logs " + in + ". Choose an output folder outside the input"
              + " (and the input outside the output).");
    }
  }

  /**
   * Checks {@code output} against {@code logs}, claims it for Encore and takes an exclusive lock on it for the run
   * (two runs on one root would publish over each other), then clears what a run that died left behind; close the
   * root to release the lock. {@code options} configure the store (and carry the lock's lease and
   * {@code --breakLock}).
   */
  public static OutputRoot claim(String output, String logs, PipelineOptions options) {
    checkNoOverlap(output, logs);
    PartitionLayout layout = PartitionLayout.of(output, options);
    String out = layout.root();
    String marker = layout.privatePath(MARKER);
    try {
      if (!StoreFiles.exists(marker) && !isEmpty(out)) {
        throw new EncoreException(
            EncoreException.OUTPUT,
            "Output root " + out + " is not empty and was not written by Encore (no " + PRIVATE_DIR + "/"
                + MARKER + "). Encore refuses to write there; choose an empty or new folder.");
      }
      layout.store().createIfAbsent(marker, "This folder is an Encore output root.\n".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new EncoreException(EncoreException.OUTPUT, "Cannot use output root " + out + ": " + e, e);
    }
    OutputRoot root = Stores.isLocal(out)
        ? new OutputRoot(layout, localLock(out, layout.privatePath(LOCK)), null)
        : new OutputRoot(layout, null, leaseLock(layout, options.as(OutputOptions.class)));
    try {
      root.clearWhatADeadRunLeft();
    } catch (IOException | RuntimeException e) {
      root.close();
      throw new EncoreException(EncoreException.OUTPUT, "Cannot clear what an interrupted run left under " + out
          + PRIVATE_DIR + ": " + e + ". Check that Encore may write there, and re-run.", e);
    }
    return root;
  }

  private static LocalLock localLock(String out, String lockFile) {
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(Path.of(lockFile), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
    return new LocalLock(channel, lock);
  }

  /**
   * Creates the lock object if absent; a lock whose lease has expired, or any lock with {@code --breakLock}, is
   * deleted first (once). Of two runs that race for it the store's conditional write lets exactly one win.
   */
  private static String leaseLock(PartitionLayout layout, OutputOptions options) {
    String path = layout.privatePath(LOCK);
    String token = UUID.randomUUID().toString();
    Map<String, Object> lock = new LinkedHashMap<>();
    lock.put("token", token);
    lock.put("host", hostName());
    lock.put("pid", ProcessHandle.current().pid());
    lock.put("acquired_at", Instant.now().toString());
    lock.put("expires_at", Instant.now().plus(Duration.ofMinutes(options.getLockLeaseMinutes())).toString());
    try {
      byte[] content = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(lock);
      for (int attempt = 0; attempt < 2; attempt++) {
        if (layout.store().createIfAbsent(path, content)) {
          return token;
        }
        Map<String, Object> holder = readLock(path);
        // A lock that cannot be read yet may be being written by the run that just won it: never taken as expired.
        boolean expired = holder.get("expires_at") instanceof String until
            && Instant.parse(until).isBefore(Instant.now());
        if (attempt > 0 || !(expired || options.getBreakLock())) {
          throw new EncoreException(EncoreException.OUTPUT, "Another Encore run is writing to " + layout.root()
              + ": it holds the lock " + path + " (" + describe(holder) + "). Wait for it to finish; runs on one"
              + " output root must not overlap. If that run was killed, its lease ends at "
              + holder.get("expires_at") + "; or pass --breakLock=true to break the lock now.");
        }
        StoreFiles.delete(List.of(path));
      }
    } catch (IOException e) {
      throw new EncoreException(EncoreException.OUTPUT, "Cannot lock output root " + layout.root() + ": " + e, e);
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * Fails unless this run still holds the lock of a root without OS locks: called before every commit, so a run
   * whose lock was broken (its lease ended and another run took it, or --breakLock) publishes nothing more.
   */
  public void checkStillLocked() throws IOException {
    if (localLock != null) {
      return;
    }
    Map<String, Object> holder = lockHolder();
    if (!leaseToken.equals(holder.get("token"))) {
      throw new EncoreException(EncoreException.OUTPUT, "This run no longer holds the lock on " + layout.root()
          + (holder.isEmpty() ? " (it was deleted)" : " (now: " + describe(holder) + ")")
          + ": its lease ended or it was broken with --breakLock. It stopped before publishing more; the"
          + " partitions it published are complete. Re-run when the other run has finished.");
    }
  }

  private Map<String, Object> lockHolder() throws IOException {
    try {
      return readLock(lockPath()); // one request where the lock is there, as it should be
    } catch (IOException e) {
      if (!StoreFiles.exists(lockPath())) {
        return Map.of();
      }
      throw e;
    }
  }

  private String lockPath() {
    return layout.privatePath(LOCK);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readLock(String path) throws IOException {
    try {
      return JSON.readValue(StoreFiles.read(path), Map.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      return Map.of("host", "unknown (the lock cannot be read: " + e.getOriginalMessage() + ")");
    }
  }

  private static String describe(Map<String, Object> holder) {
    return "host " + holder.get("host") + ", pid " + holder.get("pid") + ", since " + holder.get("acquired_at");
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  /**
   * Holding the lock, no other run is writing: whatever a run that died left is cleared. With folder renames, a
   * partition it had moved to its trash and not replaced is put back, and staging is deleted; on object stores,
   * partition versions no manifest lists (a dead run's, or replaced ones — kept until now for readers that were
   * still reading them) are deleted.
   */
  private void clearWhatADeadRunLeft() throws IOException {
    if (layout.manifests()) {
      Set<String> current = new HashSet<>();
      for (String manifest : StoreFiles.match(StoreFiles.join(layout.root(), "*", "dt=*", PartitionLayout.MANIFEST))) {
        String dir = StoreFiles.parent(manifest);
        PartitionLayout.Published p =
            layout.current(StoreFiles.name(StoreFiles.parent(dir)), StoreFiles.name(dir).substring(3));
        current.add(p.dir());
      }
      List<String> unreferenced = StoreFiles.filesUnder(layout.privatePath("data")).stream()
          .filter(f -> !current.contains(StoreFiles.parent(f))).toList();
      StoreFiles.delete(unreferenced);
      return;
    }
    recoverInterruptedPublish();
    StoreFiles.deleteTree(layout.privatePath("staging"));
  }

  /**
   * A run that died between moving a published partition to its trash and moving the new one in leaves the
   * partition missing: put the old one back. Whatever else is in the trash was already replaced; delete it.
   */
  void recoverInterruptedPublish() throws IOException {
    String trash = layout.privatePath("trash");
    for (String success : StoreFiles.match(StoreFiles.join(trash, "*", "*", "dt=*", PartitionLayout.SUCCESS))) {
      String old = StoreFiles.parent(success);
      String dataset = StoreFiles.name(StoreFiles.parent(old));
      String target = StoreFiles.join(layout.root(), dataset, StoreFiles.name(old));
      if (!StoreFiles.folderExists(target)) {
        layout.store().renameDirectory(old, target);
      }
    }
    StoreFiles.deleteTree(trash);
  }

  /** The root's layout: where partitions are and how they are published. */
  public PartitionLayout layout() {
    return layout;
  }

  /** The output root, without a trailing slash. */
  public String path() {
    return layout.root();
  }

  /** Where a run's pipeline writes its partitions. */
  public String staging(String runId) {
    return layout.stagingRoot(runId);
  }

  /** Where a run moves the partitions it replaces, until the new ones are in place (folder renames only). */
  public String trash(String runId) {
    return layout.privatePath("trash", runId);
  }

  /** Whether a root holds no file (a local folder that does not exist or is empty counts as empty). */
  private static boolean isEmpty(String root) throws IOException {
    if (Stores.isLocal(root)) {
      Path dir = Path.of(root);
      if (!Files.isDirectory(dir)) {
        return !Files.exists(dir);
      }
      try (var entries = Files.list(dir)) {
        return entries.findAny().isEmpty();
      }
    }
    return StoreFiles.filesUnder(root).isEmpty();
  }
}
