package dev.encore.ingest;

import dev.encore.EncoreException;
import dev.encore.store.StoreFiles;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Resolves the partitions for days {@code from..to} inclusive under {@code logs} (a local path or a URL of any
   * store Beam's file systems reach). A day with no file is missing; one without {@code _SUCCESS}, unsealed.
   */
  public static Found resolve(String logs, LocalDate from, LocalDate to, boolean allowMissingDays) {
    List<InputPartition> partitions = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      String dir = partitionDir(logs, day);
      List<String> files = list(dir);
      String problem = null;
      if (files.isEmpty()) {
        problem = "missing";
      } else if (files.stream().noneMatch(f -> StoreFiles.name(f).equals(SUCCESS))) {
        problem = "unsealed";
      }
      if (problem == null) {
        partitions.add(new InputPartition(day, dir,
            files.stream().filter(f -> StoreFiles.name(f).endsWith(".avro")).sorted().toList()));
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
   * The first input day F: the earliest {@code dt=} arrival partition under {@code logs} that holds a file. Days
   * before it were never observed.
   */
  public static LocalDate firstDay(String logs) {
    List<String> files = list(StoreFiles.join(logs, "dt=*"));
    if (files.isEmpty() && !StoreFiles.folderExists(logs)) {
      throw new EncoreException(
          EncoreException.INPUT,
          "The logs directory " + logs + " does not exist or is not a directory. Pass --logs=DIR, the folder"
              + " that holds the dt=YYYY-MM-DD arrival partitions.");
    }
    return files.stream()
        .map(f -> StoreFiles.name(StoreFiles.parent(f)))
        .distinct()
        .map(n -> partitionDay(logs, n))
        .min(LocalDate::compareTo)
        .orElseThrow(() -> new EncoreException(
            EncoreException.INPUT,
            "The logs directory " + logs + " holds no dt=YYYY-MM-DD partition. Point --logs at the folder"
                + " that holds them."));
  }

  /** The day of a {@code dt=YYYY-MM-DD} folder name; any other {@code dt=} name is an input error. */
  private static LocalDate partitionDay(String logs, String name) {
    try {
      return LocalDate.parse(name.substring(3));
    } catch (java.time.format.DateTimeParseException e) {
      throw new EncoreException(EncoreException.INPUT, "The logs folder " + StoreFiles.join(logs, name)
          + " is not named dt=YYYY-MM-DD with a real date. Rename or remove it.");
    }
  }

  /** {@code <logs>/dt=YYYY-MM-DD}. */
  public static String partitionDir(String logs, LocalDate day) {
    return StoreFiles.join(logs, "dt=" + day);
  }

  /** The files directly in the partition folders {@code dirs} (a glob), sorted. */
  private static List<String> list(String dirs) {
    try {
      return StoreFiles.match(StoreFiles.join(dirs, "*"));
    } catch (RuntimeException e) {
      throw new EncoreException(EncoreException.INPUT, "Cannot list the input " + dirs + ": " + e, e);
    }
  }
}
