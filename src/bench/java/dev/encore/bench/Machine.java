package dev.encore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine a benchmark ran on, as the results record it.
 *
 * @param cores processors the JVM sees
 * @param memoryGib physical memory (MemTotal), GiB; 0 when unknown
 * @param cpu CPU model name
 * @param java the child JVMs' {@code java -version}, on one line
 * @param os operating system and version
 * @param loadAverage the 1-minute load average when the benchmark started (others' work on a shared machine)
 */
public record Machine(int cores, double memoryGib, String cpu, String java, String os, String loadAverage) {

  /** One line for people. */
  public String describe() {
    return String.format("%d cores, %.1f GiB RAM, %s; %s; %s; load average %s at start",
        cores, memoryGib, cpu, java, os, loadAverage);
  }

  /** This machine. */
  static Machine current() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        memTotalGib(read("/proc/meminfo")),
        cpuModel(read("/proc/cpuinfo")),
        javaVersion(),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        loadAverage(read("/proc/loadavg")));
  }

  /** MemTotal of a {@code /proc/meminfo} text, in GiB; 0 when absent. */
  static double memTotalGib(String meminfo) {
    long bytes = ProcStatus.bytes(meminfo, "MemTotal");
    return bytes < 0 ? 0 : bytes / (double) (1L << 30);
  }

  /** The first {@code model name} of a {@code /proc/cpuinfo} text, or "unknown CPU". */
  static String cpuModel(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return "unknown CPU";
  }

  /** The first field of {@code /proc/loadavg}, or "unknown". */
  static String loadAverage(String loadavg) {
    String first = loadavg.strip().split("\\s+")[0];
    return first.isEmpty() ? "unknown" : first;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** {@code java -version} of the JVM the children run on, joined on one line. */
  private static String javaVersion() {
    try {
      Process p = new ProcessBuilder(ChildJvm.java(List.of(), List.of("-version"))).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return String.join("; ", text.strip().split("\\R"));
    } catch (IOException e) {
      return "java " + System.getProperty("java.version");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "java " + System.getProperty("java.version");
    }
  }
}
