package dev.encore.ingest;

import dev.encore.EncoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the arrival partitions a run needs and refuses, before anything runs, those that are missing or not yet
 * sealed by their {@code _SUCCESS} file, unless missing days are explicitly allowed.
 */
public final class ArrivalPartitions {
  /** Marker file that seals a complete partition. */
  public static final String SUCCESS = "_SUCCESS";

  private ArrivalPartitions() {}

  /**
   * The partitions found, and the days skipped because missing days were allowed.
   *
   * @param partitions sealed partitions, in day order
   * @param skipped days not read, each with why ("missing" or "unsealed")
   */
  public record Found(List<InputPartition> partitions, List<Skipped> skipped) {}

  /** A day that was not read, and why. */
  public record Skipped(LocalDate day, String why) {}

  /** Resolves the partitions for days {@code from..to} inclusive under {@code logs}. */
  public static Found resolve(Path logs, LocalDate from, LocalDate to, boolean allowMissingDays) {
    List<InputPartition> partitions = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      Path dir = partitionDir(logs, day);
      String problem = null;
      if (!Files.isDirectory(dir)) {
        problem = "missing";
      } else if (!Files.exists(dir.resolve(SUCCESS))) {
        problem = "unsealed";
      }
      if (problem == null) {
        partitions.add(new InputPartition(day, dir.toString(), avroFiles(dir)));
      } else if (allowMissingDays) {
        skipped.add(new Skipped(day, problem));
      } else {
        throw new EncoreException(
            EncoreException.INPUT,
            "missing".equals(problem)
                ? "Input partition " + dir + " is missing; this run needs arrival days " + from + " to " + to
                    + ". Wait for it to arrive, or pass --allowMissingDays=true to run without it (it is then"
                    + " recorded in the run metadata)."
                : "Input partition " + dir + " is not sealed: it has no " + SUCCESS + " file, so it may still be"
                    + " being written. Wait for the upstream job to finish it, or pass --allowMissingDays=true to"
                    + " run without it.");
      }
    }
    return new Found(partitions, skipped);
  }

  /**
   * The first input day F: the earliest {@code dt=} arrival partition under {@code logs}. Days before it were never
   * observed.
   */
  public static LocalDate firstDay(Path logs) {
    if (!Files.isDirectory(logs)) {
      throw new EncoreException(
          EncoreException.INPUT,
          "The logs directory " + logs + " does not exist or is not a directory. Pass --logs=DIR, the folder"
              + " that holds the dt=YYYY-MM-DD arrival partitions.");
    }
    try (Stream<Path> dirs = Files.list(logs)) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(n -> n.startsWith("dt="))
          .map(n -> partitionDay(logs, n))
          .min(LocalDate::compareTo)
          .orElseThrow(() -> new EncoreException(
              EncoreException.INPUT,
              "The logs directory " + logs + " holds no dt=YYYY-MM-DD partition. Point --logs at the folder"
                  + " that holds them."));
    } catch (IOException e) {
      throw new EncoreException(EncoreException.INPUT, "Cannot list the logs directory " + logs + ": " + e, e);
    }
  }

  /** The day of a {@code dt=YYYY-MM-DD} folder name; any other {@code dt=} name is an input error. */
  private static LocalDate partitionDay(Path logs, String name) {
    try {
      return LocalDate.parse(name.substring(3));
    } catch (java.time.format.DateTimeParseException e) {
      throw new EncoreException(EncoreException.INPUT, "The logs folder " + logs.resolve(name)
          + " is not named dt=YYYY-MM-DD with a real date. Rename or remove it.");
    }
  }

  /** {@code <logs>/dt=YYYY-MM-DD}. */
  public static Path partitionDir(Path logs, LocalDate day) {
    return logs.resolve("dt=" + day);
  }

  private static List<String> avroFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".avro") && Files.isRegularFile(f))
          .map(Path::toString)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new EncoreException(EncoreException.INPUT, "Cannot list input partition " + dir + ": " + e, e);
    }
  }
}
