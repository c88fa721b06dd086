package dev.encore.predictions;

import dev.encore.testing.ListeningLogs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Every artist and show discovery of complete arrival partitions, as of the last one (run T), computed from the Avro
 * files alone by docs/rewards.md, without the pipeline's code, streaming (millions of plays fit in memory as one
 * long per qualifying play).
 *
 * <p>Readings: a play counts when some delivery of it is valid (SPEC.md's rules: required ids not empty, content
 * type TRACK or EPISODE, 0 ≤ ms_played ≤ 7 days, ts at most an hour past the end of its arrival day and its day no
 * more than L days before it) and not private. Activity is a set of days, so which copy of a duplicated event is
 * kept does not matter. The logs must hold every day F … T, each sealed: then day d is final iff F + 1 ≤ d ≤ T − L,
 * a lookback D − 60 … D − 1 is complete iff D − 61 ≥ F, and days_final = min(59, T − L − D) (at least 0). A
 * discovery is {@code new_to_entity} when its lookback is complete and the user has a qualifying play (of any kind,
 * any entity) on one of D − 60 … D − 1.
 */
final class LoggedDiscoveries {
  static final int LOOKBACK = 60;
  static final int TRACE = 59;
  static final int MATURITY_AGE = 63;
  static final int FIT_DAYS = 60;
  static final List<String> LEVELS = List.of("artist", "show");
  private static final long DAY_MS = 86_400_000L;
  private static final long HOUR_MS = 3_600_000L;
  private static final long MAX_MS_PLAYED = 7 * DAY_MS;
  // Packing of one qualifying play: user (24 bits) | entity (26 bits) | day - F (12 bits).
  private static final int DAY_BITS = 12;
  private static final int ENTITY_BITS = 26;

  /** One discovery: the trace holds D + 1 … D + daysFinal (bit j - 1 for D + j). */
  record Discovery(String user, String level, String entity, long day, boolean lookbackComplete,
      boolean newToEntity, int daysFinal, BitSet trace) {
    /** A model discovery (docs/rewards.md, "Which discoveries count"). */
    boolean model() {
      return lookbackComplete && newToEntity;
    }

    DiscoveryTrace toTrace() {
      return new DiscoveryTrace(entity, day, daysFinal, trace);
    }
  }

  final long first;
  final long last;
  final int lateness;
  final List<Discovery> all = new ArrayList<>();

  /** The input contract's fields this reader needs: skipping the others halves the decoding time. */
  private static final Schema READ = projection(ListeningLogs.schema(), List.of("event_id", "user_id", "ts",
      "ms_played", "content_type", "item_id", "artist_id", "show_id", "incognito_mode"));

  private final Map<String, Integer> users = new HashMap<>();
  private final List<String> userNames = new ArrayList<>();
  @SuppressWarnings("unchecked")
  private final Map<String, Integer>[] entities = new Map[] {new HashMap<>(), new HashMap<>()};
  @SuppressWarnings("unchecked")
  private final List<String>[] entityNames = new List[] {new ArrayList<>(), new ArrayList<>()};
  private final long[][] plays = {new long[1 << 16], new long[1 << 16]};
  private final int[] size = new int[2];
  private final List<BitSet> userDays = new ArrayList<>();

  /** The discoveries as of the last partition of {@code logs}. */
  LoggedDiscoveries(Path logs, int lateness) {
    this(logs, lateness, LocalDate.MAX);
  }

