package dev.encore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Delivers a share of the plays of existing arrival partitions 1–3 days late, deterministically: whether a play
 * moves, and how far, depends only on a hash of its {@code event_id} (SHA-256), so the same logs give the same
 * files on every machine.
 *
 * <p>A play of day d (the UTC day of {@code ts}) that sits in arrival partition A moves to A + k, k = 1 + (hash
 * mod 3), cut to d + L (the validator's lateness: a play may arrive in d − 1 … d + L) and to the last partition
 * of the logs; when that leaves it where it was, it stays. Only records whose {@code ts} is valid for their
 * partition move (a record rejected as future or too late keeps its rejection), and records without an event id
 * stay. Every copy of an event moves by the same k, so duplicate deliveries stay duplicates. Moved records go to
 * {@code late-00000.avro} of their new partition; the files they left are rewritten without them. Every partition
 * keeps its {@code _SUCCESS}. A generator manifest ({@code _generator.json}), whose counts per partition no longer
 * hold, is removed.
 */
public final class LateDelivery {
  private static final long DAY_MS = 86_400_000L;
  private static final long HOUR_MS = 3_600_000L;
  /** The file moved plays are written to in their new partition. */
  public static final String LATE_FILE = "late-00000.avro";

  private LateDelivery() {}

  /** What {@link #apply} did: records moved, records seen, and moved records per delay in days (1, 2, 3). */
  public record Result(long records, long moved, Map<Integer, Long> movedByDelay) {
    /** Share of the records that moved. */
    public double movedShare() {
      return records == 0 ? 0 : (double) moved / records;
    }
  }

  /** Hash of an event id: the first 8 bytes of its SHA-256, as a non-negative long. */
  static long hash(String eventId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(eventId.getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h & Long.MAX_VALUE;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the play with this event id is delivered late at the given share (0 … 1): hash mod 10 000. */
  public static boolean chosen(String eventId, double share) {
    return hash(eventId) % 10_000 < Math.round(share * 10_000);
  }

  /** The delay in days (1, 2 or 3) asked for this event id, before the lateness cut. */
  public static int delayDays(String eventId) {
    return 1 + (int) ((hash(eventId) / 10_000) % 3);
  }

  /**
   * Moves about {@code share} of the records under logsRoot 1–3 days later (see the class comment), L =
   * {@code allowedLatenessDays}.
   */
  public static Result apply(Path logsRoot, double share, int allowedLatenessDays) {
    List<LocalDate> partitions = SpecOracle.arrivalPartitions(logsRoot);
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("no arrival partition under " + logsRoot);
    }
    LocalDate last = partitions.get(partitions.size() - 1);
    Map<LocalDate, List<GenericRecord>> arriving = new TreeMap<>();
    Schema schema = null;
    long records = 0;
    long moved = 0;
    Map<Integer, Long> byDelay = new TreeMap<>();
    for (LocalDate dt : partitions) {
      Path dir = ListeningLogs.partitionDir(logsRoot, dt);
      for (Path file : avroFiles(dir)) {
        Schema fileSchema;
        List<GenericRecord> kept = new ArrayList<>();
        boolean changed = false;
        try (DataFileReader<GenericRecord> in =
            new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
          fileSchema = in.getSchema();
          for (GenericRecord r : in) {
            records++;
            LocalDate target = target(r, dt, share, allowedLatenessDays, last);
            if (target == null) {
              kept.add(r);
            } else {
              arriving.computeIfAbsent(target, t -> new ArrayList<>()).add(r);
              moved++;
              byDelay.merge((int) (target.toEpochDay() - dt.toEpochDay()), 1L, Long::sum);
              changed = true;
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file, e);
        }
        if (schema == null) {
          schema = fileSchema;
        } else if (!schema.equals(fileSchema)) {
          throw new IllegalStateException("files of " + logsRoot + " have different schemas: " + file);
        }
        if (changed) {
          ListeningLogs.write(file, fileSchema, kept);
        }
      }
    }
    for (Map.Entry<LocalDate, List<GenericRecord>> e : arriving.entrySet()) {
      Path file = ListeningLogs.partitionDir(logsRoot, e.getKey()).resolve(LATE_FILE);
      if (Files.exists(file)) {
        throw new IllegalStateException(file + " exists: late delivery was applied twice");
      }
      ListeningLogs.write(file, schema, e.getValue());
    }
    try {
      Files.deleteIfExists(logsRoot.resolve("_generator.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Result(records, moved, byDelay);
  }

  /** The partition a record moves to, or null when it stays in {@code dt}. */
  private static LocalDate target(
      GenericRecord r, LocalDate dt, double share, int lateness, LocalDate last) {
    Object id = r.get("event_id");
    Object ts = r.get("ts");
    if (id == null || id.toString().isEmpty() || !(ts instanceof Long end)) {
      return null;
    }
    // Only records whose ts is valid where they are: a rejected one keeps its reason.
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(end, DAY_MS));
    boolean future = end > dt.plusDays(1).toEpochDay() * DAY_MS + HOUR_MS;
    boolean tooLate = day.isBefore(dt.minusDays(lateness));
    if (future || tooLate || !chosen(id.toString(), share)) {
      return null;
    }
    LocalDate target = dt.plusDays(delayDays(id.toString()));
    LocalDate latest = day.plusDays(lateness);
    if (target.isAfter(latest)) {
      target = latest;
    }
    if (target.isAfter(last)) {
      target = last;
    }
    return target.isAfter(dt) ? target : null;
  }

  private static List<Path> avroFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".avro")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
