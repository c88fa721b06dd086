package dev.encore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's peak memory from Linux's {@code /proc/<pid>/status}. */
public final class ProcStatus {
  private ProcStatus() {}

  /**
   * VmHWM ("high water mark": the peak resident set size, which only grows) in bytes, from the text of a
   * {@code /proc/<pid>/status} file; -1 when it has no such line (another OS, or a process already gone).
   */
  public static long peakRssBytes(String status) {
    return bytes(status, "VmHWM");
  }

  /**
   * A size field of a {@code /proc} text such as {@code /proc/<pid>/status} or {@code /proc/meminfo}
   * ({@code "VmHWM:    123456 kB"}), in bytes; -1 when the field is absent.
   */
  public static long bytes(String text, String field) {
    String prefix = field + ":";
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        String[] parts = line.substring(prefix.length()).trim().split("\\s+");
        long value = Long.parseLong(parts[0]);
        String unit = parts.length > 1 ? parts[1] : "B";
        return switch (unit) {
          case "kB" -> value * 1024;
          case "mB", "MB" -> value * 1024 * 1024;
          case "B" -> value;
          default -> throw new IllegalArgumentException("unknown unit in '" + line + "'");
        };
      }
    }
    return -1;
  }

  /** The VmHWM of a running process, or -1 when it cannot be read. */
  public static long peakRssBytes(long pid) {
    try {
      return peakRssBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
