package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.publish.Publisher;
import dev.encore.testing.DuckDb;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Shared steps of the tests of docs/rewards.md version 2 ("labels that are true when published"): running the
 * nightly, rewriting logs without the plays of some days, the finality of days from the input calendar, and the
 * published reward rows read back as Java records with the doc's column names.
 */
final class LabelsV2 {
  static final int L = 3;
  /** Publication ages of {@code checkpoints: auto} with the default definition. */
  static final List<Integer> AGES = List.of(4, 10, 31, 63);
  static final List<String> REWARDS = List.of("user_rewards", "user_entity_rewards", "entity_rewards");
  static final List<Integer> USER_HORIZONS = List.of(7, 28, 60);
  static final List<Integer> DISCOVERY_HORIZONS = List.of(7, 28);
  static final int LOOKBACK = 60;
  /** {@code stickiness_days} − 1: the discovery window. */
  static final int TRACE = 59;
  /**
   * The runner of these tests' nightly runs: the DirectRunner (faster than the embedded Flink on these small inputs,
   * see the class comments of the tests); {@code -Dencore.labels.runner=FlinkRunner} to check on Flink.
   */
  static final String RUNNER = System.getProperty("encore.labels.runner", "DirectRunner");

  private static final ObjectMapper JSON = new ObjectMapper();

  private LabelsV2() {}

