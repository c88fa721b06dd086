package dev.encore.publish;

import java.util.Map;
import java.util.TreeMap;

/**
 * Names of the exact counts a run computes as data (not as best-effort metrics) and reads back after the pipeline
 * for the summary and the run metadata. Keys look like {@code input/2024-01-05/accepted} or
 * {@code output/sessions/2024-01-04/rows}.
 */
public final class RunStats {
  public static final String RECORDS = "records";
  public static final String FILES = "files";
  /** Valid, non-private records, duplicate deliveries included (counted at ingest). */
  public static final String VALID = "valid";
  /** Valid, non-private plays after deduplication: valid - duplicates (derived, never emitted). */
  public static final String ACCEPTED = "accepted";
  public static final String PRIVATE = "private";
  public static final String DUPLICATES = "duplicates";
  /** Prefix of per-reason rejection counts: {@code rejected/<reason>}. */
  public static final String REJECTED = "rejected";
  public static final String ROWS = "rows";
  /** Files left out because they could not be read (with --skipCorruptFiles). */
  public static final String CORRUPT_FILES = "corrupt_files";
  private static final String SKIPPED_FILE = "skipped_file/";
  private static final String HOT_USER_DAY = "hot_user_day/";

  private RunStats() {}

  /** Key of a count about the arrival partition {@code dt}. */
  public static String inputKey(String dt, String name) {
    return "input/" + dt + "/" + name;
  }

  /** Key that lists one file left out as unreadable. */
  public static String skippedFileKey(String path) {
    return SKIPPED_FILE + path;
  }

  /** The files left out as unreadable, sorted. */
  public static java.util.List<String> skippedFiles(Map<String, Long> all) {
    return all.keySet().stream()
        .filter(k -> k.startsWith(SKIPPED_FILE))
        .map(k -> k.substring(SKIPPED_FILE.length()))
        .sorted()
        .toList();
  }

  /** Key of the play count of a user-day over the hot-user threshold. */
  public static String hotUserDayKey(String user, String day) {
    return HOT_USER_DAY + user + "/" + day;
  }

  /** The hot user-days of a run: user → (day → plays). */
  public static Map<String, Map<String, Long>> hotUserDays(Map<String, Long> all) {
    Map<String, Map<String, Long>> users = new TreeMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(HOT_USER_DAY)) {
        String rest = k.substring(HOT_USER_DAY.length());
        int slash = rest.lastIndexOf('/');
        users.computeIfAbsent(rest.substring(0, slash), u -> new TreeMap<>()).put(rest.substring(slash + 1), v);
      }
    });
    return users;
  }

  /** Key of the row count of an output partition. */
  public static String outputKey(String dataset, String dt) {
    return "output/" + dataset + "/" + dt + "/" + ROWS;
  }

  /** The counts of one arrival partition, from all run counts: name → count, with the derived accepted. */
  public static Map<String, Long> forInput(Map<String, Long> all, String dt) {
    Map<String, Long> counts = withPrefix(all, "input/" + dt + "/");
    for (String name : new String[] {FILES, RECORDS, VALID, PRIVATE, DUPLICATES}) {
      counts.putIfAbsent(name, 0L);
    }
    counts.put(ACCEPTED, counts.getOrDefault(VALID, 0L) - counts.getOrDefault(DUPLICATES, 0L));
    return counts;
  }

  /** Row counts of one dataset's partitions: dt → rows. */
  public static Map<String, Long> forOutput(Map<String, Long> all, String dataset) {
    Map<String, Long> rows = new TreeMap<>();
    withPrefix(all, "output/" + dataset + "/")
        .forEach((k, v) -> rows.put(k.substring(0, k.length() - ROWS.length() - 1), v));
    return rows;
  }

  /** Sum of a count name over every arrival partition (names under rejected/ sum per prefix). */
  public static long totalInput(Map<String, Long> all, String name) {
    if (ACCEPTED.equals(name)) {
      return totalInput(all, VALID) - totalInput(all, DUPLICATES);
    }
    long total = 0;
    for (Map.Entry<String, Long> e : all.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("input/") && (k.endsWith("/" + name) || k.contains("/" + name + "/"))) {
        total += e.getValue();
      }
    }
    return total;
  }

  private static Map<String, Long> withPrefix(Map<String, Long> all, String prefix) {
    Map<String, Long> out = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }
}
