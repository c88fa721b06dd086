package dev.encore.bench;

import dev.encore.config.JobDefinition;
import dev.encore.config.PlayRules;
import dev.encore.config.SessionRules;
import dev.encore.ingest.PlayValidator;
import dev.encore.nightly.NightlyPlan;
import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Reference (b) of the benchmark: the {@code sessions} and {@code user_rewards} datasets of {@code nightly --date=T}
 * on a fresh output root, computed by DuckDB SQL from the listening logs exported to Parquet ({@link PlaysExport}):
 * the input rules of SPEC.md (private plays out, the validation rules, the lateness window), hot user-days left
 * out as the pipeline does, duplicate deliveries dropped (the first by arrival, file, position), sessions cut with
 * the gap and the 24-hour cap, and the user rewards of {@link UserRewardsSql} (definition version 2: complete input
 * from the first input day F, so the anchors that are not final, F itself, are withheld and have no partition).
 * Each dataset is written with {@code COPY ... (FORMAT parquet, PARTITION_BY (dt))}, rows sorted by key.
 *
 * <p>It computes fewer datasets than the pipeline (no activity, discoveries, entity rewards or rejected records).
 *
 * <p>{@code java -cp target/encore-bench.jar dev.encore.bench.DuckDbNightly --plays=DIR --date=T --output=DIR}
 * [{@code --threads=2 --maxPlaysPerUserDay=5000}], with the built-in definitions. Exit code 0 on success, 2 on a
 * bad command line, 1 on any failure.
 */