  /**
   * The discoveries as of run {@code asOf}: reads the partitions up to it; fails unless every day from the first
   * partition to the last one read is present and sealed.
   */
  LoggedDiscoveries(Path logs, int lateness, LocalDate asOf) {
    this.lateness = lateness;
    List<Path> partitions;
    try (Stream<Path> dirs = Files.list(logs)) {
      partitions = dirs.filter(p -> p.getFileName().toString().startsWith("dt="))
          .filter(p -> day(p) <= asOf.toEpochDay()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (partitions.isEmpty()) {
      throw new IllegalArgumentException("no dt=YYYY-MM-DD partition under " + logs);
    }
    first = day(partitions.get(0));
    last = day(partitions.get(partitions.size() - 1));
    if (partitions.size() != last - first + 1) {
      throw new IllegalArgumentException(logs + " misses arrival days between its first and last partition; "
          + "this reader assumes complete input");
    }
    if (last - first >= 1 << DAY_BITS) {
      throw new IllegalArgumentException("more than " + (1 << DAY_BITS) + " days in " + logs);
    }
    for (Path partition : partitions) {
      if (!Files.isRegularFile(partition.resolve("_SUCCESS"))) {
        throw new IllegalArgumentException(partition + " is not sealed (no _SUCCESS); expected complete input");
      }
      read(partition, day(partition));
    }
    for (int level = 0; level < 2; level++) {
      findDiscoveries(level);
      plays[level] = null;
    }
  }

  private static long day(Path partition) {
    return LocalDate.parse(partition.getFileName().toString().substring("dt=".length())).toEpochDay();
  }

  private void read(Path partition, long arrival) {
    List<Path> files;
    try (Stream<Path> list = Files.list(partition)) {
      files = list.filter(f -> f.toString().endsWith(".avro")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path file : files) {
      try (DataFileReader<GenericRecord> reader =
          new DataFileReader<>(file.toFile(), new GenericDatumReader<>(null, READ))) {
        GenericRecord r = null;
        while (reader.hasNext()) {
          r = reader.next(r);
          add(r, arrival);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  private void add(GenericRecord r, long arrival) {
    if (Boolean.TRUE.equals(r.get("incognito_mode"))) {
      return;
    }
    String user = str(r, "user_id");
    String type = str(r, "content_type");
    long ts = (Long) r.get("ts");
    long ms = (Long) r.get("ms_played");
    long day = Math.floorDiv(ts, DAY_MS);
    boolean valid = !str(r, "event_id").isEmpty() && !user.isEmpty() && !str(r, "item_id").isEmpty()
        && (type.equals("TRACK") || type.equals("EPISODE")) && ms >= 0 && ms <= MAX_MS_PLAYED
        && ts <= (arrival + 1) * DAY_MS + HOUR_MS && day >= arrival - lateness;
    boolean episode = type.equals("EPISODE");
    if (!valid || ms < (episode ? 60_000 : 30_000) || day < first || day > last) {
      // Before F: never final, never in a complete lookback. After T: read by run T but on no day it counts.
      return;
    }
    int u = users.computeIfAbsent(user, k -> {
      userNames.add(k);
      userDays.add(new BitSet());
      return userNames.size() - 1;
    });
    userDays.get(u).set((int) (day - first));
    String entity = str(r, episode ? "show_id" : "artist_id");
    if (entity == null) {
      return;
    }
    int level = episode ? 1 : 0;
    int e = entities[level].computeIfAbsent(entity, k -> {
      entityNames[level].add(k);
      return entityNames[level].size() - 1;
    });
    if (u >= 1 << (64 - ENTITY_BITS - DAY_BITS - 1) || e >= 1 << ENTITY_BITS) {
      throw new IllegalStateException("too many users or entities for this reader");
    }
    if (size[level] == plays[level].length) {
      plays[level] = Arrays.copyOf(plays[level], size[level] * 2);
    }
    plays[level][size[level]++] = ((long) u << (ENTITY_BITS + DAY_BITS)) | ((long) e << DAY_BITS) | (day - first);
  }

  /** Sorted packed plays: each (user, entity) run lists its active days ascending. */
  private void findDiscoveries(int level) {
    long[] p = Arrays.copyOf(plays[level], size[level]);
    Arrays.sort(p);
    long pairMask = ~((1L << DAY_BITS) - 1);
    int i = 0;
    while (i < p.length) {
      int end = i;
      while (end < p.length && (p[end] & pairMask) == (p[i] & pairMask)) {
        end++;
      }
      int u = (int) (p[i] >>> (ENTITY_BITS + DAY_BITS));
      int e = (int) ((p[i] >>> DAY_BITS) & ((1L << ENTITY_BITS) - 1));
      long previous = Long.MIN_VALUE;
      for (int j = i; j < end; j++) {
        long d = (p[j] & ((1L << DAY_BITS) - 1)) + first;
        if (d == previous) {
          continue;
        }
        if (previous == Long.MIN_VALUE || d - previous > LOOKBACK) {
          all.add(discovery(level, u, e, d, p, j, end));
        }
        previous = d;
      }
      i = end;
    }
  }

  private Discovery discovery(int level, int u, int e, long d, long[] p, int from, int end) {
    boolean complete = d - LOOKBACK - 1 >= first;
    BitSet days = userDays.get(u);
    int lookbackStart = (int) Math.max(0, d - LOOKBACK - first);
    int next = days.nextSetBit(lookbackStart);
    boolean activeBefore = next >= 0 && next < d - first;
    int daysFinal = (int) Math.max(0, Math.min(TRACE, last - lateness - d));
    BitSet trace = new BitSet();
    for (int j = from; j < end; j++) {
      long k = (p[j] & ((1L << DAY_BITS) - 1)) + first - d;
      if (k >= 1 && k <= daysFinal) {
        trace.set((int) k - 1);
      }
    }
    return new Discovery(userNames.get(u), LEVELS.get(level), entityNames[level].get(e), d, complete,
        complete && activeBefore, daysFinal, trace);
  }

  /**
   * The fit set of docs/rewards.md "Predictions" step 1 for one level as of T (the last day): mature model
   * discoveries with D in (T − M − fit_days, T − M].
   */
  List<DiscoveryTrace> fitSet(String level) {
    List<DiscoveryTrace> out = new ArrayList<>();
    for (Discovery d : all) {
      if (d.level().equals(level) && d.model() && d.daysFinal() == TRACE
          && d.day() > last - MATURITY_AGE - FIT_DAYS && d.day() <= last - MATURITY_AGE) {
        out.add(d.toTrace());
      }
    }
    return out;
  }

  private static Schema projection(Schema schema, List<String> names) {
    List<Schema.Field> fields = new ArrayList<>();
    for (String name : names) {
      Schema.Field f = schema.getField(name);
      fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
    }
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static String str(GenericRecord r, String field) {
    Object v = r.get(field);
    return v == null ? null : v.toString();
  }
}
