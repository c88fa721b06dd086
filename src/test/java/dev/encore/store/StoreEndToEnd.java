package dev.encore.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.backfill.Backfill;
import dev.encore.config.FaultPoint;
import dev.encore.nightly.NightlySummary;
import dev.encore.publish.ParquetFiles;
import dev.encore.publish.PartitionLayout;
import dev.encore.testing.PublishedRows;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 14's end-to-end checks on one store, with {@code --logs} and {@code --output} both on it: a nightly over the
 * whole sample publishes exactly the local run's rows; a fault while writing or publishing changes no reader's view;
 * a stopped backfill resumes to the uninterrupted result; a lock left by a killed run, or held by a running one,
 * refuses a run that then writes nothing; readers never see a partial or mixed partition. A store is one subclass
 * that starts it once for the class and names its paths and options.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreEndToEnd {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  /** The last day of the sample: a nightly then reads all of it. */
  static final LocalDate LAST = LocalDate.parse("2024-05-29");
  /** The shorter runs read only the sample's last days, as a store's copy of them (fewer runs' worth of time). */
  static final int SLICE_DAYS = 7;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Run metadata that differs between two runs of the same work: who, when, and digests over store paths. */
  private static final Set<String> RUN_SPECIFIC = Set.of("run_id", "started_at", "content_sha256");

  /** The local reference views, computed once per JVM and compared with every store's. */
  private static Map<String, String> localNightly;
  private static Map<String, String> localBackfill;

  /** This class's copies of the logs on the store (made on first use). */
  private String storeLogs;
  private String storeSlice;

  /** {@code <store>/<names...>}: a path on the store under test. */
  abstract String path(String... names);

  /** The options that point Beam's file systems (and Encore's store) at the store under test. */
  abstract List<String> storeArgs();

  /** Whether the store renames folders atomically (Hive folders) rather than publishing by manifest. */
  abstract boolean renames();

  /** Writes one file of the logs' copy on the store; a store may do it in fewer requests than StoreFiles. */
  void upload(String path, byte[] content) throws IOException {
    StoreFiles.write(path, content);
  }

  /** {@link #storeArgs()} parsed as Encore parses them. */
  PipelineOptions options() {
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(storeArgs().toArray(String[]::new)).withValidation().create();
    S3StoreClientBuilderFactory.configure(options);
    return options;
  }

  /**
   * The whole sample (150 days) on the store: in the slow command only (README, "The two commands"), to keep CI
   * within its budget; in CI the backfill test below compares every dataset with the local run over the slice.
   */
  @Test
  @EnabledIfSystemProperty(named = "encore.slow", matches = "true")
  void nightlyOverTheSamplePublishesTheRowsOfTheLocalRun() throws Exception {
    String logs = logs();
    String out = path("full", "out");
    Runs.nightly(args(logs, out, "--date=" + LAST));
    Map<String, String> published = view(out, logs, options(), false);
    Map<String, String> local = localNightly();
    assertThat(published.size(), greaterThan(100));
    assertThat(TreeSnapshot.differences(local, published), empty());
  }

  @Test
  void aFaultWhileWritingOrPublishingLeavesEveryReaderViewUnchanged() throws Exception {
    String logs = slice();
    String out = path("faults", "out");
    Runs.nightly(args(logs, out, "--date=" + LAST.minusDays(1)));
    Map<String, String> before = view(out, logs, options(), true);
    Set<String> versionsBefore = versions(out);
    for (FaultPoint fault : List.of(FaultPoint.WRITING, FaultPoint.PUBLISHING)) {
      EncoreException e = assertThrows(EncoreException.class,
          () -> Runs.nightly(args(logs, out, "--date=" + LAST, "--failAt=" + fault)));
      assertThat(e.getMessage(), containsString("--failAt=" + fault.name().toLowerCase(Locale.ROOT)));
      assertThat(fault + ": what a reader sees", view(out, logs, options(), true), equalTo(before));
    }
    // As if a run had been killed after staging a file: nothing references it, and the next run clears it.
    PartitionLayout layout = PartitionLayout.of(out, options());
    String killed = StoreFiles.join(layout.stagingRoot("nightly-killed"), "sessions", "dt=" + LAST, "part-00000.parquet");
    StoreFiles.write(killed, "half a file".getBytes(UTF_8));

    Runs.nightly(args(logs, out, "--date=" + LAST));
    Map<String, String> after = view(out, logs, options(), true);
    assertThat(after, not(equalTo(before)));
    assertThat(StoreFiles.exists(killed), equalTo(false));
    if (renames()) {
      assertThat(StoreFiles.filesUnder(layout.privatePath("staging")), empty());
      assertThat(StoreFiles.filesUnder(layout.privatePath("trash")), empty());
    } else {
      // Left: the versions readers see now, and those the clean run replaced (kept for readers still on them).
      Set<String> allowed = new TreeSet<>(versionsBefore);
      allowed.addAll(versions(out));
      Set<String> runs = new TreeSet<>();
      for (String f : StoreFiles.filesUnder(layout.privatePath("data"))) {
        runs.add(f.substring(layout.privatePath("data").length() + 1).split("/")[0]);
      }
      assertThat(runs, everyItem(in(allowed)));
    }
  }

  @Test
  void aBackfillStoppedAtADateResumesAndEqualsAnUninterruptedOne() throws Exception {
    String logs = slice();
    String out = path("backfill", "out");
    LocalDate from = LAST.minusDays(2);
    LocalDate stop = LAST.minusDays(1);
    Backfill.Summary first = Runs.backfill(args(logs, out, "--from=" + from, "--to=" + from));
    assertThat(first.ran(), equalTo(1));
    Map<String, String> afterFirst = view(out, logs, options(), true);
    // Every date fails while writing: the one already published is skipped, so the backfill stops at the next.
    EncoreException e = assertThrows(EncoreException.class, () -> Runs.backfill(
        args(logs, out, "--from=" + from, "--to=" + LAST, "--failAt=" + FaultPoint.WRITING)));
    assertThat(e.getMessage(), containsString("backfill stopped at " + stop));
    assertThat(view(out, logs, options(), true), equalTo(afterFirst));

    Backfill.Summary resumed = Runs.backfill(args(logs, out, "--from=" + from, "--to=" + LAST));
    assertThat(List.of(resumed.ran(), resumed.skipped()), equalTo(List.of(2, 1)));
    // Two invocations, so the run metadata differs from one uninterrupted backfill's (its range, inputs, outputs);
    // every partition's rows are the same.
    assertThat(TreeSnapshot.differences(rowsOnly(localBackfill()), rowsOnly(view(out, logs, options(), false))),
        empty());
  }

  @Test
  void aLockLeftByAKilledRunRefusesRunsUntilItIsBrokenOrExpires() throws Exception {
    String logs = slice();
    String out = path("lock", "out");
    PartitionLayout layout = PartitionLayout.of(out, options());
    String lock = layout.privatePath("LOCK");
    // What a run killed while it held the root leaves: the root's marker and its lock, with a lease still running.
    StoreFiles.write(layout.privatePath("ROOT"), "This folder is an Encore output root.\n".getBytes(UTF_8));
    writeLock(lock, Instant.now().plus(Duration.ofHours(1)));
    Map<String, String> files = files(out);
    assertRefused(logs, out, LAST, lock);
    assertThat("what the refused run left", files(out), equalTo(files));

    // The runs that take the lock over stop on purpose once their pipeline is done (publishing is tested above):
    // a run that reached that point held the lock.
    EncoreException broken = assertThrows(EncoreException.class, () -> Runs.nightly(
        args(logs, out, "--date=" + LAST, "--breakLock=true", "--failAt=" + FaultPoint.PUBLISHING)));
    assertThat(broken.getMessage(), containsString("--failAt=publishing"));
    assertThat("the lock is released", StoreFiles.exists(lock), equalTo(false));

    writeLock(lock, Instant.now().minus(Duration.ofMinutes(1)));
    EncoreException expired = assertThrows(EncoreException.class, () -> Runs.nightly(
        args(logs, out, "--date=" + LAST, "--failAt=" + FaultPoint.PUBLISHING)));
    assertThat(expired.getMessage(), containsString("--failAt=publishing"));
    assertThat("the lock is released", StoreFiles.exists(lock), equalTo(false));
    assertThat("published", view(out, logs, options(), true), equalTo(Map.of()));
  }

  @Test
  void ofTwoRunsOnOneRootTheSecondIsRefusedAndWritesNothing() throws Exception {
    String logs = slice();
    String out = path("concurrent", "out");
    String lock = PartitionLayout.of(out, options()).privatePath("LOCK");
    AtomicReference<Thread> first = new AtomicReference<>();
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    // Run 1 stops in its publisher, holding the lock, at the first partition it completes (before any commit).
    try (AutoCloseable observing = StoreFiles.observe(op -> {
      if (Thread.currentThread() == first.get() && op.endsWith("/" + PartitionLayout.RUN_METADATA)
          && paused.getCount() > 0) {
        paused.countDown();
        await(release);
      }
    })) {
      Future<NightlySummary> run1 = executor.submit(() -> {
        first.set(Thread.currentThread());
        return Runs.nightly(args(logs, out, "--date=" + LAST));
      });
      while (!paused.await(1, TimeUnit.SECONDS)) {
        if (run1.isDone()) {
          run1.get(); // it ended without pausing: its failure, or an assertion below
          throw new AssertionError("run 1 finished without publishing a partition");
        }
      }
      Map<String, String> files = files(out);
      Map<String, String> seen = view(out, logs, options(), true);
      assertRefused(logs, out, LAST, lock);
      assertThat(files(out), equalTo(files));
      assertThat(view(out, logs, options(), true), equalTo(seen));

      release.countDown();
      assertThat(run1.get(10, TimeUnit.MINUTES).date(), equalTo(LAST));
    } finally {
      release.countDown();
      executor.shutdownNow();
    }
    assertThat(view(out, logs, options(), true).size(), greaterThan(10));
    assertThat("the lock is released", StoreFiles.exists(lock), equalTo(false));
  }

  @Test
  void readersNeverSeeAPartialOrMixedPartition() throws Exception {
    List<TornReads.View> views =
        TornReads.publishOverWithEncore(path("torn", "out"), path("torn", "logs"), options());
    StoreTornReadAssertions.assertWhole(views, renames());
  }

  @Test
  void theOldCopyThenDeleteWayShowsATornView() throws Exception {
    List<TornReads.View> views =
        TornReads.publishOverByCopyThenDelete(path("copy-delete", "out"), path("copy-delete", "logs"), options());
    assertThat(views.stream().map(TornReads.View::seen).filter(s -> s.startsWith("torn")).findFirst().orElse("none"),
        startsWith("torn"));
    assertThat(views.get(views.size() - 1).seen(), equalTo(TornReads.B));
  }

  // ---- the runs

  /** The options of a run reading {@code logs} and publishing to {@code out}, on the store under test. */
  private List<String> args(String logs, String out, String... more) {
    List<String> args = new ArrayList<>(storeArgs());
    args.add("--logs=" + logs);
    args.add("--output=" + out);
    args.addAll(List.of(more));
    return args;
  }

  private void assertRefused(String logs, String out, LocalDate date, String lock) {
    EncoreException e = assertThrows(EncoreException.class, () -> Runs.nightly(args(logs, out, "--date=" + date)));
    assertThat(e.exitCode(), equalTo(EncoreException.OUTPUT));
    assertThat(e.getMessage(), containsString("holds the lock " + lock));
    assertThat(e.getMessage(), containsString("--breakLock=true"));
  }

  /** The lock object as a run writes it (OutputRoot.leaseLock), by a run that is gone. */
  private static void writeLock(String lock, Instant expires) throws IOException {
    Map<String, Object> holder = new LinkedHashMap<>();
    holder.put("token", "killed-run");
    holder.put("host", "a-host-that-died");
    holder.put("pid", 4242);
    holder.put("acquired_at", expires.minus(Duration.ofHours(6)).toString());
    holder.put("expires_at", expires.toString());
    StoreFiles.write(lock, JSON.writeValueAsBytes(holder));
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the test never released the paused run");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- the logs on the store, and the local references

  /** The whole sample, copied once to the store. */
  private String logs() throws IOException {
    if (storeLogs == null) {
      FileSystems.setDefaultPipelineOptions(options());
      storeLogs = copy(LOGS, path("logs"), p -> true, this::upload);
    }
    return storeLogs;
  }

  /** The sample's last {@link #SLICE_DAYS} arrival days, copied once to the store. */
  private String slice() throws IOException {
    if (storeSlice == null) {
      FileSystems.setDefaultPipelineOptions(options());
      storeSlice = copy(LOGS, path("slice"), StoreEndToEnd::inSlice, this::upload);
    }
    return storeSlice;
  }

  private static boolean inSlice(Path relative) {
    String top = relative.getName(0).toString();
    return top.startsWith("dt=") && !LocalDate.parse(top.substring(3)).isBefore(LAST.minusDays(SLICE_DAYS - 1));
  }

  /**
   * Copies the files under local folder {@code from} that {@code which} accepts (by relative path) to {@code to},
   * a few at a time (one store request each takes long, and the server answers several at once).
   */
  private static String copy(Path from, String to, Predicate<Path> which, Uploader upload) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Stream<Path> paths = Files.walk(from)) {
      List<Future<?>> copies = new ArrayList<>();
      for (Path p : paths.filter(Files::isRegularFile).toList()) {
        Path relative = from.relativize(p);
        if (which.test(relative)) {
          copies.add(pool.submit(() -> {
            upload.upload(StoreFiles.join(to, relative.toString().split("/")), Files.readAllBytes(p));
            return null;
          }));
        }
      }
      for (Future<?> copy : copies) {
        copy.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while copying " + from + " to " + to, e);
    } catch (ExecutionException e) {
      throw new IOException("Cannot copy " + from + " to " + to + ": " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return to;
  }

  /** How one file is written. */
  private interface Uploader {
    void upload(String path, byte[] content) throws IOException;
  }

  /** The local nightly over the whole sample, once per JVM. */
  private static synchronized Map<String, String> localNightly() throws IOException {
    if (localNightly == null) {
      Path out = Files.createTempDirectory("encore-local-nightly-").resolve("out");
      Runs.nightly(List.of("--date=" + LAST, "--logs=" + LOGS, "--output=" + out));
      localNightly = view(out.toString(), LOGS.toString(), PipelineOptionsFactory.create(), false);
      deleteLocal(out.getParent());
    }
    return localNightly;
  }

  /** The uninterrupted local backfill over the slice's last three days, once per JVM. */
  private static synchronized Map<String, String> localBackfill() throws IOException {
    if (localBackfill == null) {
      Path dir = Files.createTempDirectory("encore-local-backfill-");
      Path logs = dir.resolve("logs");
      FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
      copy(LOGS, logs.toString(), StoreEndToEnd::inSlice, StoreFiles::write);
      Path out = dir.resolve("out");
      Runs.backfill(List.of("--from=" + LAST.minusDays(2), "--to=" + LAST, "--logs=" + logs, "--output=" + out));
      localBackfill = view(out.toString(), logs.toString(), PipelineOptionsFactory.create(), false);
      deleteLocal(dir);
    }
    return localBackfill;
  }

  private static void deleteLocal(Path dir) throws IOException {
    StoreFiles.deleteTree(dir.toString());
  }

  // ---- what a reader sees

  /**
   * What a reader of {@code root} sees, by partition ({@code dataset/dt=D}) of every registered dataset: its rows
   * (sorted, counted and digested) and its run metadata. With {@code exact} also which version's files, and the
   * metadata byte for byte (the same root before and after a run); without, paths are relative to the logs and the
   * root, and what differs between runs of the same work is left out (two roots compared).
   */
  static Map<String, String> view(String root, String logs, PipelineOptions options, boolean exact)
      throws IOException {
    PartitionLayout layout = PartitionLayout.of(root, options);
    Map<String, String> view = new TreeMap<>();
    for (String dataset : PublishedRows.DATASETS) {
      for (String dt : layout.publishedDays(dataset)) {
        PartitionLayout.Published p = layout.current(dataset, dt);
        if (p == null) {
          continue; // listed, then replaced under us: only a reader racing a run sees this
        }
        List<String> rows = new ArrayList<>();
        for (String f : p.files()) {
          ParquetFiles.read(f, r -> rows.add(relative(r.toString(), logs, root)));
        }
        Collections.sort(rows);
        String metadata;
        if (exact) {
          metadata = new String(StoreFiles.read(p.metadataPath()), UTF_8) + " files " + p.files();
        } else {
          Map<String, Object> m = JSON.readValue(relative(new String(StoreFiles.read(p.metadataPath()), UTF_8), logs,
              root), Map.class);
          m.keySet().removeAll(RUN_SPECIFIC);
          metadata = JSON.writeValueAsString(m);
        }
        view.put(dataset + "/dt=" + dt, rows.size() + " rows " + sha256(String.join("\n", rows)) + " metadata "
            + (exact ? sha256(metadata) : metadata));
      }
    }
    return view;
  }

  /** A {@link #view} without the run metadata: each partition's row count and digest. */
  private static Map<String, String> rowsOnly(Map<String, String> view) {
    Map<String, String> rows = new TreeMap<>();
    view.forEach((partition, seen) -> rows.put(partition, seen.substring(0, seen.indexOf(" metadata "))));
    return rows;
  }

  private static String relative(String text, String logs, String root) {
    return text.replace(StoreFiles.join(logs), "<logs>").replace(StoreFiles.join(root), "<out>");
  }

  /** On object stores, the runs whose versions the root's manifests list. */
  private Set<String> versions(String root) throws IOException {
    PartitionLayout layout = PartitionLayout.of(root, options());
    Set<String> runs = new TreeSet<>();
    if (layout.manifests()) {
      for (String dataset : PublishedRows.DATASETS) {
        for (String dt : layout.publishedDays(dataset)) {
          String dir = layout.current(dataset, dt).dir();
          runs.add(StoreFiles.name(StoreFiles.parent(StoreFiles.parent(dir))));
        }
      }
    }
    return runs;
  }

  /** Every file under the root with the digest of its content. */
  private Map<String, String> files(String root) throws IOException {
    FileSystems.setDefaultPipelineOptions(options());
    Map<String, String> files = new TreeMap<>();
    for (String f : StoreFiles.filesUnder(root)) {
      files.put(f, sha256(StoreFiles.read(f)));
    }
    return files;
  }

  private static String sha256(String s) {
    return sha256(s.getBytes(UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
