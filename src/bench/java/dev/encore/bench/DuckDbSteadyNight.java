package dev.encore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The steady-state night in DuckDB SQL: what {@code nightly --date=T} computes and writes for {@code sessions},
 * {@code activity} and {@code user_rewards} when yesterday's run has already published its datasets into the output
 * root. Written from docs/rewards.md, docs/datasets.md and the README only, without the pipeline's code.
 *
 * <ul>
 *   <li>Reads the arrival partitions T-3-L .. T (not before the first input day F) of a {@link PlaysExport} (one
 *       {@code dt=YYYY-MM-DD/} folder per arrival day; a single Parquet file of every day also works: plays are
 *       filtered on their {@code arrival} column either way), applies SPEC.md's input rules (private plays out,
 *       the validation rules, duplicate deliveries of an {@code event_id}: the first by arrival, file, position
 *       is kept; user-days over {@code --maxPlaysPerUserDay} plays left out).
 *   <li>{@code sessions} of the session days T-1-L .. T-1, cut over every play read.
 *   <li>{@code activity} of the days T-L .. T, rebuilt from those plays.
 *   <li>{@code user_rewards} of the anchor days T-a (a a publication age) that are final and not before F, from the
 *       user rows of the activity the root published for the older days (read back, never recomputed) and the
 *       rebuilt days. Final days come from the root's input calendar ({@code _encore/input_calendar.json}); the
 *       arrival days of this night that it has not recorded yet count as complete (they are present in the
 *       export). Anchors that are not final are withheld (no partition), as the pipeline does.
 * </ul>
 *
 * <p>Not computed: {@code user_entity_rewards}, {@code entity_rewards}, predictions ({@code reward_priors},
 * {@code entity_predictions}) and {@code rejected}; the run metadata, {@code _SUCCESS} and the input calendar are
 * not written. It assumes a steady root: every older activity day the rewards need is published (it stops, naming
 * the day, when one is missing, where the pipeline would rebuild it from the logs) and built under the same
 * definition, and every arrival partition of the window is in the export (no {@code --allowMissingDays}).
 *
 * <p>The numbers (L, stream thresholds, session gap and cap, horizons, entity levels, lookback, checkpoints) are
 * read from the definition file ({@code --definition}, default the built-in {@code pipelines/nightly.yaml}); the
 * {@code session_id} bytes (user id, a zero byte, the start as 8 little-endian bytes, the first play's event id)
 * follow the bench's cold DuckDB reference, since docs/datasets.md does not spell them out.
 *
 * <pre>
 * java -cp target/encore-bench.jar dev.encore.bench.DuckDbSteadyNight --root=DIR --plays=DIR --date=YYYY-MM-DD
 *     --out=DIR [--definition=FILE --threads=2 --maxPlaysPerUserDay=5000]
 * </pre>
 *
 * Writes {@code <out>/<dataset>/dt=YYYY-MM-DD/part-00000.parquet}, prints the rows per partition, then one line
 * {@code <dataset> <rows>} per dataset. Exit code 0 on success, 2 on a bad command line, 1 on any failure.
 */
public final class DuckDbSteadyNight {
  private static final String USAGE =
      "--root=DIR --plays=DIR --date=YYYY-MM-DD --out=DIR [--definition=FILE --threads=2 --maxPlaysPerUserDay=5000]";
  /** absurd_ms_played: more than 7 days played. */
  private static final long MAX_MS_PLAYED = 7L * 24 * 3600 * 1000;
  /** future_timestamp: more than an hour after the end of the arrival day. */
  private static final long FUTURE_SLACK_MS = 3600 * 1000;
  /** The contract's string fields, where an invalid UTF-8 byte shows as U+FFFD in the export. */
  private static final List<String> STRING_FIELDS = List.of("event_id", "user_id", "content_type", "item_id",
      "artist_id", "album_id", "show_id", "context_type", "reason_start", "reason_end", "platform", "country");

  private DuckDbSteadyNight() {}

  /** The numbers of a job definition that these three datasets depend on. */
  public record Definition(int lateness, long trackMs, long episodeMs, long gapMs, long capMs,
      List<Integer> activeDaysHorizons, List<Integer> volumeHorizons, List<Integer> activeWeeksHorizons,
      List<String> entityLevels, int lookbackDays, List<Integer> publicationAges) {

    /** Reads a definition file ({@code version: 2}); null reads the built-in one from the class path. */
    static Definition read(Path file) throws IOException {
      ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
      JsonNode d;
      if (file == null) {
        try (InputStream in = DuckDbSteadyNight.class.getClassLoader().getResourceAsStream("pipelines/nightly.yaml")) {
          if (in == null) {
            throw new IOException("no built-in pipelines/nightly.yaml on the class path; pass --definition=FILE");
          }
          d = yaml.readTree(in);
        }
      } else {
        d = yaml.readTree(file.toFile());
      }
      if (d.path("version").asInt() != 2) {
        throw new IllegalArgumentException("definition version " + d.path("version") + ", expected 2");
      }
      int lateness = d.at("/plays/allowed_lateness_days").asInt();
      List<Integer> activeDays = ints(d.at("/user_rewards/active_days_horizons"));
      List<Integer> volume = ints(d.at("/user_rewards/volume_horizons"));
      List<Integer> weeks = ints(d.at("/user_rewards/active_weeks_horizons"));
      List<Integer> discoveryDays = ints(d.at("/discovery/active_days_horizons"));
      int stickinessDays = d.at("/discovery/stickiness_days").asInt();
      // docs/rewards.md: "auto" publishes each label horizon N (1 for return_d1, the user_rewards and discovery
      // horizons) at N + L, and the maturity age M (the longest window, the trace's included, plus L) always.
      TreeSet<Integer> labels = new TreeSet<>(activeDays);
      labels.addAll(volume);
      labels.addAll(weeks);
      labels.addAll(discoveryDays);
      labels.add(1);
      int maturity = Math.max(labels.last(), stickinessDays - 1) + lateness;
      TreeSet<Integer> ages = new TreeSet<>();
      JsonNode checkpoints = d.at("/publishing/checkpoints");
      if (checkpoints.isTextual() && checkpoints.asText().equals("auto")) {
        labels.forEach(n -> ages.add(n + lateness));
      } else {
        ages.addAll(ints(checkpoints));
      }
      ages.add(maturity);
      List<String> levels = new ArrayList<>();
      d.at("/discovery/entity_levels").forEach(n -> levels.add(n.asText()));
      return new Definition(lateness, d.at("/plays/stream_threshold_ms/TRACK").asLong(),
          d.at("/plays/stream_threshold_ms/EPISODE").asLong(), d.at("/sessions/gap_minutes").asLong() * 60_000,
          d.at("/sessions/max_session_hours").asLong() * 3_600_000, sorted(activeDays), sorted(volume),
          sorted(weeks), levels, d.at("/discovery/lookback_days").asInt(), List.copyOf(ages));
    }

    /** W of user_rewards: its longest horizon. */
    int userWindow() {
      TreeSet<Integer> all = new TreeSet<>(activeDaysHorizons);
      all.addAll(volumeHorizons);
      all.addAll(activeWeeksHorizons);
      return all.last();
    }

    private static List<Integer> ints(JsonNode list) {
      List<Integer> values = new ArrayList<>();
      list.forEach(n -> values.add(n.asInt()));
      return values;
    }

    private static List<Integer> sorted(List<Integer> values) {
      return List.copyOf(new TreeSet<>(values));
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the night from a command line; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> given =
        ReferenceArgs.parse("DuckDbSteadyNight", args, List.of("root", "plays", "date", "out"), USAGE, err);
    if (given == null) {
      return 2;
    }
    long started = System.nanoTime();
    try {
      Definition definition =
          Definition.read(given.containsKey("definition") ? Path.of(given.get("definition")) : null);
      Map<String, Map<LocalDate, Long>> rows = night(Path.of(given.get("root")), Path.of(given.get("plays")),
          LocalDate.parse(given.get("date")), Path.of(given.get("out")), definition,
          Integer.parseInt(given.getOrDefault("threads", "2")),
          Long.parseLong(given.getOrDefault("maxPlaysPerUserDay", "5000")), out);
      out.printf("duckdb steady night %s: %.1f s%n", given.get("date"), (System.nanoTime() - started) / 1e9);
      rows.forEach((dataset, days) -> days.forEach((day, n) -> out.printf("  %s dt=%s: %d%n", dataset, day, n)));
      rows.forEach((dataset, days) ->
          out.println(dataset + " " + days.values().stream().mapToLong(Long::longValue).sum()));
      return 0;
    } catch (RuntimeException | IOException | SQLException e) {
      err.println("DuckDbSteadyNight: failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * Computes the night of {@code date} over the published {@code root} and writes it under {@code output}.
   *
   * @param plays a {@link PlaysExport} of the logs (or one Parquet file with the same columns)
   * @return rows written per dataset and partition day
   */
  public static Map<String, Map<LocalDate, Long>> night(Path root, Path plays, LocalDate date, Path output,
      Definition def, int threads, long maxPlaysPerUserDay, PrintStream log) throws IOException, SQLException {
    Path out = output.toAbsolutePath().normalize();
    if (Files.isDirectory(out)) {
      try (Stream<Path> children = Files.list(out)) {
        if (children.findAny().isPresent()) {
          throw new IllegalArgumentException("--out=" + out + " is not empty");
        }
      }
    }
    Path firstDayFile = root.resolve("_encore/FIRST_INPUT_DAY");
    if (!Files.isRegularFile(firstDayFile)) {
      throw new IllegalArgumentException("--root=" + root + " has no " + firstDayFile.getFileName()
          + ": not an output root a nightly run has published into");
    }
    LocalDate first = LocalDate.parse(Files.readString(firstDayFile).trim());
    int lateness = def.lateness();
    // The read window of a steady night (README, nightly): arrival days T-3-L .. T, none before F.
    LocalDate firstArrival = max(first, date.minusDays(3 + lateness));
    List<String> playFiles = playFiles(plays, firstArrival, date);

    // The input calendar: as the root recorded it; the arrival days it has not recorded yet are this night's, and
    // present (playFiles checked it), so complete.
    Set<LocalDate> complete = new HashSet<>();
    Set<LocalDate> recorded = new HashSet<>();
    Path calendarFile = root.resolve("_encore/input_calendar.json");
    if (Files.isRegularFile(calendarFile)) {
      new ObjectMapper().readTree(calendarFile.toFile()).fields().forEachRemaining(e -> {
        LocalDate day = LocalDate.parse(e.getKey());
        recorded.add(day);
        if (e.getValue().path("complete").asBoolean(false)) {
          complete.add(day);
        }
      });
    }
    for (LocalDate d = firstArrival; !d.isAfter(date); d = d.plusDays(1)) {
      if (!recorded.contains(d)) {
        complete.add(d);
      }
    }

    // Anchors T-a that are final and not before F are published; the others are withheld.
    TreeMap<LocalDate, Integer> anchors = new TreeMap<>();
    int window = def.userWindow();
    for (int age : def.publicationAges()) {
      LocalDate anchor = date.minusDays(age);
      if (!anchor.isBefore(first) && isFinal(anchor, date, lateness, complete)) {
        anchors.put(anchor, daysFinal(anchor, window, date, lateness, complete));
      } else {
        log.println("user_rewards dt=" + anchor + ": withheld (anchor day not final or before " + first + ")");
      }
    }
    // user_first_active_date looks at f in [D - lookback, D] and the lookback days before each f.
    int lookback = def.lookbackDays();
    LocalDate rebuiltFrom = date.minusDays(lateness);
    List<String> historyFiles = new ArrayList<>();
    Set<LocalDate> lookbackComplete = new TreeSet<>();
    if (!anchors.isEmpty()) {
      LocalDate from = max(first, anchors.firstKey().minusDays(2L * lookback));
      for (LocalDate d = from; d.isBefore(rebuiltFrom); d = d.plusDays(1)) {
        historyFiles.addAll(activityFiles(root, d));
      }
      for (LocalDate anchor : anchors.keySet()) {
        for (LocalDate f = anchor.minusDays(lookback); !f.isAfter(anchor); f = f.plusDays(1)) {
          if (allFinal(f.minusDays(lookback), f.minusDays(1), date, lateness, complete)) {
            lookbackComplete.add(f);
          }
        }
      }
    }

    Files.createDirectories(out);
    Path spill = out.resolveSibling(out.getFileName() + ".duckdb-tmp");
    Map<String, Map<LocalDate, Long>> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET temp_directory = " + quote(spill.toString()));
      s.execute(playsSql(playFiles, firstArrival, date, def, maxPlaysPerUserDay));
      s.execute("CREATE TABLE sessions_out AS " + sessionsSql(def));
      s.execute("CREATE TABLE activity_out AS " + activitySql(def, rebuiltFrom, date));
      s.execute("CREATE TABLE anchors (anchor_date DATE, days_final INTEGER)");
      for (Map.Entry<LocalDate, Integer> a : anchors.entrySet()) {
        s.execute("INSERT INTO anchors VALUES (" + day(a.getKey()) + ", " + a.getValue() + ")");
      }
      s.execute("CREATE TABLE lookback_complete (day DATE)");
      if (!lookbackComplete.isEmpty()) {
        s.execute("INSERT INTO lookback_complete VALUES "
            + lookbackComplete.stream().map(d -> "(" + day(d) + ")").collect(Collectors.joining(", ")));
      }
      // The user rows of the published older days, read back, and of the rebuilt days.
      s.execute("CREATE TABLE history AS SELECT user_id, activity_date AS day, streams, stream_ms FROM activity_out"
          + " WHERE entity_level = 'user'");
      if (!historyFiles.isEmpty()) {
        s.execute("INSERT INTO history SELECT user_id, activity_date, streams, stream_ms FROM read_parquet(["
            + historyFiles.stream().map(DuckDbSteadyNight::quote).collect(Collectors.joining(", "))
            + "]) WHERE entity_level = 'user' AND activity_date < " + day(rebuiltFrom));
      }
      s.execute("CREATE TABLE user_rewards_out AS " + userRewardsSql(def, date));

      rows.put("sessions", write(s, out, "sessions", "user_id, session_start, session_id",
          days(date.minusDays(1 + lateness), date.minusDays(1))));
      rows.put("activity", write(s, out, "activity", "user_id, entity_level, entity_id NULLS FIRST",
          days(rebuiltFrom, date)));
      rows.put("user_rewards", write(s, out, "user_rewards", "user_id, anchor_date", List.copyOf(anchors.keySet())));
    } finally {
      BenchFiles.deleteTree(spill);
    }
    return rows;
  }

  /**
   * Table {@code plays}: the accepted plays of the arrival days {@code from..to}, with {@code start_ms},
   * {@code day} (UTC day of ts), {@code qualifying} and {@code skip}.
   */
  static String playsSql(List<String> files, LocalDate from, LocalDate to, Definition def, long maxPlaysPerUserDay) {
    return """
        CREATE TABLE plays AS
        WITH delivered AS (
            SELECT * FROM read_parquet([${FILES}])
            WHERE arrival BETWEEN ${FROM} AND ${TO} AND NOT coalesce(incognito_mode, false))
        -- the validation rules of docs/datasets.md (rejected.reason); a rejected record is in no output
        , valid AS (
            SELECT *, ts - ms_played AS start_ms, CAST(epoch_ms(ts) AS DATE) AS day,
              ms_played >= CASE content_type WHEN 'TRACK' THEN ${TRACK_MS} ELSE ${EPISODE_MS} END AS qualifying
            FROM delivered
            WHERE coalesce(event_id, '') <> '' AND coalesce(user_id, '') <> '' AND coalesce(item_id, '') <> ''
              AND NOT contains(concat_ws('', ${STRINGS}), chr(65533))
              AND content_type IN ('TRACK', 'EPISODE')
              AND ms_played BETWEEN 0 AND ${MAX_MS}
              AND ts <= (arrival - DATE '1970-01-01' + 1) * 86400000::BIGINT + ${SLACK}
              AND CAST(epoch_ms(ts) AS DATE) >= arrival - ${LATENESS})
        -- a play delivered twice counts once: the first delivery by (arrival, file, position)
        , unique_plays AS (
            SELECT * FROM valid
            QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY arrival, file_index, position) = 1)
        -- a user-day with more plays than a person makes (a bot, a stuck client) is left out of every output
        , hot AS (
            SELECT user_id, day FROM unique_plays GROUP BY user_id, day HAVING count(*) > ${MAX_PER_DAY})
        SELECT event_id, user_id, start_ms, ts, ms_played, content_type, item_id, artist_id, album_id, show_id,
          platform, context_type, reason_start, day, qualifying,
          coalesce(skipped, reason_end = 'fwdbtn' AND NOT qualifying, false) AS skip
        FROM unique_plays ANTI JOIN hot USING (user_id, day)
        """
        .replace("${FILES}", files.stream().map(DuckDbSteadyNight::quote).collect(Collectors.joining(", ")))
        .replace("${FROM}", day(from))
        .replace("${TO}", day(to))
        .replace("${TRACK_MS}", String.valueOf(def.trackMs()))
        .replace("${EPISODE_MS}", String.valueOf(def.episodeMs()))
        .replace("${STRINGS}", String.join(", ", STRING_FIELDS))
        .replace("${MAX_MS}", String.valueOf(MAX_MS_PLAYED))
        .replace("${SLACK}", String.valueOf(FUTURE_SLACK_MS))
        .replace("${LATENESS}", String.valueOf(def.lateness()))
        .replace("${MAX_PER_DAY}", String.valueOf(maxPlaysPerUserDay));
  }

  /**
   * Every session of the plays read, with {@code dt} the day of its start. Per user, plays in (start, end,
   * event_id) order; a play opens a session when it starts more than the gap after the latest end of the session
   * so far, or ends more than the cap after the session's start. Without the cap a session is an "island": a play
   * starting more than the gap after every earlier end opens one (the latest end of the session so far is then
   * the latest end of all earlier plays). An island within the cap has no cap cut; the few longer islands are
   * walked play by play (a cap cut there resets the latest end, so gap cuts follow that the island did not have).
   */
  static String sessionsSql(Definition def) {
    return """
        WITH numbered AS (
            SELECT *, row_number() OVER byUser AS n,
              max(ts) OVER (byUser ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
            FROM plays
            WINDOW byUser AS (PARTITION BY user_id ORDER BY start_ms, ts, event_id))
        , islands AS (
            SELECT *, count(*) FILTER (WHERE earlier_end IS NULL OR start_ms > earlier_end + ${GAP})
              OVER (PARTITION BY user_id ORDER BY n ROWS UNBOUNDED PRECEDING) AS island
            FROM numbered)
        , long_islands AS (
            SELECT user_id, island, min(n) AS first_n FROM islands
            GROUP BY user_id, island HAVING max(ts) - min(start_ms) > ${CAP})
        , long_plays AS (
            SELECT i.user_id, i.island, i.n - l.first_n AS k, i.n, i.start_ms, i.ts
            FROM islands i JOIN long_islands l USING (user_id, island))
        , walked AS (
            WITH RECURSIVE walk(user_id, island, k, n, session_start, latest_end, cut) AS (
                SELECT user_id, island, k, n, start_ms, ts, 0 FROM long_plays WHERE k = 0
                UNION ALL
                SELECT p.user_id, p.island, p.k, p.n,
                  CASE WHEN ${OPENS} THEN p.start_ms ELSE w.session_start END,
                  CASE WHEN ${OPENS} THEN p.ts ELSE greatest(w.latest_end, p.ts) END,
                  w.cut + CASE WHEN ${OPENS} THEN 1 ELSE 0 END
                FROM walk w JOIN long_plays p ON p.user_id = w.user_id AND p.island = w.island AND p.k = w.k + 1)
            SELECT user_id, n, cut FROM walk)
        , sessions AS (
            SELECT i.user_id, arg_min(i.event_id, i.n) AS first_event, min(i.start_ms) AS start_ms,
              max(i.ts) AS end_ms, count(*) AS plays, count(*) FILTER (WHERE i.qualifying) AS streams,
              count(*) FILTER (WHERE i.skip) AS skips, sum(i.ms_played) AS ms_played,
              count(DISTINCT i.item_id) AS distinct_items,
              count(*) FILTER (WHERE i.content_type = 'TRACK') AS tracks,
              count(*) FILTER (WHERE i.content_type = 'EPISODE') AS episodes
            FROM islands i LEFT JOIN walked w USING (user_id, n)
            GROUP BY i.user_id, i.island, coalesce(w.cut, 0))
        -- session_id: 16 hex digits of SHA-256 over the user id, a zero byte, the start as 8 little-endian bytes
        -- and the first play's event id
        , start_hex AS (SELECT *, lpad(hex(start_ms), 16, '0') AS h FROM sessions)
        SELECT user_id,
          lower(substr(sha256(encode(user_id) || '\\x00'::BLOB
              || unhex(array_to_string([substr(h, 15 - 2 * i, 2) FOR i IN range(8)], ''))
              || encode(first_event)), 1, 16)) AS session_id,
          CAST(epoch_ms(start_ms) AS TIMESTAMPTZ) AS session_start,
          CAST(epoch_ms(end_ms) AS TIMESTAMPTZ) AS session_end,
          CAST(plays AS INTEGER) AS plays, CAST(streams AS INTEGER) AS streams, CAST(skips AS INTEGER) AS skips,
          CAST(ms_played AS BIGINT) AS ms_played, CAST(distinct_items AS INTEGER) AS distinct_items,
          CAST(tracks AS INTEGER) AS tracks, CAST(episodes AS INTEGER) AS episodes,
          CAST(epoch_ms(start_ms) AS DATE) AS dt
        FROM start_hex
        """
        .replace("${OPENS}", "(p.start_ms > w.latest_end + ${GAP} OR p.ts > w.session_start + ${CAP})")
        .replace("${GAP}", String.valueOf(def.gapMs()))
        .replace("${CAP}", String.valueOf(def.capMs()));
  }

  /**
   * The activity of the days {@code from..to}: per (user, day) and per (user, entity level, entity, day) with a
   * qualifying play, its count and milliseconds, and the day's first qualifying play in (start, end, event_id)
   * order.
   */
  static String activitySql(Definition def, LocalDate from, LocalDate to) {
    StringBuilder levels = new StringBuilder(
        "SELECT *, 'user' AS entity_level, CAST(NULL AS VARCHAR) AS entity_id FROM streams");
    for (String level : def.entityLevels()) {
      // docs/rewards.md, "Entity of a play at a level"; a null id is no entity
      String[] column = switch (level) {
        case "artist" -> new String[] {"artist_id", "TRACK"};
        case "album" -> new String[] {"album_id", "TRACK"};
        case "track" -> new String[] {"item_id", "TRACK"};
        case "show" -> new String[] {"show_id", "EPISODE"};
        default -> throw new IllegalArgumentException("unknown entity level " + level);
      };
      levels.append("\n    UNION ALL SELECT *, '").append(level).append("', ").append(column[0])
          .append(" FROM streams WHERE content_type = '").append(column[1]).append("' AND ").append(column[0])
          .append(" IS NOT NULL");
    }
    return """
        WITH streams AS (SELECT * FROM plays WHERE qualifying AND day BETWEEN ${FROM} AND ${TO})
        , leveled AS (
            ${LEVELS})
        SELECT user_id, entity_level, entity_id, day AS activity_date,
          CAST(count(*) OVER g AS INTEGER) AS streams, CAST(sum(ms_played) OVER g AS BIGINT) AS stream_ms,
          start_ms AS first_start_ms, item_id AS first_item_id, platform AS first_platform,
          context_type AS first_context_type, reason_start AS first_reason_start, day AS dt
        FROM leveled
        WINDOW g AS (PARTITION BY user_id, entity_level, entity_id, day)
        QUALIFY row_number() OVER (g ORDER BY start_ms, ts, event_id) = 1
        """
        .replace("${FROM}", day(from))
        .replace("${TO}", day(to))
        .replace("${LEVELS}", levels);
  }

  /**
   * user_rewards of the {@code anchors} table from the {@code history} table (user rows of activity) and the days
   * {@code lookback_complete} (every lookback day before them final), as of {@code asOf}. A row per user active on
   * D; the window counts only the final days D+1 .. D+days_final, so k = day - D <= days_final bounds every label.
   */
  static String userRewardsSql(Definition def, LocalDate asOf) {
    List<String> columns = new ArrayList<>();
    for (int n : def.activeDaysHorizons()) {
      columns.add("CAST(count(a.k) FILTER (WHERE a.k <= " + n + ") AS INTEGER) AS active_days_" + n);
    }
    for (int n : def.volumeHorizons()) {
      columns.add("CAST(coalesce(sum(a.streams) FILTER (WHERE a.k <= " + n + "), 0) AS BIGINT) AS streams_" + n);
      columns.add("CAST(coalesce(sum(a.stream_ms) FILTER (WHERE a.k <= " + n + "), 0) AS BIGINT) AS ms_played_" + n);
    }
    for (int n : def.activeWeeksHorizons()) {
      columns.add("CAST(count(DISTINCT (a.k + 6) // 7) FILTER (WHERE a.k <= " + n + ") AS INTEGER) AS active_weeks_"
          + n);
    }
    int window = def.userWindow();
    columns.add("CASE WHEN b.days_final >= 1 THEN count(a.k) FILTER (WHERE a.k = 1) > 0 END AS return_d1");
    columns.add("CAST(min(a.k) AS INTEGER) AS days_to_return_" + window);
    columns.add("any_value(b.user_first_active_date) AS user_first_active_date");
    columns.add(day(asOf) + " AS as_of");
    columns.add("b.days_final");
    TreeSet<Integer> matures = new TreeSet<>(def.activeDaysHorizons());
    matures.addAll(def.volumeHorizons());
    matures.addAll(def.activeWeeksHorizons());
    matures.add(1);
    for (int n : matures) {
      columns.add("b.days_final >= " + n + " AS mature_" + n);
    }
    return """
        WITH previous AS (
            SELECT user_id, day, lag(day) OVER (PARTITION BY user_id ORDER BY day) AS previous_day FROM history)
        -- days the user's listening began: active, every lookback day before final and none of them active
        , beginnings AS (
            SELECT p.user_id, p.day FROM previous p SEMI JOIN lookback_complete c ON c.day = p.day
            WHERE p.previous_day IS NULL OR p.previous_day < p.day - ${LOOKBACK})
        , base AS (
            SELECT h.user_id, x.anchor_date, x.days_final,
              (SELECT min(g.day) FROM beginnings g
               WHERE g.user_id = h.user_id AND g.day BETWEEN x.anchor_date - ${LOOKBACK} AND x.anchor_date)
                AS user_first_active_date
            FROM history h JOIN anchors x ON h.day = x.anchor_date)
        , after AS (
            SELECT b.user_id, b.anchor_date, h.day - b.anchor_date AS k, h.streams, h.stream_ms
            FROM base b JOIN history h
              ON h.user_id = b.user_id AND h.day > b.anchor_date AND h.day <= b.anchor_date + b.days_final)
        SELECT b.user_id, b.anchor_date, ${COLUMNS}, b.anchor_date AS dt
        FROM base b LEFT JOIN after a USING (user_id, anchor_date)
        GROUP BY b.user_id, b.anchor_date, b.days_final
        """
        .replace("${LOOKBACK}", String.valueOf(def.lookbackDays()))
        .replace("${COLUMNS}", String.join(",\n  ", columns));
  }

  /** Writes one file per partition day of {@code <dataset>_out}, sorted; returns the rows per day. */
  private static Map<LocalDate, Long> write(Statement s, Path out, String dataset, String order, List<LocalDate> days)
      throws SQLException {
    Map<LocalDate, Long> rows = new TreeMap<>();
    for (LocalDate d : days) {
      Path file = out.resolve(dataset).resolve("dt=" + d).resolve("part-00000.parquet");
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        throw new SQLException("cannot create " + file.getParent(), e);
      }
      rows.put(d, (long) s.executeUpdate("COPY (SELECT * EXCLUDE (dt) FROM " + dataset + "_out WHERE dt = " + day(d)
          + " ORDER BY " + order + ") TO " + quote(file.toString()) + " (FORMAT parquet, COMPRESSION snappy)"));
    }
    return rows;
  }

  /** The export's files of the arrival days {@code from..to}; each day must be there (else the night stops). */
  private static List<String> playFiles(Path plays, LocalDate from, LocalDate to) throws IOException {
    if (Files.isRegularFile(plays)) {
      return List.of(plays.toAbsolutePath().toString());
    }
    List<String> files = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      Path dir = plays.resolve("dt=" + d);
      List<String> parquet = parquetFiles(dir);
      if (parquet.isEmpty()) {
        throw new IOException("arrival partition " + dir + " is missing from the export (the night reads "
            + from + " .. " + to + ")");
      }
      files.addAll(parquet);
    }
    return files;
  }

  /** The published activity files of {@code day}; the partition must be published ({@code _SUCCESS}). */
  private static List<String> activityFiles(Path root, LocalDate day) throws IOException {
    Path dir = root.resolve("activity").resolve("dt=" + day);
    if (!Files.exists(dir.resolve("_SUCCESS"))) {
      throw new IOException("activity partition " + dir + " is not published: this reference reads older days"
          + " back and does not rebuild them from the logs");
    }
    return parquetFiles(dir);
  }

  private static List<String> parquetFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet"))
          .map(f -> f.toAbsolutePath().toString()).sorted().toList();
    }
  }

  /** Day d is final in run T when d + L <= T and every arrival day d-1 .. d+L is complete. */
  static boolean isFinal(LocalDate d, LocalDate date, int lateness, Set<LocalDate> complete) {
    if (d.plusDays(lateness).isAfter(date)) {
      return false;
    }
    for (LocalDate a = d.minusDays(1); !a.isAfter(d.plusDays(lateness)); a = a.plusDays(1)) {
      if (!complete.contains(a)) {
        return false;
      }
    }
    return true;
  }

  /** The largest k <= window such that D+1 .. D+k are all final. */
  static int daysFinal(LocalDate anchor, int window, LocalDate date, int lateness, Set<LocalDate> complete) {
    int k = 0;
    while (k < window && isFinal(anchor.plusDays(k + 1), date, lateness, complete)) {
      k++;
    }
    return k;
  }

  private static boolean allFinal(LocalDate from, LocalDate to, LocalDate date, int lateness, Set<LocalDate> complete) {
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      if (!isFinal(d, date, lateness, complete)) {
        return false;
      }
    }
    return true;
  }

  private static List<LocalDate> days(LocalDate from, LocalDate to) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  private static LocalDate max(LocalDate a, LocalDate b) {
    return a.isAfter(b) ? a : b;
  }

  private static String day(LocalDate d) {
    return "DATE '" + d + "'";
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
