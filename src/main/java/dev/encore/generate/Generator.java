package dev.encore.generate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Writes the synthetic logs: one pass, listener by listener over all days, straight into open Avro files.
 *
 * <p>Memory does not grow with --plays: only the current listener's day is held, plus one open writer per
 * (arrival day, file). File number K of every partition holds the users with index % filesPerPartition == K,
 * in index order; the file numbers are written in parallel, each by one thread, which keeps the output
 * byte-identical across runs.
 *
 * <p>Arrival partitions are exactly --from .. --from+days-1. Offline plays of the last days that would arrive
 * after that are not written; the manifest counts them as not_delivered.
 */
final class Generator {
  private static final Pattern PARTITION = Pattern.compile("dt=\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern GENERATED_FILE = Pattern.compile("part-\\d{5}\\.avro|_SUCCESS");
  static final String MANIFEST = "_generator.json";

  private final GeneratorConfig config;
  private final PrintStream progress;
  private final int botIndex;
  private long[] budgets;

  Generator(GeneratorConfig config, PrintStream progress) {
    this.config = config;
    this.progress = progress;
    this.botIndex = Budgets.botIndex(config);
  }

  /**
   * Checks what can be checked before writing anything.
   *
   * @throws IllegalArgumentException for a bad --output or an impossible --plays
   * @throws IOException when the output directory cannot be read
   */
  void check() throws IOException {
    Path output = config.output();
    if (Files.exists(output)) {
      if (!Files.isDirectory(output)) {
        throw new IllegalArgumentException("--output=" + output + " is a file; expected a directory");
      }
      previousOutput();
    }
    budgets = Budgets.perUser(config, botIndex);
  }

  /** Files of an earlier generator run in the output directory, to delete; refuses anything else. */
  private List<Path> previousOutput() throws IOException {
    Path output = config.output();
    List<Path> found = new ArrayList<>();
    boolean manifest = false;
    try (DirectoryStream<Path> children = Files.newDirectoryStream(output)) {
      for (Path child : children) {
        String name = child.getFileName().toString();
        if (name.equals(MANIFEST) && Files.isRegularFile(child)) {
          manifest = true;
          found.add(child);
        } else if (name.equals(Truth.FILE) && Files.isRegularFile(child)) {
          found.add(child);
        } else if (PARTITION.matcher(name).matches() && Files.isDirectory(child)) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(child)) {
            for (Path file : files) {
              if (!GENERATED_FILE.matcher(file.getFileName().toString()).matches()) {
                throw notOurs(output);
              }
              found.add(file);
            }
          }
          found.add(child);
        } else {
          throw notOurs(output);
        }
      }
    }
    if (!found.isEmpty() && !manifest) {
      throw notOurs(output);
    }
    return found;
  }

  private static IllegalArgumentException notOurs(Path output) {
    return new IllegalArgumentException("--output=" + output + " is not empty and is not an earlier generator "
        + "output (no " + MANIFEST + ", or other files in it); choose a new or empty directory");
  }

  /** Runs the generation; {@link #check()} must have passed. Returns the counts that the manifest records. */
  PartitionCounts run() throws IOException, InterruptedException {
    Path output = config.output();
    // An earlier generator run (check() made sure that is all there is) is replaced as a whole.
    if (Files.exists(output)) {
      for (Path old : previousOutput()) {
        Files.delete(old);
      }
    }
    Files.createDirectories(output);
    for (int d = 0; d < config.days(); d++) {
      Files.createDirectories(output.resolve(PartitionWriters.partitionDir(config.from().plusDays(d))));
    }
    Catalog catalog = new Catalog(config.seed(), config.users());
    int files = config.filesPerPartition();
    int threads = Math.max(1, Math.min(files, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger usersDone = new AtomicInteger();
    PartitionCounts total = new PartitionCounts(config.days());
    Truth truth = new Truth(config.seed(), catalog);
    try {
      List<Future<PartitionCounts>> parts = new ArrayList<>();
      List<Truth> truths = new ArrayList<>();
      for (int f = 0; f < files; f++) {
        int fileIndex = f;
        Truth part = new Truth(config.seed(), catalog);
        truths.add(part);
        parts.add(pool.submit(() -> writeFile(catalog, fileIndex, usersDone, part)));
      }
      int reported = 0;
      for (int f = 0; f < files; f++) {
        Future<PartitionCounts> part = parts.get(f);
        while (true) {
          try {
            total.add(part.get(10, TimeUnit.SECONDS));
            truth.add(truths.get(f));
            break;
          } catch (TimeoutException e) {
            int done = usersDone.get();
            if (done != reported) {
              progress.printf("generate: %d of %d users written%n", done, config.users());
              reported = done;
            }
          }
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
    // Every file of every partition is closed by now: mark the partitions complete.
    for (int d = 0; d < config.days(); d++) {
      Files.createFile(output.resolve(PartitionWriters.partitionDir(config.from().plusDays(d))).resolve("_SUCCESS"));
    }
    truth.write(output.resolve(Truth.FILE), config, catalog);
    Manifest.write(output.resolve(MANIFEST), config, botIndex, total);
    return total;
  }

  /**
   * Generates every user of one file number, all days. A person's sessions wait in a buffer until every day
   * they touch has been brought in line with the retention model ({@link Returns}); the bot's are written at
   * once (it is a script, not a listener who discovers anything).
   */
  private PartitionCounts writeFile(Catalog catalog, int fileIndex, AtomicInteger usersDone, Truth truth)
      throws IOException {
    PartitionCounts counts = new PartitionCounts(config.days());
    LocalDate from = config.from();
    long rangeStart = config.rangeStartMs();
    long firstDay = config.firstEpochDay();
    try (PartitionWriters writers =
        new PartitionWriters(config.output(), from, config.days(), fileIndex, config.seed())) {
      Delivery delivery = new Delivery(config, catalog, writers, counts);
      for (int u = fileIndex; u < config.users(); u += config.filesPerPartition()) {
        Listener listener = Listener.create(config.seed(), u, u == botIndex, config.days());
        Rng rng = Rng.of(config.seed(), 300, u);
        Taste taste = new Taste(catalog, listener, rng);
        SessionBuilder builder = new SessionBuilder(catalog, listener, taste, rng);
        DayPlanner planner = new DayPlanner(listener, builder, rng);
        int[] perPeriod = Activity.playsPerPeriod(listener, budgets[u], from, rangeStart, config.days(), rng);
        delivery.startUser(listener, rng);
        Returns returns = listener.bot ? null
            : new Returns(config, catalog, listener, taste, builder, delivery, rng, truth);
        List<Session> buffer = new ArrayList<>();
        for (int i = 0; i < perPeriod.length; i++) {
          int k = i - 1;
          int plays = returns == null ? perPeriod[i] : returns.payDebt(perPeriod[i]);
          if (plays > 0) {
            long a = Math.max(listener.windowStart(rangeStart, k), rangeStart);
            // Inclusive end: the last play must end before midnight of the day after the range.
            long b = Math.min(listener.windowEnd(rangeStart, k), rangeStart + config.days() * Listener.DAY) - 1;
            for (Session session : planner.plan(plays, a, b)) {
              delivery.prepare(session);
              if (returns == null) {
                delivery.deliver(session);
              } else {
                buffer.add(session);
              }
            }
          }
          taste.endOfDay();
          if (returns != null && k >= 0) {
            // Day k is complete: its plays come from periods k-1 and k only.
            long day = firstDay + k;
            returns.enforce(day, buffer);
            writeDone(buffer, day, delivery, returns);
          }
        }
        writeDone(buffer, Long.MAX_VALUE, delivery, returns);
        if (returns != null) {
          counts.unpaidReturnPlays += returns.unpaid();
        }
        delivery.endUser();
        usersDone.incrementAndGet();
      }
    }
    return counts;
  }

  /** Writes, in time order, the buffered sessions whose plays all end on or before the given day. */
  private static void writeDone(List<Session> buffer, long day, Delivery delivery, Returns returns)
      throws IOException {
    buffer.sort(Comparator.comparingLong(s -> s.plays.get(0).startMs));
    for (Iterator<Session> it = buffer.iterator(); it.hasNext(); ) {
      Session session = it.next();
      if (Math.floorDiv(session.endMs(), Listener.DAY) <= day) {
        delivery.deliver(session);
        returns.written(session);
        it.remove();
      }
    }
  }
}
