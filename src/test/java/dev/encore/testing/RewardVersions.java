package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs {@code nightly} date by date on one output root and keeps every published version of chosen reward
 * partitions: after each run, a checked partition whose data files changed is copied to
 * {@code <versions>/<dataset>/dt=D/as_of=T}. The versions are read back with DuckDB, as a ranking team would.
 */
public final class RewardVersions {
  /** The reward datasets, in the order they are checked. */
  public static final List<String> DATASETS = List.of("user_rewards", "user_entity_rewards", "entity_rewards");

  private final Path logs;
  private final Path out;
  private final Path versions;
  private final List<LocalDate> anchors;
  private final List<String> extra;
  /** Data-file fingerprints of the last kept version, by dataset and anchor. */
  private final Map<String, Map<String, String>> lastKept = new TreeMap<>();
  /** The run dates, in order, and the wall time of each run in milliseconds. */
  private final Map<LocalDate, Long> runs = new TreeMap<>();

  /** A collector of the versions of partitions dt=anchor of every reward dataset. */
  public RewardVersions(Path logs, Path out, Path versions, List<LocalDate> anchors, String... extra) {
    this.logs = logs;
    this.out = out;
    this.versions = versions;
    this.anchors = List.copyOf(new TreeSet<>(anchors));
    this.extra = List.of(extra);
  }

  /**
   * The run dates that publish a version of one of the anchors: D + a for every anchor D and age a, up to
   * {@code last}; sorted.
   */
  public static List<LocalDate> publishingDates(List<LocalDate> anchors, List<Integer> ages, LocalDate last) {
    TreeSet<LocalDate> dates = new TreeSet<>();
    for (LocalDate d : anchors) {
      for (int a : ages) {
        if (!d.plusDays(a).isAfter(last)) {
          dates.add(d.plusDays(a));
        }
      }
    }
    return List.copyOf(dates);
  }

  /** Every date from {@code from} to {@code to}. */
  public static List<LocalDate> everyDate(LocalDate from, LocalDate to) {
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      dates.add(d);
    }
    return dates;
  }

  /** The checked anchors. */
  public List<LocalDate> anchors() {
    return anchors;
  }

  /** The runs so far, with their wall time in milliseconds. */
  public Map<LocalDate, Long> runs() {
    return runs;
  }

  /** Runs nightly for each date in order (each must succeed) and keeps the new versions after each. */
  public void runAll(List<LocalDate> dates) {
    for (LocalDate t : dates) {
      run(t);
    }
  }

  /** Runs {@code nightly --date=t} (it must succeed) and keeps the checked partitions it changed. */
  public void run(LocalDate t) {
    if (!runs.isEmpty() && !t.isAfter(((TreeMap<LocalDate, Long>) runs).lastKey())) {
      throw new IllegalArgumentException("runs go in date order on one output root: " + t);
    }
    List<String> args = new ArrayList<>(
        List.of("nightly", "--date=" + t, "--logs=" + logs, "--output=" + out));
    args.addAll(extra);
    long start = System.nanoTime();
    Runs.Cli cli = Runs.encore(args.toArray(String[]::new));
    assertThat("nightly --date=" + t + "\n" + cli, cli.code(), equalTo(0));
    runs.put(t, (System.nanoTime() - start) / 1_000_000);
    try {
      for (String dataset : DATASETS) {
        for (LocalDate d : anchors) {
          Path partition = out.resolve(dataset).resolve("dt=" + d);
          if (!Files.isDirectory(partition)) {
            continue;
          }
          String fingerprint = TreeSnapshot.files(partition).entrySet().stream()
              .filter(e -> !e.getKey().endsWith("_run.json"))
              .map(e -> e.getKey() + "=" + e.getValue())
              .toList()
              .toString();
          Map<String, String> kept = lastKept.computeIfAbsent(dataset, k -> new TreeMap<>());
          if (!fingerprint.equals(kept.get(d.toString()))) {
            TreeSnapshot.copy(partition, versionDir(dataset, d, t));
            kept.put(d.toString(), fingerprint);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path versionDir(String dataset, LocalDate d, LocalDate t) {
    return versions.resolve(dataset).resolve("dt=" + d).resolve("as_of=" + t);
  }

  /** The run dates of the kept versions of dataset/dt=d, oldest first. */
  public List<LocalDate> versionDates(String dataset, LocalDate d) {
    Path dir = versions.resolve(dataset).resolve("dt=" + d);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> LocalDate.parse(p.getFileName().toString().substring("as_of=".length())))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every kept version of dataset/dt=d, read back with DuckDB, oldest first. */
  public List<RewardInvariants.Version> versions(DuckDb db, String dataset, LocalDate d) {
    List<RewardInvariants.Version> out = new ArrayList<>();
    for (LocalDate t : versionDates(dataset, d)) {
      out.add(new RewardInvariants.Version(t, readRows(db, versionDir(dataset, d, t))));
    }
    return out;
  }

  /**
   * The rows of one partition folder by column name ({@code hive_partitioning} off: only the file's columns).
   * DATE is LocalDate, LIST is java.util.List, timestamps are Instant; an empty partition has no rows.
   */
  public static List<Map<String, Object>> readRows(DuckDb db, Path partitionDir) {
    try (Stream<Path> s = Files.list(partitionDir)) {
      if (s.noneMatch(p -> p.getFileName().toString().endsWith(".parquet"))) {
        return List.of();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String from = "read_parquet(" + DuckDb.quote(partitionDir.toAbsolutePath() + "/*.parquet")
        + ", hive_partitioning=false)";
    List<String> names = new ArrayList<>();
    for (List<Object> c : db.rows("DESCRIBE SELECT * FROM " + from)) {
      names.add((String) c.get(0));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (List<Object> values : db.rows("SELECT * FROM " + from)) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        row.put(names.get(i), plain(values.get(i)));
      }
      rows.add(row);
    }
    return rows;
  }

  /** Timestamps as Instant (one type whatever DuckDB's JDBC gives), lists recursively. */
  public static Object plain(Object v) {
    if (v instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (v instanceof LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC);
    }
    if (v instanceof java.sql.Timestamp ts) {
      return ts.toInstant();
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate();
    }
    if (v instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(e -> copy.add(plain(e)));
      return copy;
    }
    return v;
  }
}
