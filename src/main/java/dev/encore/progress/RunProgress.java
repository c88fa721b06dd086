package dev.encore.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of the job running in this JVM, for people: a live bar on a terminal (the progressbar library), plain
 * timestamped lines at a steady interval when the output is not a terminal (a scheduler's log). The counts come
 * from the pipeline's own steps when they run in this JVM (the embedded runners); on a remote cluster only the
 * stages the launcher itself runs are shown.
 */
public final class RunProgress implements AutoCloseable {
  private static final AtomicLong RECORDS = new AtomicLong();
  private static final AtomicLong FILES = new AtomicLong();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final String title;
  private final long totalFiles;
  private final PrintStream out;
  private final Instant started = Instant.now();
  private final AtomicReference<String> stage = new AtomicReference<>("starting");
  private final Thread ticker;
  private final ProgressBar bar;

  private RunProgress(String title, long totalFiles, PrintStream out, boolean terminal, Duration interval) {
    this.title = title;
    this.totalFiles = totalFiles;
    this.out = out;
    this.bar = terminal
        ? new ProgressBarBuilder().setTaskName(title).setInitialMax(Math.max(1, totalFiles))
            .setStyle(ProgressBarStyle.ASCII).setUnit(" files", 1).setUpdateIntervalMillis(500).build()
        : null;
    this.ticker = new Thread(() -> tick(interval), "encore-progress");
    ticker.setDaemon(true);
    ticker.start();
  }

  /**
   * Starts reporting a job that reads {@code totalFiles} input files; lines go to {@code out} when there is no
   * terminal, every {@code interval}.
   */
  public static RunProgress start(String title, long totalFiles, PrintStream out, Duration interval) {
    RECORDS.set(0);
    FILES.set(0);
    boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    return new RunProgress(title, totalFiles, out, terminal, interval);
  }

  /** Called by the reading step: {@code n} more input records read. */
  public static void recordsRead(long n) {
    RECORDS.addAndGet(n);
  }

  /** Called by the reading step: one more input file read. */
  public static void fileRead() {
    FILES.incrementAndGet();
  }

  /** Records read so far by this JVM's steps. */
  public static long records() {
    return RECORDS.get();
  }

  /** Names what the launcher is doing now (reading and computing, publishing, ...). */
  public void stage(String name) {
    stage.set(name);
  }

  /** One plain progress line, as written when the output is not a terminal. */
  String line() {
    long elapsed = Duration.between(started, Instant.now()).toSeconds();
    if (!counted()) {
      return String.format("%s progress %s: %s, %d s elapsed", TIME.format(Instant.now()), title, currentStage(),
          elapsed);
    }
    return String.format("%s progress %s: %s, files %d/%d, %,d records read, %d s elapsed",
        TIME.format(Instant.now()), title, currentStage(), FILES.get(), totalFiles, RECORDS.get(), elapsed);
  }

  /**
   * Whether the reading step has counted anything in this JVM. It never does when the job runs on a remote cluster,
   * where "reading input, files 0/N" would be wrong for the whole run.
   */
  private static boolean counted() {
    return FILES.get() > 0 || RECORDS.get() > 0;
  }

  private String currentStage() {
    String s = stage.get();
    if (!"computing".equals(s) || !counted()) {
      return s;
    }
    return FILES.get() < totalFiles ? "reading input" : "sessions, rewards, writing";
  }

  private void tick(Duration interval) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        if (bar != null) {
          bar.stepTo(FILES.get());
          bar.setExtraMessage(
              counted() ? String.format(" %s, %,d records", currentStage(), RECORDS.get()) : " " + currentStage());
          Thread.sleep(500);
        } else {
          Thread.sleep(interval.toMillis());
          out.println(line());
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  @Override
  public void close() {
    ticker.interrupt();
    if (bar != null) {
      bar.stepTo(FILES.get());
      bar.close();
    }
  }
}
