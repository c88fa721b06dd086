package dev.encore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one measured thing in its own JVM, as a user would start it: wall time from the start of the process to its
 * end (JVM start included), and its peak resident memory, sampled from {@code /proc/<pid>/status} (VmHWM, which only
 * grows) every {@link #SAMPLE} while it runs, keeping the last value read. Its stdout and stderr go to a log file.
 */
final class ChildJvm {
  static final Duration SAMPLE = Duration.ofMillis(100);

  private ChildJvm() {}

  /**
   * What one run gave.
   *
   * @param exitCode the process's exit code
   * @param wallSeconds from start to end, seconds
   * @param peakRssBytes the last VmHWM read, -1 when none could be read
   * @param log where its output went
   */
  record Measurement(int exitCode, double wallSeconds, long peakRssBytes, Path log) {}

  /** The command line of a JVM with {@code jvmFlags}, running {@code mainArgs} (e.g. {@code -jar x.jar nightly …}). */
  static List<String> java(List<String> jvmFlags, List<String> mainArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.addAll(mainArgs);
    return command;
  }

  /** Runs {@code command} to its end; its output goes to {@code log} (the command line first). */
  static Measurement run(List<String> command, Path log) throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    Files.writeString(log, "$ " + String.join(" ", command) + "\n");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long started = System.nanoTime();
    Process process = builder.start();
    AtomicLong peak = new AtomicLong(-1);
    Thread sampler = new Thread(() -> {
      long pid = process.pid();
      while (process.isAlive()) {
        long hwm = ProcStatus.peakRssBytes(pid);
        if (hwm > 0) {
          peak.set(hwm); // the last value read: VmHWM never goes down
        }
        try {
          Thread.sleep(SAMPLE.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-memory-sampler");
    sampler.setDaemon(true);
    sampler.start();
    int code;
    try {
      code = process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
    double wall = (System.nanoTime() - started) / 1e9;
    sampler.interrupt();
    sampler.join();
    return new Measurement(code, wall, peak.get(), log);
  }
}
