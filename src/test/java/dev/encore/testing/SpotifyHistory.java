package dev.encore.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/**
 * Turns a slice of the real Spotify streaming histories (shared/data, never copied into the repository) into
 * arrival partitions {@code <logs>/dt=YYYY-MM-DD/part-00000.avro} with {@code _SUCCESS}.
 */
public final class SpotifyHistory {
  public static final String FILE_NAME = "spotify-history-102-users.csv.gz";
  /** Where the data lives relative to the repository root (the working directory of Maven tests). */
  public static final Path RELATIVE_PATH = Path.of("..", "shared", "data", FILE_NAME);

  private static final String HEADER = "user_id,end_time_utc,artist_id,track_id,ms_played";
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private SpotifyHistory() {}

  /** What one conversion wrote: the day range, the users that had plays in it and the plays per day. */
  public record Conversion(
      Path logsRoot, LocalDate from, LocalDate to, Set<String> users, Map<LocalDate, Long> playsPerDay) {
    public Conversion {
      users = Collections.unmodifiableSet(new TreeSet<>(users));
      playsPerDay = Collections.unmodifiableMap(new TreeMap<>(playsPerDay));
    }

    /** Plays written over the whole range. */
    public long plays() {
      return playsPerDay.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The data file resolved from the working directory; fails with a clear message when it is absent. */
  public static Path dataFile() {
    return dataFile(Path.of(""));
  }

  /** The data file resolved from the given repository root. */
  public static Path dataFile(Path repoRoot) {
    Path file = repoRoot.toAbsolutePath().resolve(RELATIVE_PATH).normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "Spotify listening history not found at "
              + file
              + " (expected ../shared/data/"
              + FILE_NAME
              + " next to the repository; see shared/data/README.md)");
    }
    return file;
  }

  /** The user ids sp001 .. spNNN: the first n users of the file. */
  public static List<String> firstUsers(int n) {
    List<String> users = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      users.add(String.format("sp%03d", i));
    }
    return users;
  }

  /** The deterministic event id of a data row: user and 1-based row number (header excluded), zero-padded. */
  public static String eventId(String userId, long row) {
    // Zero padding keeps string order equal to file order, which breaks ties between same-minute plays.
    return String.format("%s-%07d", userId, row);
  }

  /** Converts the plays of these users whose end_time_utc day is in [from, to] from {@link #dataFile()}. */
  public static Conversion convert(Path logsRoot, Collection<String> users, LocalDate from, LocalDate to) {
    return convert(dataFile(), logsRoot, users, from, to);
  }

  /** Converts the plays of these users whose end_time_utc day is in [from, to] from the given csv.gz. */
  public static Conversion convert(
      Path csvGz, Path logsRoot, Collection<String> users, LocalDate from, LocalDate to) {
    if (users.isEmpty() || to.isBefore(from)) {
      throw new IllegalArgumentException("need at least one user and from <= to");
    }
    Set<String> wanted = Set.copyOf(users);
    Schema schema = ListeningLogs.schema();
    // Only the slice is kept in memory; the 1.9M-row file itself is streamed.
    Map<LocalDate, List<GenericRecord>> byDay = new TreeMap<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      byDay.put(d, new ArrayList<>());
    }
    Set<String> seenUsers = new TreeSet<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(csvGz), 1 << 16), StandardCharsets.UTF_8))) {
      String header = in.readLine();
      if (!HEADER.equals(header)) {
        throw new IllegalStateException("unexpected header in " + csvGz + ": " + header);
      }
      long row = 0;
      String line;
      while ((line = in.readLine()) != null) {
        row++;
        String[] f = line.split(",", -1);
        if (f.length != 5) {
          throw new IllegalStateException(csvGz + " row " + row + ": expected 5 columns, got " + f.length);
        }
        if (!wanted.contains(f[0])) {
          continue;
        }
        LocalDateTime end = LocalDateTime.parse(f[1], MINUTE);
        List<GenericRecord> day = byDay.get(end.toLocalDate());
        if (day == null) {
          continue;
        }
        day.add(
            new GenericRecordBuilder(schema)
                .set("event_id", eventId(f[0], row))
                .set("user_id", f[0])
                .set("ts", end.toInstant(ZoneOffset.UTC).toEpochMilli())
                .set("ms_played", Long.parseLong(f[4]))
                .set("content_type", "TRACK")
                .set("item_id", f[3])
                .set("artist_id", f[2])
                .build());
        seenUsers.add(f[0]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + csvGz, e);
    }

    Map<LocalDate, Long> playsPerDay = new TreeMap<>();
    for (Map.Entry<LocalDate, List<GenericRecord>> e : byDay.entrySet()) {
      // Every day gets a file and a _SUCCESS, even without plays: an absent day would mean "not arrived".
      Path dir = ListeningLogs.partitionDir(logsRoot, e.getKey());
      ListeningLogs.write(dir.resolve("part-00000.avro"), schema, e.getValue());
      ListeningLogs.markSuccess(dir);
      playsPerDay.put(e.getKey(), (long) e.getValue().size());
    }
    return new Conversion(logsRoot, from, to, seenUsers, playsPerDay);
  }
}