  /** {@code nightly} through the command line on {@link #RUNNER}; fails with its output unless it exits 0. */
  static Runs.Cli nightly(Path logs, Path out, LocalDate date, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "nightly", "--date=" + date, "--logs=" + logs, "--output=" + out, "--runner=" + RUNNER));
    args.addAll(List.of(extra));
    long t0 = System.nanoTime();
    Runs.Cli run = Runs.encore(args.toArray(String[]::new));
    System.out.printf("nightly %s on %s (%s%s): %.1f s%n", date, out.getFileName(), RUNNER,
        extra.length == 0 ? "" : " " + String.join(" ", extra), (System.nanoTime() - t0) / 1e9);
    assertThat(run.toString(), run.code(), equalTo(0));
    return run;
  }

  /** The arrival days {@code dt=} under a logs root, sorted. */
  static List<LocalDate> arrivalDays(Path logs) {
    try (Stream<Path> s = Files.list(logs)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("dt="))
          .map(n -> LocalDate.parse(n.substring(3))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies a logs root to {@code to}, leaving out every record whose play day (UTC day of {@code ts}) matches
   * {@code drop}, whatever arrival partition holds it; each Avro file is rewritten with its own schema. Returns the
   * number of records left out.
   */
  static long copyWithout(Path from, Path to, Predicate<LocalDate> drop) throws IOException {
    TreeSnapshot.copy(from, to);
    long dropped = 0;
    List<Path> files;
    try (Stream<Path> s = Files.walk(to)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".avro")).sorted().toList();
    }
    for (Path file : files) {
      List<GenericRecord> kept = new ArrayList<>();
      org.apache.avro.Schema schema;
      long before = 0;
      try (DataFileReader<GenericRecord> r = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
        schema = r.getSchema();
        for (GenericRecord rec : r) {
          before++;
          Object ts = rec.get("ts");
          long millis = ts instanceof Instant i ? i.toEpochMilli() : ((Number) ts).longValue();
          if (!drop.test(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate())) {
            kept.add(rec);
          }
        }
      }
      if (kept.size() == before) {
        continue;
      }
      dropped += before - kept.size();
      Files.delete(file);
      try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
        w.setCodec(CodecFactory.deflateCodec(6));
        w.create(schema, file.toFile());
        for (GenericRecord rec : kept) {
          w.append(rec);
        }
      }
    }
    return dropped;
  }

  // ---------------------------------------------------------------------------------------------- the calendar

  /**
   * Which days are final in run T (docs/rewards.md, "The input calendar and final days"): d + L ≤ T and every arrival
   * day d − 1 … d + L is complete, i.e. on or after F and not in {@code incomplete}.
   */
  record Finality(LocalDate f, LocalDate t, Set<LocalDate> incomplete) {
    boolean arrivalComplete(LocalDate a) {
      return !a.isBefore(f) && !incomplete.contains(a);
    }

    boolean isFinal(LocalDate d) {
      if (d.plusDays(L).isAfter(t)) {
        return false;
      }
      for (LocalDate a = d.minusDays(1); !a.isAfter(d.plusDays(L)); a = a.plusDays(1)) {
        if (!arrivalComplete(a)) {
          return false;
        }
      }
      return true;
    }

    int daysFinal(LocalDate anchor, int window) {
      int k = 0;
      while (k < window && isFinal(anchor.plusDays(k + 1))) {
        k++;
      }
      return k;
    }

    boolean lookbackComplete(LocalDate d) {
      for (int k = 1; k <= LOOKBACK; k++) {
        if (!isFinal(d.minusDays(k))) {
          return false;
        }
      }
      return true;
    }

    /** The anchors run T publishes (final, on or after F) and those it withholds, by publication age. */
    Map<LocalDate, Boolean> anchors() {
      Map<LocalDate, Boolean> m = new TreeMap<>();
      for (int a : AGES) {
        LocalDate d = t.minusDays(a);
        if (!d.isBefore(f)) {
          m.put(d, isFinal(d));
        }
      }
      return m;
    }
  }

  /** {@code <out>/_encore/input_calendar.json}. */
  static JsonNode inputCalendar(Path out) throws IOException {
    return JSON.readTree(out.resolve("_encore/input_calendar.json").toFile());
  }

  /**
   * The calendar's entry for arrival day {@code dt} as "complete" / "incomplete", or null when the day has none.
   * Reads the layouts a calendar with one entry per day can reasonably have: an object keyed by day (or such an
   * object, or an array of entries with a {@code dt}/{@code day} field, under one key), each entry a boolean, a
   * status string, or an object with {@code complete} (boolean) or {@code status}/{@code state}.
   */
  static String calendarEntry(JsonNode calendar, LocalDate dt) {
    JsonNode e = findEntry(calendar, dt.toString());
    if (e == null) {
      return null;
    }
    if (e.isBoolean()) {
      return e.asBoolean() ? "complete" : "incomplete";
    }
    if (e.isTextual()) {
      return e.asText();
    }
    if (e.has("complete")) {
      return e.get("complete").asBoolean() ? "complete" : "incomplete";
    }
    for (String k : List.of("status", "state", "input")) {
      if (e.has(k)) {
        return e.get(k).asText();
      }
    }
    return e.toString();
  }

  private static JsonNode findEntry(JsonNode node, String dt) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      if (node.has(dt)) {
        return node.get(dt);
      }
      if (node.has("dt=" + dt)) {
        return node.get("dt=" + dt);
      }
      for (JsonNode child : node) {
        if (child.isContainerNode()) {
          JsonNode found = findEntry(child, dt);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    }
    if (node.isArray()) {
      for (JsonNode child : node) {
        for (String k : List.of("dt", "day", "arrival_day", "date")) {
          if (child.isObject() && child.has(k) && child.get(k).asText().equals(dt)) {
            return child;
          }
        }
        if (child.isContainerNode()) {
          JsonNode found = findEntry(child, dt);
          if (found != null) {
            return found;
          }
        }
      }
    }
    return null;
  }

  /** {@code withheld_partitions} of a published partition's {@code _run.json}, as JSON text ("" when absent). */
  static String withheld(Path partition) throws IOException {
    Object w = Publisher.readMetadata(partition).get("withheld_partitions");
    return w == null ? "" : JSON.writeValueAsString(w);
  }

  // ------------------------------------------------------------------------------------------ published rows

  static boolean hasParquet(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The partition days {@code dt=} published (sealed with _SUCCESS) in a dataset. */
  static Set<LocalDate> published(Path out, String dataset) {
    Set<LocalDate> days = new TreeSet<>();
    Path dir = out.resolve(dataset);
    if (!Files.isDirectory(dir)) {
      return days;
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith("dt=") && Files.exists(p.resolve(Publisher.SUCCESS)))
          .forEach(p -> days.add(LocalDate.parse(p.getFileName().toString().substring(3))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return days;
  }

  /** The rows of a query as maps by column name (values as {@link DuckDb#rows} returns them). */
  static List<Map<String, Object>> maps(String sql) {
    try (DuckDb db = DuckDb.open()) {
      List<String> names = new ArrayList<>();
      for (List<Object> c : db.rows("DESCRIBE " + sql)) {
        names.add((String) c.get(0));
      }
      List<Map<String, Object>> out = new ArrayList<>();
      for (List<Object> r : db.rows(sql)) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          m.put(names.get(i), r.get(i));
        }
        out.add(m);
      }
      return out;
    }
  }

  /** The user_rewards columns of docs/rewards.md version 2 with the default definition. */
  static final String USER_COLUMNS = "user_id, anchor_date, active_days_7, active_days_28, active_days_60,"
      + " return_d1, days_to_return_60, streams_28, ms_played_28, user_first_active_date, as_of, days_final,"
      + " mature_1, mature_7, mature_28, mature_60";
  static final String DISCOVERY_COLUMNS = "user_id, entity_level, entity_id, discovery_date, trace, stickiness_60,"
      + " active_days_7, active_days_28, discovery_kind, discovery_ts, discovery_item_id,"
      + " discovery_platform, discovery_context_type, discovery_reason_start, lookback_complete, as_of, days_final,"
      + " mature_7, mature_28, trace_mature";
  static final String ENTITY_COLUMNS = "entity_level, entity_id, discovery_date, discoverers,"
      + " new_user_discoverers, mean_stickiness_60, active_by_offset, as_of, days_final, trace_mature";

  /** Every row of a reward dataset under an output root (every partition), with the v2 columns; none if empty. */
  static List<Map<String, Object>> rows(Path out, String dataset) {
    if (!hasParquet(out.resolve(dataset))) {
      return List.of();
    }
    String columns = switch (dataset) {
      case "user_rewards" -> USER_COLUMNS;
      case "user_entity_rewards" -> DISCOVERY_COLUMNS;
      case "entity_rewards" -> ENTITY_COLUMNS;
      default -> "*";
    };
    return maps("SELECT " + columns + " FROM " + DuckDb.readDataset(out, dataset));
  }

  static LocalDate date(Object o) {
    return o == null ? null : LocalDate.parse(o.toString());
  }

  static Integer integer(Object o) {
    return o == null ? null : ((Number) o).intValue();
  }

  static Long number(Object o) {
    return o == null ? null : ((Number) o).longValue();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  /** The key of a row: its identifying columns joined, e.g. {@code u1|2024-03-02}. */
  static String key(String dataset, Map<String, Object> r) {
    return switch (dataset) {
      case "user_rewards" -> r.get("user_id") + "|" + r.get("anchor_date");
      case "user_entity_rewards" -> r.get("user_id") + "|" + r.get("entity_level") + "|" + r.get("entity_id")
          + "|" + r.get("discovery_date");
      default -> r.get("entity_level") + "|" + r.get("entity_id") + "|" + r.get("discovery_date");
    };
  }

  /** The anchor or discovery day of a row. */
  static LocalDate day(Map<String, Object> r) {
    return date(r.containsKey("anchor_date") ? r.get("anchor_date") : r.get("discovery_date"));
  }

  /** Counts by name, printed and compared as one map so that a failure shows every count at once. */
  static final class Counts {
    final Map<String, Long> counts = new TreeMap<>();
    final Map<String, List<String>> examples = new TreeMap<>();

    void zero(String name) {
      counts.putIfAbsent(name, 0L);
    }

    void check(String name, boolean violated, Object example) {
      zero(name);
      if (violated) {
        counts.merge(name, 1L, Long::sum);
        List<String> ex = examples.computeIfAbsent(name, k -> new ArrayList<>());
        if (ex.size() < 3) {
          ex.add(String.valueOf(example));
        }
      }
    }

    Map<String, Long> nonZero() {
      Map<String, Long> m = new TreeMap<>();
      counts.forEach((k, v) -> {
        if (v != 0) {
          m.put(k, v);
        }
      });
      return m;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      counts.forEach((k, v) -> b.append(String.format("  %-70s %d%n", k, v)));
      examples.forEach((k, v) -> b.append("  e.g. ").append(k).append(": ").append(v).append('\n'));
      return b.toString();
    }
  }

  /**
   * Checks every row run T published (as_of = T) against the doc's rules that follow from the calendar: days_final,
   * the maturity flags, nulls of non-final days, lookback_complete and discovery_kind, progressive counts that agree
   * with the trace, and entity_rewards aggregating the lookback-complete discoveries. Adds one count per rule.
   */
  static void checkRun(Path out, Finality fin, Counts c) {
    LocalDate t = fin.t();
    // Published and withheld partitions.
    Map<LocalDate, Boolean> anchors = fin.anchors();
    for (String dataset : REWARDS) {
      Set<LocalDate> pub = published(out, dataset);
      anchors.forEach((d, isFinal) -> {
        c.check("withheld: partition of a non-final day published (" + dataset + ")",
            !isFinal && pub.contains(d), d);
        c.check("published: partition of a final day missing (" + dataset + ")", isFinal && !pub.contains(d), d);
      });
    }
    List<Map<String, Object>> users = new ArrayList<>();
    for (Map<String, Object> r : rows(out, "user_rewards")) {
      if (t.equals(date(r.get("as_of")))) {
        users.add(r);
      }
    }
    for (Map<String, Object> r : users) {
      LocalDate d = day(r);
      int df = integer(r.get("days_final"));
      c.check("user_rewards: row of a day that is not final", !fin.isFinal(d), key("user_rewards", r));
      c.check("user_rewards: days_final not as the calendar says", df != fin.daysFinal(d, 60), r);
      c.check("user_rewards: mature_1 not days_final >= 1", (Boolean) r.get("mature_1") != df >= 1, r);
      for (int n : USER_HORIZONS) {
        c.check("user_rewards: mature_N not days_final >= N", (Boolean) r.get("mature_" + n) != df >= n, r);
      }
      c.check("user_rewards: return_d1 non-null while D+1 not final", df < 1 && r.get("return_d1") != null, r);
      c.check("user_rewards: return_d1 null while D+1 final", df >= 1 && r.get("return_d1") == null, r);
      Integer ret = integer(r.get("days_to_return_60"));
      c.check("user_rewards: days_to_return_60 beyond days_final (or 60)",
          ret != null && (ret < 1 || ret > df || ret > 60), r);
      c.check("user_rewards: return_d1 disagrees with days_to_return_60", df >= 1
          && r.get("return_d1") != null && (Boolean) r.get("return_d1") != Integer.valueOf(1).equals(ret), r);
      // Progressive counts count days D+1 .. D+min(N, days_final) only, so horizons past days_final agree.
      long a7 = number(r.get("active_days_7"));
      long a28 = number(r.get("active_days_28"));
      long a60 = number(r.get("active_days_60"));
      c.check("user_rewards: active_days_N counts beyond days_final",
          (df <= 7 && (a28 != a7 || a60 != a7)) || (df <= 28 && a60 != a28) || a7 > Math.min(7, df)
              || a28 > Math.min(28, df) || a60 > Math.min(60, df) || a7 > a28 || a28 > a60, r);
      c.check("user_rewards: days_to_return_60 null although active in the final days",
          ret == null && a60 > 0, r);
      LocalDate first = date(r.get("user_first_active_date"));
      boolean firstBad = false;
      if (first != null) {
        firstBad = first.isAfter(d) || first.isBefore(d.minusDays(LOOKBACK));
        for (int k = 1; k <= LOOKBACK && !firstBad; k++) {
          firstBad = !fin.isFinal(first.minusDays(k));
        }
      }
      c.check("user_rewards: user_first_active_date with a lookback that is not final", firstBad, r);
    }
    List<Map<String, Object>> discoveries = new ArrayList<>();
    for (Map<String, Object> r : rows(out, "user_entity_rewards")) {
      if (t.equals(date(r.get("as_of")))) {
        discoveries.add(r);
      }
    }
    Map<String, long[]> expectedEntity = new TreeMap<>();
    Map<String, List<Long>> expectedOffsets = new TreeMap<>();
    for (Map<String, Object> r : discoveries) {
      LocalDate d = day(r);
      int df = integer(r.get("days_final"));
      String key = key("user_entity_rewards", r);
      c.check("user_entity_rewards: row of a day that is not final", !fin.isFinal(d), key);
      c.check("user_entity_rewards: days_final not as the calendar says", df != fin.daysFinal(d, TRACE), r);
      for (int n : DISCOVERY_HORIZONS) {
        c.check("user_entity_rewards: mature_N not days_final >= N", (Boolean) r.get("mature_" + n) != df >= n, r);
      }
      boolean traceMature = (Boolean) r.get("trace_mature");
      c.check("user_entity_rewards: trace_mature not days_final = 59", traceMature != (df == TRACE), r);
      List<Object> trace = list(r.get("trace"));
      boolean traceBad = trace == null || trace.size() != TRACE;
      long trues = 0;
      Map<Integer, Long> prefixTrues = new TreeMap<>();
      for (int k = 1; !traceBad && k <= TRACE; k++) {
        Object e = trace.get(k - 1);
        traceBad = (e == null) != (k > df);
        if (Boolean.TRUE.equals(e)) {
          trues++;
        }
        prefixTrues.put(k, trues);
      }
      c.check("user_entity_rewards: trace entry non-null for a non-final day (or null for a final one)",
          traceBad, r);
      Long st = number(r.get("stickiness_60"));
      c.check("user_entity_rewards: stickiness_60 not 1 + trues when trace_mature, null before",
          traceMature ? st == null || st != 1 + trues : st != null, r);
      for (int n : DISCOVERY_HORIZONS) {
        long expected = Math.min(n, df) == 0 ? 0 : prefixTrues.getOrDefault(Math.min(n, df), 0L);
        c.check("user_entity_rewards: active_days_N not the trues of trace[1..min(N, days_final)]",
            !traceBad && number(r.get("active_days_" + n)) != expected, r);
      }
      boolean lookback = (Boolean) r.get("lookback_complete");
      c.check("user_entity_rewards: lookback_complete not as the calendar says",
          lookback != fin.lookbackComplete(d), key + " " + lookback);
      Object kind = r.get("discovery_kind");
      c.check("user_entity_rewards: discovery_kind set although the lookback is not complete",
          !lookback && kind != null, r);
      c.check("user_entity_rewards: discovery_kind missing or unknown with a complete lookback",
          lookback && !("new_to_entity".equals(kind) || "new_user".equals(kind)), r);
      if (lookback) {
        String ek = r.get("entity_level") + "|" + r.get("entity_id") + "|" + d;
        long[] counts = expectedEntity.computeIfAbsent(ek, k -> new long[2]);
        counts["new_user".equals(kind) ? 1 : 0]++;
        List<Long> offsets = expectedOffsets.computeIfAbsent(ek, k -> new ArrayList<>());
        for (int k = 1; k <= TRACE; k++) {
          if (offsets.size() < k) {
            offsets.add(k <= df ? 0L : null);
          }
          if ("new_to_entity".equals(kind) && !traceBad && Boolean.TRUE.equals(trace.get(k - 1))) {
            offsets.set(k - 1, offsets.get(k - 1) + 1);
          }
        }
      }
    }
    Set<String> seen = new TreeSet<>();
    for (Map<String, Object> r : rows(out, "entity_rewards")) {
      if (!t.equals(date(r.get("as_of")))) {
        continue;
      }
      LocalDate d = day(r);
      int df = integer(r.get("days_final"));
      String ek = key("entity_rewards", r);
      seen.add(ek);
      long[] expected = expectedEntity.get(ek);
      c.check("entity_rewards: row without a lookback-complete discovery", expected == null, ek);
      c.check("entity_rewards: days_final not as the calendar says", df != fin.daysFinal(d, TRACE), r);
      c.check("entity_rewards: trace_mature not days_final = 59", (Boolean) r.get("trace_mature") != (df == TRACE),
          r);
      if (expected != null) {
        c.check("entity_rewards: discoverers / new_user_discoverers not the discoveries' kinds",
            number(r.get("discoverers")) != expected[0] || number(r.get("new_user_discoverers")) != expected[1], r);
        c.check("entity_rewards: active_by_offset not the new_to_entity traces (null for non-final days)",
            !expectedOffsets.get(ek).equals(list(r.get("active_by_offset")).stream().map(LabelsV2::number).toList()),
            r);
      }
    }
    for (String ek : expectedEntity.keySet()) {
      c.check("entity_rewards: no row for an entity with lookback-complete discoveries", !seen.contains(ek), ek);
    }
  }
}
