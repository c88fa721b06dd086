package dev.encore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Independent reference implementation of what {@code nightly --date=T} must publish to {@code sessions}, and of
 * the accepted play history ({@link #acceptedPlays}) that {@link RewardsOracle} computes the rewards from.
 *
 * <p>Deliberately naive: everything in memory, plain loops, no Beam, no generated Avro classes. End-to-end
 * tests compare the pipeline's output against it, so it must stay a literal reading of SPEC.md, not a
 * second copy of the pipeline's design.
 */
public final class SpecOracle {
  public static final String MISSING_FIELD = "missing_field";
  public static final String UNKNOWN_CONTENT_TYPE = "unknown_content_type";
  public static final String NEGATIVE_MS_PLAYED = "negative_ms_played";
  public static final String FUTURE_TIMESTAMP = "future_timestamp";
  public static final String TOO_LATE = "too_late";
  /** Rejection reasons in the order they are checked: the first failing rule wins. */
  public static final String INVALID_UTF8 = "invalid_utf8";
  public static final String ABSURD_MS_PLAYED = "absurd_ms_played";
  /** Longer plays than this (7 days) are absurd. */
  public static final long MAX_MS_PLAYED = 7L * 24 * 3600 * 1000;
  public static final List<String> REASONS = List.of(MISSING_FIELD, INVALID_UTF8, UNKNOWN_CONTENT_TYPE,
      NEGATIVE_MS_PLAYED, ABSURD_MS_PLAYED, FUTURE_TIMESTAMP, TOO_LATE);

  private static final long DAY_MS = 86_400_000L;
  private static final long HOUR_MS = 3_600_000L;
  private static final long MINUTE_MS = 60_000L;
  private static final Pattern PARTITION_NAME = Pattern.compile("dt=\\d{4}-\\d{2}-\\d{2}");

  private SpecOracle() {}

  /** Run options that change the sessions output; {@link #defaults()} are SPEC.md's defaults. */
  public record Params(
      int allowedLatenessDays,
      int sessionGapMinutes,
      int maxSessionHours,
      long trackStreamMs,
      long episodeStreamMs) {
    /** allowedLatenessDays 3, sessionGapMinutes 30, maxSessionHours 24, streams at 30 000 / 60 000 ms. */
    public static Params defaults() {
      return new Params(3, 30, 24, 30_000L, 60_000L);
    }
  }

  /** One expected row of the {@code sessions} dataset (times in epoch milliseconds UTC). */
  public record OracleSession(
      String userId,
      long sessionStart,
      long sessionEnd,
      int plays,
      int streams,
      int skips,
      long msPlayed,
      int distinctItems,
      int tracks,
      int episodes,
      String firstEventId,
      List<String> eventIds) {
    public OracleSession {
      eventIds = List.copyOf(eventIds);
    }

    /** The {@code dt} partition the session belongs to: the UTC day of its start. */
    public LocalDate day() {
      return dayOf(sessionStart);
    }
  }

  /** What happened to the records of one arrival partition; records = private + rejected + duplicates + accepted. */
  public record PartitionCounts(
      LocalDate dt,
      long records,
      long privatePlays,
      Map<String, Long> rejected,
      long duplicates,
      long accepted) {
    public PartitionCounts {
      rejected = Collections.unmodifiableMap(new TreeMap<>(rejected));
    }

    /** Records rejected for this reason (0 when none). */
    public long rejected(String reason) {
      return rejected.getOrDefault(reason, 0L);
    }

    /** Records rejected for any reason. */
    public long rejectedTotal() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** One expected row of the {@code rejected} dataset (the original record is not kept). */
  public record OracleRejection(LocalDate dt, String sourceFile, long position, String reason, String field) {}

  /** Sums over the sessions of one session day, as a test would compute them with SQL over the output. */
  public record DayAggregate(
      LocalDate day,
      long sessions,
      long plays,
      long streams,
      long skips,
      long msPlayed,
      long distinctItems,
      long tracks,
      long episodes,
      long users) {}

  /** Everything the oracle derived for one nightly run. */
  public record Result(
      LocalDate runDate,
      Params params,
      List<LocalDate> inputPartitions,
      List<LocalDate> sessionDays,
      List<OracleSession> sessions,
      Map<LocalDate, PartitionCounts> partitions,
      List<OracleRejection> rejections) {
    public Result {
      inputPartitions = List.copyOf(inputPartitions);
      sessionDays = List.copyOf(sessionDays);
      sessions = List.copyOf(sessions);
      partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
      rejections = List.copyOf(rejections);
    }

    /** Published sessions of one session day, sorted by (user_id, session_start). */
    public List<OracleSession> sessionsOn(LocalDate day) {
      return sessions.stream().filter(s -> s.day().equals(day)).toList();
    }

    /** Aggregates of one session day (all zero when the day has no session). */
    public DayAggregate aggregate(LocalDate day) {
      List<OracleSession> list = sessionsOn(day);
      Set<String> users = new HashSet<>();
      long plays = 0, streams = 0, skips = 0, ms = 0, items = 0, tracks = 0, episodes = 0;
      for (OracleSession s : list) {
        users.add(s.userId());
        plays += s.plays();
        streams += s.streams();
        skips += s.skips();
        ms += s.msPlayed();
        items += s.distinctItems();
        tracks += s.tracks();
        episodes += s.episodes();
      }
      return new DayAggregate(
          day, list.size(), plays, streams, skips, ms, items, tracks, episodes, users.size());
    }

    /** Aggregates of every published session day, in day order, zero-filled. */
    public Map<LocalDate, DayAggregate> aggregates() {
      Map<LocalDate, DayAggregate> out = new LinkedHashMap<>();
      for (LocalDate day : sessionDays) {
        out.put(day, aggregate(day));
      }
      return out;
    }

    /** Counts summed over all arrival partitions read (dt of the result is the run date). */
    public PartitionCounts totals() {
      long records = 0, priv = 0, dups = 0, accepted = 0;
      Map<String, Long> rejected = new TreeMap<>();
      for (PartitionCounts c : partitions.values()) {
        records += c.records();
        priv += c.privatePlays();
        dups += c.duplicates();
        accepted += c.accepted();
        c.rejected().forEach((reason, n) -> rejected.merge(reason, n, Long::sum));
      }
      return new PartitionCounts(runDate, records, priv, rejected, dups, accepted);
    }
  }

  /**
   * One accepted play (valid, non-private, the kept copy of its event) as the reward definitions see it; {@code ts}
   * is the end of the play in epoch milliseconds UTC and {@code arrival} the {@code dt} partition it was kept from.
   */
  public record OraclePlay(
      String userId,
      String eventId,
      long ts,
      long msPlayed,
      String contentType,
      String itemId,
      String artistId,
      String albumId,
      String showId,
      String contextType,
      String reasonStart,
      String platform,
      LocalDate arrival) {
    /** The day of the play: the UTC day of its end. */
    public LocalDate day() {
      return dayOf(ts);
    }

    /** The start of the play: {@code ts - ms_played}, epoch milliseconds UTC. */
    public long start() {
      return ts - msPlayed;
    }
  }

  /** A valid, non-private input record, with its provenance for the deduplication keep rule. */
  private record Play(
      String userId,
      String eventId,
      long start,
      long end,
      long msPlayed,
      boolean episode,
      String itemId,
      boolean qualifying,
      boolean skip,
      LocalDate arrival,
      String sourceFile,
      long position,
      GenericRecord record) {}

  /** What reading a set of arrival partitions gave: counts per partition, rejections and the kept plays. */
  private record Intake(
      Map<LocalDate, PartitionCounts> partitions, List<OracleRejection> rejections, List<Play> kept) {}

  /** {@link #nightly(Path, LocalDate, Params)} with SPEC.md's defaults. */
  public static Result nightly(Path logsRoot, LocalDate runDate) {
    return nightly(logsRoot, runDate, Params.defaults());
  }

  /** Computes the sessions and counts that {@code nightly --date=runDate} must publish from logsRoot. */
  public static Result nightly(Path logsRoot, LocalDate runDate, Params params) {
    int lateness = params.allowedLatenessDays();
    Path root = logsRoot.toAbsolutePath().normalize();

    // Arrival partitions of the run: [T-3-L, T]; missing ones are simply not there.
    List<LocalDate> inputPartitions = new ArrayList<>();
    for (LocalDate dt = runDate.minusDays(3 + lateness); !dt.isAfter(runDate); dt = dt.plusDays(1)) {
      if (Files.isDirectory(ListeningLogs.partitionDir(root, dt))) {
        inputPartitions.add(dt);
      }
    }

    Intake intake = intake(root, inputPartitions, params, false);

    // Cut sessions over all kept plays of the window, then publish only the session days of this run.
    Map<String, List<Play>> byUser = new TreeMap<>();
    for (Play p : intake.kept()) {
      byUser.computeIfAbsent(p.userId(), u -> new ArrayList<>()).add(p);
    }
    LocalDate firstDay = runDate.minusDays(1 + lateness);
    LocalDate lastDay = runDate.minusDays(1);
    List<OracleSession> sessions = new ArrayList<>();
    for (List<Play> plays : byUser.values()) {
      for (OracleSession s : sessionize(plays, params)) {
        if (!s.day().isBefore(firstDay) && !s.day().isAfter(lastDay)) {
          sessions.add(s);
        }
      }
    }
    sessions.sort(
        Comparator.comparing(OracleSession::userId).thenComparingLong(OracleSession::sessionStart));

    List<LocalDate> sessionDays = new ArrayList<>();
    for (LocalDate d = firstDay; !d.isAfter(lastDay); d = d.plusDays(1)) {
      sessionDays.add(d);
    }
    return new Result(
        runDate, params, inputPartitions, sessionDays, sessions, intake.partitions(), intake.rejections());
  }

  /** {@link #acceptedPlays(Path, LocalDate, Params)} with SPEC.md's defaults. */
  public static List<OraclePlay> acceptedPlays(Path logsRoot, LocalDate asOf) {
    return acceptedPlays(logsRoot, asOf, Params.defaults());
  }

  /**
   * Every accepted play of the whole history as of run asOf: all sealed arrival partitions {@code dt <= asOf} (not
   * only the nightly window), validated against their own arrival day, private plays removed, deduplicated exactly
   * as {@link #nightly} does. Sorted by (user_id, ts, event_id). Only allowedLatenessDays of params matters here.
   *
   * <p>What a run with {@code --allowMissingDays=true --skipCorruptFiles=true} reads (docs/operations.md): an
   * unsealed partition (no {@code _SUCCESS}) is not read at all, and a file that does not read completely
   * ({@link #readsCompletely}) is left out whole, none of its records used. Both make their arrival day incomplete
   * ({@link #completeArrivalDays}).
   */
  public static List<OraclePlay> acceptedPlays(Path logsRoot, LocalDate asOf, Params params) {
    Path root = logsRoot.toAbsolutePath().normalize();
    List<LocalDate> partitions =
        arrivalPartitions(root).stream()
            .filter(dt -> !dt.isAfter(asOf))
            .filter(dt -> Files.isRegularFile(ListeningLogs.partitionDir(root, dt).resolve("_SUCCESS")))
            .toList();
    List<OraclePlay> out = new ArrayList<>();
    for (Play p : intake(root, partitions, params, true).kept()) {
      GenericRecord r = p.record();
      out.add(
          new OraclePlay(
              p.userId(),
              p.eventId(),
              p.end(),
              p.msPlayed(),
              str(r, "content_type"),
              p.itemId(),
              optStr(r, "artist_id"),
              optStr(r, "album_id"),
              optStr(r, "show_id"),
              optStr(r, "context_type"),
              optStr(r, "reason_start"),
              optStr(r, "platform"),
              p.arrival()));
    }
    out.sort(
        Comparator.comparing(OraclePlay::userId)
            .thenComparingLong(OraclePlay::ts)
            .thenComparing(OraclePlay::eventId));
    return out;
  }

  /** The arrival days of every {@code dt=YYYY-MM-DD} directory under logsRoot, oldest first. */
  public static List<LocalDate> arrivalPartitions(Path logsRoot) {
    try (Stream<Path> dirs = Files.list(logsRoot)) {
      return dirs.filter(Files::isDirectory)
          .map(d -> d.getFileName().toString())
          .filter(name -> PARTITION_NAME.matcher(name).matches())
          .map(name -> LocalDate.parse(name.substring(3)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + logsRoot, e);
    }
  }

  /**
   * The arrival days under logsRoot that docs/rewards.md calls <em>complete</em>, as the logs folder is now: the
   * partition {@code dt=X} exists, is sealed ({@code _SUCCESS}) and every {@code .avro} file in it reads completely.
   * Days with no partition (missing, or before F) are not in the set. Whether the partition was there when the first
   * run looked for it cannot be seen from the folder: {@link RewardsOracle} lets a test declare such days.
   */
  public static java.util.NavigableSet<LocalDate> completeArrivalDays(Path logsRoot) {
    Path root = logsRoot.toAbsolutePath().normalize();
    java.util.NavigableSet<LocalDate> out = new java.util.TreeSet<>();
    for (LocalDate dt : arrivalPartitions(root)) {
      Path dir = ListeningLogs.partitionDir(root, dt);
      if (Files.isRegularFile(dir.resolve("_SUCCESS"))
          && avroFiles(dir).stream().allMatch(SpecOracle::readsCompletely)) {
        out.add(dt);
      }
    }
    return out;
  }

  /**
   * Whether an Avro container file decodes completely: every record decodes with the project's reader schema, and
   * the file is a whole sequence of blocks, each ending with the header's sync marker, up to its last byte. The
   * second check is there because Avro's reader stops quietly (as at the end of the file) when a file is cut inside
   * a block or a sync marker; a file cut exactly after a sync marker is a valid shorter file and cannot be told.
   */
  public static boolean readsCompletely(Path file) {
    return readWhole(file) != null;
  }

  /** The records of a file that {@link #readsCompletely reads completely}; null for any other file. */
  private static List<GenericRecord> readWhole(Path file) {
    try {
      if (!wholeBlocks(Files.readAllBytes(file))) {
        return null;
      }
      return read(file);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The container's framing: magic, metadata, sync, then blocks each closed by that sync, up to the last byte. */
  private static boolean wholeBlocks(byte[] bytes) throws IOException {
    org.apache.avro.io.BinaryDecoder in = org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes, null);
    byte[] magic = new byte[4];
    in.readFixed(magic);
    if (magic[0] != 'O' || magic[1] != 'b' || magic[2] != 'j' || magic[3] != 1) {
      return false;
    }
    // Header metadata: an Avro map<bytes>, in blocks of entries (a negative count is followed by a byte size).
    for (long count = in.readMapStart(); count != 0; count = in.mapNext()) {
      for (long i = 0; i < count; i++) {
        in.skipString();
        in.skipBytes();
      }
    }
    byte[] sync = new byte[16];
    in.readFixed(sync);
    byte[] blockSync = new byte[16];
    while (!in.isEnd()) {
      in.readLong(); // records in the block
      long size = in.readLong();
      if (size < 0 || size > bytes.length) {
        return false;
      }
      in.skipFixed((int) size);
      in.readFixed(blockSync);
      if (!java.util.Arrays.equals(sync, blockSync)) {
        return false;
      }
    }
    return true;
  }

  /** F of docs/rewards.md: the earliest arrival partition present; days before it were never observed. */
  public static LocalDate firstInputDay(Path logsRoot) {
    List<LocalDate> partitions = arrivalPartitions(logsRoot);
    if (partitions.isEmpty()) {
      throw new IllegalStateException("no dt=YYYY-MM-DD partition under " + logsRoot);
    }
    return partitions.get(0);
  }

  /**
   * Reads the given arrival partitions: private plays out first, then validation against each record's own
   * arrival day, then deduplication by (user_id, event_id). The one code path behind both nightly and
   * acceptedPlays.
   */
  private static Intake intake(
      Path root, List<LocalDate> inputPartitions, Params params, boolean skipCorruptFiles) {
    int lateness = params.allowedLatenessDays();
    Map<LocalDate, long[]> simpleCounts = new TreeMap<>(); // records, private, duplicates, accepted
    Map<LocalDate, Map<String, Long>> rejectedCounts = new TreeMap<>();
    List<OracleRejection> rejections = new ArrayList<>();
    List<Play> valid = new ArrayList<>();
    for (LocalDate dt : inputPartitions) {
      long[] counts = new long[4];
      Map<String, Long> rejected = new TreeMap<>();
      for (String reason : REASONS) {
        rejected.put(reason, 0L);
      }
      simpleCounts.put(dt, counts);
      rejectedCounts.put(dt, rejected);
      for (Path file : avroFiles(ListeningLogs.partitionDir(root, dt))) {
        List<GenericRecord> records = skipCorruptFiles ? readWhole(file) : read(file);
        if (records == null) {
          continue; // --skipCorruptFiles: nothing of a bad file is used
        }
        long position = -1;
        for (GenericRecord r : records) {
          position++;
          counts[0]++;
          // Private plays go before anything else, validation included.
          if ((Boolean) r.get("incognito_mode")) {
            counts[1]++;
            continue;
          }
          String[] failure = validate(r, dt, lateness);
          if (failure != null) {
            rejected.merge(failure[0], 1L, Long::sum);
            rejections.add(new OracleRejection(dt, file.toString(), position, failure[0], failure[1]));
            continue;
          }
          valid.add(toPlay(r, dt, file.toString(), position, params));
        }
      }
    }

    // Deduplicate by (user_id, event_id): the copy with the smallest (arrival, file, position) wins.
    Comparator<Play> keepOrder =
        Comparator.comparing(Play::arrival)
            .thenComparing(Play::sourceFile)
            .thenComparingLong(Play::position);
    Map<List<String>, Play> kept = new HashMap<>();
    for (Play p : valid) {
      kept.merge(List.of(p.userId(), p.eventId()), p, (a, b) -> keepOrder.compare(a, b) <= 0 ? a : b);
    }
    for (Play p : valid) {
      boolean isKept = kept.get(List.of(p.userId(), p.eventId())) == p;
      simpleCounts.get(p.arrival())[isKept ? 3 : 2]++;
    }

    Map<LocalDate, PartitionCounts> partitions = new TreeMap<>();
    for (LocalDate dt : inputPartitions) {
      long[] c = simpleCounts.get(dt);
      partitions.put(dt, new PartitionCounts(dt, c[0], c[1], rejectedCounts.get(dt), c[2], c[3]));
    }
    return new Intake(partitions, rejections, new ArrayList<>(kept.values()));
  }

  /** Whether the bytes are well-formed UTF-8 (decoded strictly, not with replacement characters). */
  private static boolean validUtf8(byte[] bytes, int length) {
    try {
      java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes, 0, length));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  /** Returns {reason, field} of the first failing rule, or null when the record is valid. */
  private static String[] validate(GenericRecord r, LocalDate arrival, int lateness) {
    for (String field : List.of("event_id", "user_id", "item_id")) {
      if (str(r, field).isEmpty()) {
        return new String[] {MISSING_FIELD, field};
      }
    }
    for (org.apache.avro.Schema.Field f : r.getSchema().getFields()) {
      Object v = r.get(f.pos());
      if (v instanceof org.apache.avro.util.Utf8 u && !validUtf8(u.getBytes(), u.getByteLength())) {
        return new String[] {INVALID_UTF8, f.name()};
      }
    }
    String type = str(r, "content_type");
    if (!type.equals("TRACK") && !type.equals("EPISODE")) {
      return new String[] {UNKNOWN_CONTENT_TYPE, "content_type"};
    }
    if ((Long) r.get("ms_played") < 0) {
      return new String[] {NEGATIVE_MS_PLAYED, "ms_played"};
    }
    if ((Long) r.get("ms_played") > MAX_MS_PLAYED) {
      return new String[] {ABSURD_MS_PLAYED, "ms_played"};
    }
    long ts = (Long) r.get("ts");
    // "More than 1 hour after the end of its arrival day": the end of day A is the start of day A+1.
    long futureLimit = arrival.plusDays(1).toEpochDay() * DAY_MS + HOUR_MS;
    if (ts > futureLimit) {
      return new String[] {FUTURE_TIMESTAMP, "ts"};
    }
    if (dayOf(ts).isBefore(arrival.minusDays(lateness))) {
      return new String[] {TOO_LATE, "ts"};
    }
    return null;
  }

  private static Play toPlay(GenericRecord r, LocalDate arrival, String file, long position, Params params) {
    long ts = (Long) r.get("ts");
    long ms = (Long) r.get("ms_played");
    boolean episode = str(r, "content_type").equals("EPISODE");
    boolean qualifying = ms >= (episode ? params.episodeStreamMs() : params.trackStreamMs());
    Boolean skipped = (Boolean) r.get("skipped");
    Object reasonEnd = r.get("reason_end");
    boolean skip =
        skipped != null
            ? skipped
            : reasonEnd != null && reasonEnd.toString().equals("fwdbtn") && !qualifying;
    return new Play(
        str(r, "user_id"),
        str(r, "event_id"),
        ts - ms,
        ts,
        ms,
        episode,
        str(r, "item_id"),
        qualifying,
        skip,
        arrival,
        file,
        position,
        r);
  }

  /** Sessions of one user's deduplicated plays, in start order. */
  private static List<OracleSession> sessionize(List<Play> userPlays, Params params) {
    List<Play> plays = new ArrayList<>(userPlays);
    plays.sort(
        Comparator.comparingLong(Play::start)
            .thenComparingLong(Play::end)
            .thenComparing(Play::eventId));
    long gapMs = params.sessionGapMinutes() * MINUTE_MS;
    long maxMs = params.maxSessionHours() * HOUR_MS;
    List<OracleSession> sessions = new ArrayList<>();
    List<Play> current = new ArrayList<>();
    long sessionStart = 0;
    long latestEnd = 0;
    for (Play p : plays) {
      boolean opensNew =
          current.isEmpty() || p.start() > latestEnd + gapMs || p.end() > sessionStart + maxMs;
      if (opensNew) {
        if (!current.isEmpty()) {
          sessions.add(summarize(current));
        }
        current = new ArrayList<>();
        sessionStart = p.start();
        latestEnd = p.end();
      }
      current.add(p);
      latestEnd = Math.max(latestEnd, p.end());
    }
    if (!current.isEmpty()) {
      sessions.add(summarize(current));
    }
    return sessions;
  }

  private static OracleSession summarize(List<Play> plays) {
    long end = Long.MIN_VALUE;
    int streams = 0, skips = 0, tracks = 0, episodes = 0;
    long ms = 0;
    Set<String> items = new HashSet<>();
    List<String> eventIds = new ArrayList<>();
    for (Play p : plays) {
      end = Math.max(end, p.end());
      streams += p.qualifying() ? 1 : 0;
      skips += p.skip() ? 1 : 0;
      tracks += p.episode() ? 0 : 1;
      episodes += p.episode() ? 1 : 0;
      ms += p.msPlayed();
      items.add(p.itemId());
      eventIds.add(p.eventId());
    }
    Play first = plays.get(0);
    return new OracleSession(
        first.userId(),
        first.start(),
        end,
        plays.size(),
        streams,
        skips,
        ms,
        items.size(),
        tracks,
        episodes,
        first.eventId(),
        eventIds);
  }

  /** The {@code *.avro} files of one partition directory, sorted by name so positions are reproducible. */
  private static List<Path> avroFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".avro") && Files.isRegularFile(f))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a whole file with the project's reader schema, so older and newer writers resolve against it. */
  private static List<GenericRecord> read(Path file) {
    GenericDatumReader<GenericRecord> datumReader =
        new GenericDatumReader<>(null, ListeningLogs.schema());
    List<GenericRecord> out = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), datumReader)) {
      while (reader.hasNext()) {
        // Without a reuse argument Avro allocates a fresh record each time, so keeping them is safe.
        out.add(reader.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }

  private static String str(GenericRecord r, String field) {
    return r.get(field).toString();
  }

  private static String optStr(GenericRecord r, String field) {
    Object value = r.get(field);
    return value == null ? null : value.toString();
  }

  /** The UTC day of an epoch-millisecond instant (floor division, so instants before 1970 work too). */
  public static LocalDate dayOf(long epochMillis) {
    return LocalDate.ofEpochDay(Math.floorDiv(epochMillis, DAY_MS));
  }
}