public final class DuckDbNightly {
  private DuckDbNightly() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the reference from a command line; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> given = ReferenceArgs.parse(
        "DuckDbNightly", args, List.of("plays", "date", "output"), "--plays=DIR --date=YYYY-MM-DD --output=DIR", err);
    if (given == null) {
      return 2;
    }
    long started = System.nanoTime();
    try {
      Map<String, Long> rows = run(Path.of(given.get("plays")), LocalDate.parse(given.get("date")),
          Path.of(given.get("output")), Integer.parseInt(given.getOrDefault("threads", "2")),
          Long.parseLong(given.getOrDefault("maxPlaysPerUserDay", "5000")), JobDefinition.builtIn());
      out.printf("duckdb nightly %s: %.1f s%n", given.get("date"), (System.nanoTime() - started) / 1e9);
      rows.forEach((dataset, n) -> out.printf("  %s: %d rows%n", dataset, n));
      return 0;
    } catch (RuntimeException | IOException | SQLException e) {
      err.println("DuckDbNightly: failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * Computes and writes {@code sessions} and {@code user_rewards} of run {@code date} under {@code output}.
   *
   * @param plays a {@link PlaysExport} of the logs
   * @return rows written per dataset
   */
  public static Map<String, Long> run(
      Path plays, LocalDate date, Path output, int threads, long maxPlaysPerUserDay, JobDefinition definition)
      throws IOException, SQLException {
    Path out = output.toAbsolutePath().normalize();
    if (Files.isDirectory(out)) {
      try (Stream<Path> children = Files.list(out)) {
        if (children.findAny().isPresent()) {
          throw new IllegalArgumentException("--output=" + out + " is not empty");
        }
      }
    }
    Files.createDirectories(out);
    Path spill = out.resolveSibling(out.getFileName() + ".duckdb-tmp");
    PlayRules rules = definition.playRules();
    RewardSpec spec = RewardSpec.of(definition);
    LocalDate firstInputDay = firstDay(plays);
    NightlyPlan plan = NightlyPlan.of(date, rules.allowedLatenessDays(), firstInputDay,
        definition.publicationAges(), definition.discovery().lookbackDays(), Set.of());
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET temp_directory = " + quote(spill.toString()));
      s.execute(acceptedPlaysSql(plays, plan, rules, maxPlaysPerUserDay));
      if (!plan.sessionDays().isEmpty()) {
        rows.put("sessions", (long) s.executeUpdate(copy(
            sessionsSql(definition.sessionRules(), plan.sessionDays().get(0), date.minusDays(1)),
            out.resolve("sessions"))));
      }
      // Partitions of anchors that are not final are withheld (NightlyPublisher): with complete input, every
      // anchor but the first input day itself.
      if (!UserRewardsSql.finalAnchors(firstInputDay, date, rules.allowedLatenessDays(), plan.rewardAnchors())
          .isEmpty()) {
        rows.put("user_rewards", (long) s.executeUpdate(copy(
            userRewardsSql(spec, rules, firstInputDay, date, plan.rewardAnchors()), out.resolve("user_rewards"))));
      }
    } finally {
      BenchFiles.deleteTree(spill);
    }
    return rows;
  }

  /**
   * Table {@code plays}: the valid, non-private plays of the run's arrival partitions, without hot user-days, one
   * delivery per (user, event_id), with {@code start_ms}, {@code ts} (end), {@code qualifying}, {@code skip},
   * {@code episode}, {@code arrival} and {@code day} (UTC day of ts).
   */
  static String acceptedPlaysSql(Path plays, NightlyPlan plan, PlayRules rules, long maxPlaysPerUserDay) {
    List<String> strings = new ArrayList<>();
    for (Schema.Field f : PlaysExport.SCHEMA.getFields()) {
      Schema type = f.schema().isUnion() ? f.schema().getTypes().get(1) : f.schema();
      if (type.getType() == Schema.Type.STRING) {
        strings.add(f.name());
      }
    }
    return """
        CREATE TABLE plays AS
        WITH raw AS (
            SELECT * FROM read_parquet(${FILES})
            WHERE arrival BETWEEN ${FIRST_ARRIVAL} AND ${T})
        -- SPEC.md's input rules (PlayValidator): private plays, then every rule a valid play passes
        , valid AS (
            SELECT user_id, event_id, ts - ms_played AS start_ms, ts, ms_played, content_type, item_id,
              content_type = 'EPISODE' AS episode,
              ms_played >= CASE content_type WHEN 'EPISODE' THEN ${EPISODE_MS} ELSE ${TRACK_MS} END AS qualifying,
              skipped, reason_end, arrival, file_index, position,
              CAST(epoch_ms(ts) AS DATE) AS day
            FROM raw
            WHERE NOT incognito_mode
              AND event_id <> '' AND user_id <> '' AND item_id <> ''
              AND NOT contains(concat_ws('', ${STRINGS}), chr(65533))
              AND content_type IN ('TRACK', 'EPISODE')
              AND ms_played BETWEEN 0 AND ${MAX_MS}
              AND ts <= epoch_ms(CAST(arrival + 1 AS TIMESTAMP)) + 3600000
              AND CAST(epoch_ms(ts) AS DATE) >= arrival - ${LATENESS})
        -- a user-day with more plays than a person can make is left out whole (ExcludeHotUsers)
        , hot AS (
            SELECT user_id, day FROM valid GROUP BY user_id, day HAVING count(*) > ${MAX_PER_DAY})
        SELECT v.user_id, v.event_id, v.start_ms, v.ts, v.ms_played, v.content_type, v.item_id, v.episode,
          v.qualifying, coalesce(v.skipped, coalesce(v.reason_end = 'fwdbtn', false) AND NOT v.qualifying) AS skip,
          v.arrival, v.day
        FROM valid v ANTI JOIN hot h ON v.user_id = h.user_id AND v.day = h.day
        -- duplicate deliveries: the first by (arrival, file, position) is kept
        QUALIFY row_number() OVER (
            PARTITION BY v.user_id, v.event_id ORDER BY v.arrival, v.file_index, v.position) = 1
        """
        .replace("${FILES}", quote(plays.toAbsolutePath().normalize() + "/dt=*/*.parquet"))
        .replace("${FIRST_ARRIVAL}", UserRewardsSql.dateLiteral(plan.firstArrival()))
        .replace("${T}", UserRewardsSql.dateLiteral(plan.date()))
        .replace("${EPISODE_MS}", String.valueOf(rules.episodeStreamMs()))
        .replace("${TRACK_MS}", String.valueOf(rules.trackStreamMs()))
        .replace("${STRINGS}", String.join(", ", strings))
        .replace("${MAX_MS}", String.valueOf(PlayValidator.MAX_MS_PLAYED))
        .replace("${LATENESS}", String.valueOf(rules.allowedLatenessDays()))
        .replace("${MAX_PER_DAY}", String.valueOf(maxPlaysPerUserDay));
  }

  /**
   * The sessions starting on {@code from..to}, cut over all of a user's plays. A play opens a new session when it
   * starts more than the gap after the latest end so far in the session, or ends more than the cap after the
   * session's start. Without the cap that is the classic gaps-and-islands: a new island where the start is more
   * than the gap after every earlier end. Only islands longer than the cap can hold a cap cut (and, after one,
   * further gap cuts); those few are walked play by play with a recursive query.
   */
  static String sessionsSql(SessionRules rules, LocalDate from, LocalDate to) {
    return """
        WITH ordered AS (
            SELECT *, max(ts) OVER (
                PARTITION BY user_id ORDER BY start_ms, ts, event_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
            FROM plays)
        , islands AS (
            SELECT *, sum(CASE WHEN earlier_end IS NULL OR start_ms > earlier_end + ${GAP} THEN 1 ELSE 0 END)
                OVER (PARTITION BY user_id ORDER BY start_ms, ts, event_id ROWS UNBOUNDED PRECEDING) AS island
            FROM ordered)
        , long_islands AS (
            SELECT user_id, island FROM islands GROUP BY user_id, island HAVING max(ts) > min(start_ms) + ${CAP})
        , long_plays AS (
            SELECT user_id, island, event_id, start_ms, ts, row_number() OVER (
                PARTITION BY user_id, island ORDER BY start_ms, ts, event_id) AS k
            FROM islands SEMI JOIN long_islands USING (user_id, island))
        , walk AS (
            WITH RECURSIVE w(user_id, island, k, event_id, session_start, latest_end, part) AS (
                SELECT user_id, island, k, event_id, start_ms, ts, 0 FROM long_plays WHERE k = 1
                UNION ALL
                SELECT p.user_id, p.island, p.k, p.event_id,
                  CASE WHEN p.start_ms > w.latest_end + ${GAP} OR p.ts > w.session_start + ${CAP}
                       THEN p.start_ms ELSE w.session_start END,
                  CASE WHEN p.start_ms > w.latest_end + ${GAP} OR p.ts > w.session_start + ${CAP}
                       THEN p.ts ELSE greatest(w.latest_end, p.ts) END,
                  w.part + CASE WHEN p.start_ms > w.latest_end + ${GAP} OR p.ts > w.session_start + ${CAP}
                                THEN 1 ELSE 0 END
                FROM w JOIN long_plays p ON p.user_id = w.user_id AND p.island = w.island AND p.k = w.k + 1)
            SELECT user_id, event_id, part FROM w)
        , sessions AS (
            SELECT i.user_id,
              first(i.event_id ORDER BY i.start_ms, i.ts, i.event_id) AS first_event,
              min(i.start_ms) AS start_ms, max(i.ts) AS end_ms,
              count(*) AS plays, count(*) FILTER (WHERE i.qualifying) AS streams,
              count(*) FILTER (WHERE i.skip) AS skips, sum(i.ms_played) AS ms_played,
              count(DISTINCT i.item_id) AS distinct_items,
              count(*) FILTER (WHERE NOT i.episode) AS tracks, count(*) FILTER (WHERE i.episode) AS episodes
            FROM islands i LEFT JOIN walk c ON c.user_id = i.user_id AND c.event_id = i.event_id
            GROUP BY i.user_id, i.island, coalesce(c.part, 0))
        , published AS (
            SELECT *, CAST(epoch_ms(start_ms) AS DATE) AS dt FROM sessions
            WHERE CAST(epoch_ms(start_ms) AS DATE) BETWEEN ${FROM} AND ${TO})
        -- session_id: SessionCutter.sessionId, 16 hex digits of SHA-256 over the user id, a zero byte, the start as
        -- 8 little-endian bytes and the first play's event id
        , ids AS (
            SELECT *, printf('%016x', CASE WHEN start_ms < 0 THEN start_ms::HUGEINT + 18446744073709551616
                                           ELSE start_ms::HUGEINT END) AS h
            FROM published)
        SELECT user_id,
          substr(sha256(user_id::BLOB || '\\x00'::BLOB
              || unhex(substr(h, 15, 2) || substr(h, 13, 2) || substr(h, 11, 2) || substr(h, 9, 2)
                       || substr(h, 7, 2) || substr(h, 5, 2) || substr(h, 3, 2) || substr(h, 1, 2))
              || first_event::BLOB), 1, 16) AS session_id,
          CAST(epoch_ms(start_ms) AS TIMESTAMPTZ) AS session_start,
          CAST(epoch_ms(end_ms) AS TIMESTAMPTZ) AS session_end,
          CAST(plays AS INTEGER) AS plays, CAST(streams AS INTEGER) AS streams, CAST(skips AS INTEGER) AS skips,
          CAST(ms_played AS BIGINT) AS ms_played, CAST(distinct_items AS INTEGER) AS distinct_items,
          CAST(tracks AS INTEGER) AS tracks, CAST(episodes AS INTEGER) AS episodes, dt
        FROM ids
        ORDER BY user_id, start_ms, session_id
        """
        .replace("${GAP}", String.valueOf(rules.gapMs()))
        .replace("${CAP}", String.valueOf(rules.maxSessionMs()))
        .replace("${FROM}", UserRewardsSql.dateLiteral(from))
        .replace("${TO}", UserRewardsSql.dateLiteral(to));
  }

  /** user_rewards with the schema's column types (counts as INTEGER where the schema says int), and dt. */
  static String userRewardsSql(
      RewardSpec spec, PlayRules rules, LocalDate firstInputDay, LocalDate asOf, List<LocalDate> anchors) {
    List<String> columns = new ArrayList<>();
    for (Schema.Field f : RewardSchemas.userRewards(spec).getFields()) {
      Schema type = f.schema().isUnion() ? f.schema().getTypes().get(1) : f.schema();
      boolean plainInt = type.getType() == Schema.Type.INT && type.getLogicalType() == null;
      columns.add(plainInt ? "CAST(" + f.name() + " AS INTEGER) AS " + f.name() : f.name());
    }
    String query = UserRewardsSql.query(
        "plays", spec, rules.trackStreamMs(), rules.episodeStreamMs(), firstInputDay, asOf, anchors);
    return "SELECT " + String.join(", ", columns) + ", anchor_date AS dt FROM (" + query
        + ") ORDER BY user_id, anchor_date";
  }

  private static String copy(String query, Path target) {
    return "COPY (" + query + ") TO " + quote(target.toString()) + " (FORMAT parquet, PARTITION_BY (dt))";
  }

  /** The first {@code dt=} partition of the export. */
  private static LocalDate firstDay(Path plays) throws IOException {
    try (Stream<Path> dirs = Files.list(plays)) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(n -> n.matches("dt=\\d{4}-\\d{2}-\\d{2}"))
          .map(n -> LocalDate.parse(n.substring(3)))
          .min(LocalDate::compareTo)
          .orElseThrow(() -> new IOException("no dt=YYYY-MM-DD partition under " + plays));
    }
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
