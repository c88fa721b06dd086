package dev.encore.testing;

import dev.encore.bench.UserRewardsSql;
import dev.encore.rewards.RewardSpec;
import dev.encore.testing.SpecOracle.OraclePlay;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Independent reference for the reward datasets of docs/rewards.md, computed with DuckDB SQL from the accepted plays.
 *
 * <p>The whole accepted history ({@link SpecOracle#acceptedPlays}) is loaded once, each with its arrival day; a
 * query for run T keeps the plays with {@code arrival <= T}. That is exactly the set a run T reads: deduplication
 * keeps the copy with the smallest arrival, so a play kept from an arrival after T has no copy at or before T.
 *
 * <p>Rows come back as maps from column name to value, in the column order of {@link Definition}; values are
 * String, Long, Double, Boolean, LocalDate, and java.util.List for LIST columns. {@link #renderRow} turns a row into
 * one canonical line so that the oracle and the pipeline's Parquet (read with DuckDB) compare as sets of strings:
 *
 * <ul>
 *   <li>values in the dataset's column order, joined with {@code |};
 *   <li>null: {@code null}; booleans: {@code t} / {@code f}; integers of any width: decimal ({@code 42});
 *   <li>floating point and DECIMAL: rounded half-up to 9 decimals, plain notation ({@code 2.333333333},
 *       {@code 1.000000000});
 *   <li>DATE: ISO ({@code 2024-03-01}); strings as they are;
 *   <li>lists: {@code [} elements rendered by the same rules, joined with {@code ,} {@code ]}, e.g.
 *       {@code [t,f,null]}, {@code [3,0,null]}.
 * </ul>
 *
 * <p>Example, a default {@code user_rewards} row (user_id|anchor_date|active_days_7|active_days_28|active_days_60|
 * return_d1|days_to_return|streams_28|ms_played_28|as_of|days_observed|mature_1|mature_7|mature_28|mature_60):
 * {@code u1|2024-03-02|1|2|2|f|7|3|540000|2024-03-30|28|t|t|f|f}.
 */
public final class RewardsOracle implements AutoCloseable {
  /** The entity levels docs/rewards.md defines. */
  public static final List<String> ENTITY_LEVELS = List.of("artist", "show", "track", "album");

  private final DuckDb db;
  private final Definition definition;
  private final LocalDate firstInputDay;

  private RewardsOracle(DuckDb db, Definition definition, LocalDate firstInputDay) {
    this.db = db;
    this.definition = definition;
    this.firstInputDay = firstInputDay;
  }

  /**
   * The reward definition: the keys of pipelines/nightly.yaml that change reward rows. {@link #defaults()} is that
   * file's content; column names follow the horizons (e.g. {@code active_days_7}, {@code stickiness_60}).
   */
  public record Definition(
      int allowedLatenessDays,
      long trackStreamMs,
      long episodeStreamMs,
      List<Integer> activeDaysHorizons,
      List<Integer> volumeHorizons,
      List<String> entityLevels,
      int lookbackDays,
      int stickinessDays,
      List<Integer> discoveryActiveDaysHorizons,
      List<Integer> checkpoints) {
    public Definition {
      activeDaysHorizons = sortedPositive(activeDaysHorizons, "active_days_horizons");
      volumeHorizons = sortedPositive(volumeHorizons, "volume_horizons");
      discoveryActiveDaysHorizons =
          sortedPositive(discoveryActiveDaysHorizons, "discovery active_days_horizons");
      checkpoints = sortedPositive(checkpoints, "checkpoints");
      entityLevels = List.copyOf(entityLevels);
      for (String level : entityLevels) {
        if (!ENTITY_LEVELS.contains(level)) {
          throw new IllegalArgumentException("unknown entity level " + level + "; one of " + ENTITY_LEVELS);
        }
      }
      if (stickinessDays < 2 || lookbackDays < 1 || allowedLatenessDays < 0) {
        throw new IllegalArgumentException(
            "need stickiness_days >= 2, lookback_days >= 1, allowed_lateness_days >= 0; got "
                + stickinessDays + ", " + lookbackDays + ", " + allowedLatenessDays);
      }
      // mature_<stickinessDays> means the window D .. D+stickinessDays-1, not an active_days horizon.
      if (discoveryActiveDaysHorizons.contains(stickinessDays)) {
        throw new IllegalArgumentException(
            "mature_" + stickinessDays + " would name two different windows");
      }
    }

    /** pipelines/nightly.yaml: L 3, streams at 30 000 / 60 000 ms, horizons 7/28/60, volume 28, artist+show. */
    public static Definition defaults() {
      return new Definition(
          3,
          30_000L,
          60_000L,
          List.of(7, 28, 60),
          List.of(28),
          List.of("artist", "show"),
          60,
          60,
          List.of(7, 28),
          List.of(1, 7, 28));
    }

    /** The same definition with other discovery entity levels (any of artist, show, track, album). */
    public Definition withEntityLevels(String... levels) {
      return new Definition(
          allowedLatenessDays,
          trackStreamMs,
          episodeStreamMs,
          activeDaysHorizons,
          volumeHorizons,
          List.of(levels),
          lookbackDays,
          stickinessDays,
          discoveryActiveDaysHorizons,
          checkpoints);
    }

    /** Length of {@code trace} and {@code active_by_offset}: stickiness_days − 1 (59). */
    public int traceLength() {
      return stickinessDays - 1;
    }

    /** The longest user_rewards horizon (60): what {@code days_observed} of user_rewards counts up to. */
    public int longestUserHorizon() {
      return Math.max(max(activeDaysHorizons), max(volumeHorizons));
    }

    /** M = max(user horizons, discovery horizons, stickiness_days − 1) + L (63). */
    public int maturityAge() {
      int longest = Math.max(longestUserHorizon(), max(discoveryActiveDaysHorizons));
      return Math.max(longest, traceLength()) + allowedLatenessDays;
    }

    /** Checkpoints ∪ {M}, ascending ({1, 7, 28, 63}). */
    public List<Integer> publicationAges() {
      Set<Integer> ages = new TreeSet<>(checkpoints);
      ages.add(maturityAge());
      return List.copyOf(ages);
    }

    /** N of the {@code mature_N} columns of user_rewards: 1 (return_d1) and every user horizon, ascending. */
    public List<Integer> userMaturityHorizons() {
      Set<Integer> horizons = new TreeSet<>(activeDaysHorizons);
      horizons.addAll(volumeHorizons);
      horizons.add(1);
      return List.copyOf(horizons);
    }

    /** Name of the stickiness column and of the maturity of the whole trace: {@code stickiness_60}, {@code 60}. */
    public String stickinessColumn() {
      return "stickiness_" + stickinessDays;
    }

    /** Columns of user_rewards in canonical order. */
    public List<String> userRewardColumns() {
      List<String> columns = new ArrayList<>(List.of("user_id", "anchor_date"));
      activeDaysHorizons.forEach(n -> columns.add("active_days_" + n));
      columns.addAll(List.of("return_d1", "days_to_return"));
      for (int n : volumeHorizons) {
        columns.add("streams_" + n);
        columns.add("ms_played_" + n);
      }
      columns.addAll(List.of("as_of", "days_observed"));
      userMaturityHorizons().forEach(n -> columns.add("mature_" + n));
      return List.copyOf(columns);
    }

    /** Columns of user_entity_rewards in canonical order. */
    public List<String> userEntityRewardColumns() {
      List<String> columns =
          new ArrayList<>(
              List.of("user_id", "entity_level", "entity_id", "discovery_date", "trace", stickinessColumn()));
      discoveryActiveDaysHorizons.forEach(n -> columns.add("active_days_" + n));
      columns.addAll(
          List.of(
              "discovery_context_type",
              "discovery_reason_start",
              "lookback_complete",
              "as_of",
              "days_observed"));
      discoveryActiveDaysHorizons.forEach(n -> columns.add("mature_" + n));
      columns.add("mature_" + stickinessDays);
      return List.copyOf(columns);
    }

    /** Columns of entity_rewards in canonical order. */
    public List<String> entityRewardColumns() {
      return List.of(
          "entity_level",
          "entity_id",
          "discovery_date",
          "discoverers",
          "mean_" + stickinessColumn(),
          "active_by_offset",
          "as_of",
          "days_observed",
          "mature_" + stickinessDays);
    }

    private static List<Integer> sortedPositive(List<Integer> values, String what) {
      if (values.isEmpty() || values.stream().anyMatch(v -> v == null || v < 1)) {
        throw new IllegalArgumentException(what + " must be positive day counts: " + values);
      }
      return List.copyOf(new TreeSet<>(values));
    }

    private static int max(List<Integer> values) {
      return Collections.max(values);
    }
  }

  /** {@link #load(Path, Definition)} with {@link Definition#defaults()}. */
  public static RewardsOracle load(Path logsRoot) {
    return load(logsRoot, Definition.defaults());
  }

  /**
   * Reads every arrival partition under logsRoot (validated with the definition's lateness) into an in-memory
   * DuckDB; F is the earliest partition present. Close the oracle when done.
   */
  public static RewardsOracle load(Path logsRoot, Definition definition) {
    LocalDate first = SpecOracle.firstInputDay(logsRoot);
    List<LocalDate> partitions = SpecOracle.arrivalPartitions(logsRoot);
    LocalDate last = partitions.get(partitions.size() - 1);
    SpecOracle.Params params =
        new SpecOracle.Params(
            definition.allowedLatenessDays(),
            SpecOracle.Params.defaults().sessionGapMinutes(),
            SpecOracle.Params.defaults().maxSessionHours(),
            definition.trackStreamMs(),
            definition.episodeStreamMs());
    return of(SpecOracle.acceptedPlays(logsRoot, last, params), first, definition);
  }

  /** An oracle over the given accepted plays (each with its arrival day) and first input day F. */
  public static RewardsOracle of(List<OraclePlay> plays, LocalDate firstInputDay, Definition definition) {
    DuckDb db = DuckDb.open();
    try {
      db.execute(
          "CREATE TABLE accepted (user_id VARCHAR, event_id VARCHAR, ts BIGINT, ms_played BIGINT,"
              + " content_type VARCHAR, item_id VARCHAR, artist_id VARCHAR, album_id VARCHAR, show_id VARCHAR,"
              + " context_type VARCHAR, reason_start VARCHAR, arrival DATE)");
      append(db, plays);
      // The day of a play is the UTC day of ts, its end (the session is UTC, and epoch_ms gives a plain TIMESTAMP).
      db.execute("CREATE TABLE plays AS SELECT *, CAST(epoch_ms(ts) AS DATE) AS day FROM accepted");
      db.execute("DROP TABLE accepted");
      return new RewardsOracle(db, definition, firstInputDay);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** The appender loads 200 000 rows in well under a second; one INSERT per row would take many. */
  private static void append(DuckDb db, List<OraclePlay> plays) {
    try (DuckDBAppender appender =
        ((DuckDBConnection) db.connection()).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "accepted")) {
      for (OraclePlay p : plays) {
        appender.beginRow();
        appender.append(p.userId());
        appender.append(p.eventId());
        appender.append(p.ts());
        appender.append(p.msPlayed());
        appender.append(p.contentType());
        appender.append(p.itemId());
        appendNullable(appender, p.artistId());
        appendNullable(appender, p.albumId());
        appendNullable(appender, p.showId());
        appendNullable(appender, p.contextType());
        appendNullable(appender, p.reasonStart());
        appender.append(p.arrival());
        appender.endRow();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot load plays into DuckDB", e);
    }
  }

  private static void appendNullable(DuckDBAppender appender, String value) throws SQLException {
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  /** The definition the oracle computes. */
  public Definition definition() {
    return definition;
  }

  /** F: the first input day. */
  public LocalDate firstInputDay() {
    return firstInputDay;
  }

  /** The anchor (discovery) days run T publishes: T − a for every publication age a, with T − a ≥ F; ascending. */
  public List<LocalDate> anchors(LocalDate asOf) {
    List<LocalDate> anchors = new ArrayList<>();
    for (int age : definition.publicationAges()) {
      LocalDate d = asOf.minusDays(age);
      if (!d.isBefore(firstInputDay)) {
        anchors.add(0, d);
      }
    }
    return anchors;
  }

  // ------------------------------------------------------------------------------------------ user_rewards

  /** The user_rewards rows run T publishes (every anchor of {@link #anchors}), sorted by (user_id, anchor_date). */
  public List<Map<String, Object>> userRewards(LocalDate asOf) {
    List<LocalDate> anchors = anchors(checked(asOf));
    if (anchors.isEmpty()) {
      return List.of();
    }
    Definition def = definition;
    // The same SQL the benchmark's DuckDB reference runs (dev.encore.bench.UserRewardsSql).
    RewardSpec spec = new RewardSpec(def.activeDaysHorizons(), def.volumeHorizons(), def.entityLevels(),
        def.lookbackDays(), def.stickinessDays(), def.discoveryActiveDaysHorizons(), def.allowedLatenessDays());
    String sql = UserRewardsSql.query("plays", spec, def.trackStreamMs(), def.episodeStreamMs(), asOf, anchors);
    return rows(sql, def.userRewardColumns());
  }

  // ------------------------------------------------------------------------------------- user_entity_rewards

  /** The user_entity_rewards rows run T publishes, sorted by (user_id, entity_level, entity_id, discovery_date). */
  public List<Map<String, Object>> userEntityRewards(LocalDate asOf) {
    List<LocalDate> anchors = anchors(checked(asOf));
    if (anchors.isEmpty()) {
      return List.of();
    }
    String sql =
        "WITH "
            + discoveryCtes()
            + """
            SELECT * FROM user_entity_rewards
            ORDER BY user_id, entity_level, entity_id, discovery_date
            """;
    return rows(bind(sql, asOf, anchors), definition.userEntityRewardColumns());
  }

  // ------------------------------------------------------------------------------------------ entity_rewards

  /** The entity_rewards rows run T publishes, sorted by (entity_level, entity_id, discovery_date). */
  public List<Map<String, Object>> entityRewards(LocalDate asOf) {
    List<LocalDate> anchors = anchors(checked(asOf));
    if (anchors.isEmpty()) {
      return List.of();
    }
    int full = definition.stickinessDays();
    String sql =
        "WITH "
            + discoveryCtes()
            + """
            -- discoveries that may not be new are left out
            , complete AS (SELECT * FROM user_entity_rewards WHERE lookback_complete)
            , per_entity AS (
                SELECT entity_level, entity_id, discovery_date,
                  count(*) AS discoverers, avg(${STICKINESS}) AS mean_stickiness
                FROM complete
                GROUP BY entity_level, entity_id, discovery_date)
            , per_offset AS (
                SELECT o.entity_level, o.entity_id, o.discovery_date, o.k,
                  CASE WHEN o.discovery_date + o.k > ${T} THEN NULL
                       ELSE count(*) FILTER (WHERE o.active) END AS active_users
                FROM offsets o JOIN complete c USING (user_id, entity_level, entity_id, discovery_date)
                GROUP BY o.entity_level, o.entity_id, o.discovery_date, o.k)
            , offset_lists AS (
                SELECT entity_level, entity_id, discovery_date, list(active_users ORDER BY k) AS active_by_offset
                FROM per_offset
                GROUP BY entity_level, entity_id, discovery_date)
            SELECT e.entity_level, e.entity_id, e.discovery_date, e.discoverers,
              CASE WHEN e.discovery_date + ${MATURE_FULL} <= ${T} THEN e.mean_stickiness END AS mean_${STICKINESS},
              o.active_by_offset,
              ${T} AS as_of,
              least(${TRACE}, ${T} - e.discovery_date) AS days_observed,
              e.discovery_date + ${MATURE_FULL} <= ${T} AS mature_${FULL}
            FROM per_entity e JOIN offset_lists o USING (entity_level, entity_id, discovery_date)
            ORDER BY e.entity_level, e.entity_id, e.discovery_date
            """;
    sql = sql.replace("${FULL}", String.valueOf(full));
    return rows(bind(sql, asOf, anchors), definition.entityRewardColumns());
  }

  /**
   * CTEs up to {@code user_entity_rewards} (one row per discovery, the dataset's columns) and {@code offsets} (one
   * row per discovery and k = 1..59 with {@code active}, null when D + k > T).
   */
  private String discoveryCtes() {
    Definition def = definition;
    List<String> entityPlays = new ArrayList<>();
    for (String level : def.entityLevels()) {
      String type = level.equals("show") ? "EPISODE" : "TRACK";
      String column =
          switch (level) {
            case "artist" -> "artist_id";
            case "show" -> "show_id";
            case "track" -> "item_id";
            case "album" -> "album_id";
            default -> throw new IllegalStateException(level);
          };
      entityPlays.add(
          "SELECT '" + level + "' AS entity_level, " + column + " AS entity_id, user_id, day, ts, ms_played,"
              + " event_id, context_type, reason_start FROM streams"
              + " WHERE content_type = '" + type + "' AND " + column + " IS NOT NULL");
    }
    List<String> activeDays = new ArrayList<>();
    for (int n : def.discoveryActiveDaysHorizons()) {
      activeDays.add(
          "count(x.day) FILTER (WHERE x.day <= least(d.discovery_date + " + n + ", ${T})) AS active_days_" + n);
    }
    List<String> maturity = new ArrayList<>();
    for (int n : def.discoveryActiveDaysHorizons()) {
      maturity.add("d.discovery_date + " + (n + def.allowedLatenessDays()) + " <= ${T} AS mature_" + n);
    }
    maturity.add("d.discovery_date + ${MATURE_FULL} <= ${T} AS mature_" + def.stickinessDays());
    String ctes =
        streamsCte()
            + """
            , entity_plays AS (${ENTITY_PLAYS})
            , entity_days AS (SELECT DISTINCT user_id, entity_level, entity_id, day FROM entity_plays)
            , anchors AS (SELECT unnest(${ANCHORS}) AS anchor_date)
            -- active with the entity on D and on none of D-60 .. D-1
            , discoveries AS (
                SELECT e.user_id, e.entity_level, e.entity_id, e.day AS discovery_date
                FROM entity_days e JOIN anchors a ON e.day = a.anchor_date
                WHERE NOT EXISTS (
                  SELECT 1 FROM entity_days p
                  WHERE p.user_id = e.user_id AND p.entity_level = e.entity_level AND p.entity_id = e.entity_id
                    AND p.day >= e.day - ${LOOKBACK} AND p.day <= e.day - 1))
            -- attribution: the first qualifying play of the entity on D by (start, end, event_id)
            , first_plays AS (
                SELECT user_id, entity_level, entity_id, day AS discovery_date, context_type, reason_start
                FROM entity_plays
                WHERE day IN (SELECT anchor_date FROM anchors)
                QUALIFY row_number() OVER (
                  PARTITION BY user_id, entity_level, entity_id, day
                  ORDER BY ts - ms_played, ts, event_id) = 1)
            , offsets AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date, k.k,
                  CASE WHEN d.discovery_date + k.k > ${T} THEN NULL ELSE x.day IS NOT NULL END AS active
                FROM discoveries d
                CROSS JOIN (SELECT CAST(range AS INTEGER) AS k FROM range(1, ${TRACE} + 1)) k
                LEFT JOIN entity_days x ON x.user_id = d.user_id AND x.entity_level = d.entity_level
                  AND x.entity_id = d.entity_id AND x.day = d.discovery_date + k.k)
            , traces AS (
                SELECT user_id, entity_level, entity_id, discovery_date,
                  list(active ORDER BY k) AS trace, count(*) FILTER (WHERE active) AS true_days
                FROM offsets
                GROUP BY user_id, entity_level, entity_id, discovery_date)
            -- active days with the entity after D (entity_days holds no day after T)
            , later_days AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date, ${ACTIVE_DAYS}
                FROM discoveries d
                LEFT JOIN entity_days x ON x.user_id = d.user_id AND x.entity_level = d.entity_level
                  AND x.entity_id = d.entity_id AND x.day > d.discovery_date
                GROUP BY d.user_id, d.entity_level, d.entity_id, d.discovery_date)
            , user_entity_rewards AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date, t.trace,
                  CASE WHEN d.discovery_date + ${MATURE_FULL} <= ${T} THEN 1 + t.true_days END AS ${STICKINESS},
                  ${LATER_COLUMNS},
                  f.context_type AS discovery_context_type, f.reason_start AS discovery_reason_start,
                  d.discovery_date - ${LOOKBACK} >= ${F} AS lookback_complete,
                  ${T} AS as_of,
                  least(${TRACE}, ${T} - d.discovery_date) AS days_observed,
                  ${MATURITY}
                FROM discoveries d
                JOIN traces t USING (user_id, entity_level, entity_id, discovery_date)
                JOIN later_days l USING (user_id, entity_level, entity_id, discovery_date)
                JOIN first_plays f USING (user_id, entity_level, entity_id, discovery_date))
            """;
    return ctes.replace("${ENTITY_PLAYS}", String.join(" UNION ALL ", entityPlays))
        .replace("${ACTIVE_DAYS}", String.join(", ", activeDays))
        .replace(
            "${LATER_COLUMNS}",
            def.discoveryActiveDaysHorizons().stream()
                .map(n -> "l.active_days_" + n)
                .collect(Collectors.joining(", ")))
        .replace("${MATURITY}", String.join(", ", maturity));
  }

  /**
   * The qualifying plays run T counts: read by T ({@code arrival <= T}), on a day ≤ T (a play ending in the first
   * hour of T+1 is accepted by run T, but its day is not observed yet) and above the stream threshold.
   */
  private String streamsCte() {
    return """
        streams AS (
            SELECT * FROM plays
            WHERE arrival <= ${T} AND day <= ${T}
              AND ms_played >= CASE content_type WHEN 'TRACK' THEN ${TRACK_MS} WHEN 'EPISODE' THEN ${EPISODE_MS} END)
        """
        .replace("${TRACK_MS}", String.valueOf(definition.trackStreamMs()))
        .replace("${EPISODE_MS}", String.valueOf(definition.episodeStreamMs()));
  }

  /** Fills the placeholders every query shares. */
  private String bind(String sql, LocalDate asOf, List<LocalDate> anchors) {
    String anchorList =
        anchors.stream().map(RewardsOracle::dateLiteral).collect(Collectors.joining(", ", "[", "]"));
    return sql.replace("${ANCHORS}", anchorList)
        .replace("${STICKINESS}", definition.stickinessColumn())
        .replace("${TRACE}", String.valueOf(definition.traceLength()))
        .replace("${LOOKBACK}", String.valueOf(definition.lookbackDays()))
        // mature_60: the whole window D .. D+59 observed and L days more, D + 59 + L <= T
        .replace("${MATURE_FULL}", String.valueOf(definition.traceLength() + definition.allowedLatenessDays()))
        .replace("${T}", dateLiteral(asOf))
        .replace("${F}", dateLiteral(firstInputDay));
  }

  private LocalDate checked(LocalDate asOf) {
    if (asOf.isBefore(firstInputDay)) {
      throw new IllegalArgumentException("run date " + asOf + " is before the first input day " + firstInputDay);
    }
    return asOf;
  }

  private List<Map<String, Object>> rows(String sql, List<String> columns) {
    if (sql.contains("${")) {
      throw new IllegalStateException("unbound placeholder in " + sql);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> values : db.rows(sql)) {
      if (values.size() != columns.size()) {
        throw new IllegalStateException("query gives " + values.size() + " columns, expected " + columns);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        row.put(columns.get(i), values.get(i));
      }
      out.add(Collections.unmodifiableMap(row));
    }
    return Collections.unmodifiableList(out);
  }

  private static String dateLiteral(LocalDate day) {
    return "DATE '" + day + "'";
  }

  // ------------------------------------------------------------------------------------------ rendering

  /** The user_rewards rows of run T, rendered ({@link #renderRow}) and sorted. */
  public List<String> renderedUserRewards(LocalDate asOf) {
    return renderRows(userRewards(asOf), definition.userRewardColumns());
  }

  /** The user_entity_rewards rows of run T, rendered and sorted. */
  public List<String> renderedUserEntityRewards(LocalDate asOf) {
    return renderRows(userEntityRewards(asOf), definition.userEntityRewardColumns());
  }

  /** The entity_rewards rows of run T, rendered and sorted. */
  public List<String> renderedEntityRewards(LocalDate asOf) {
    return renderRows(entityRewards(asOf), definition.entityRewardColumns());
  }

  /** One user_rewards row given by column name (e.g. read from Parquet), rendered in the definition's order. */
  public static String renderUserReward(Definition definition, Map<String, ?> row) {
    return renderRow(pick(row, definition.userRewardColumns()));
  }

  /** One user_entity_rewards row given by column name, rendered in the definition's order. */
  public static String renderUserEntityReward(Definition definition, Map<String, ?> row) {
    return renderRow(pick(row, definition.userEntityRewardColumns()));
  }

  /** One entity_rewards row given by column name, rendered in the definition's order. */
  public static String renderEntityReward(Definition definition, Map<String, ?> row) {
    return renderRow(pick(row, definition.entityRewardColumns()));
  }

  /** Rows given by column name, each rendered with the given columns in order; the result is sorted. */
  public static List<String> renderRows(List<? extends Map<String, ?>> rows, List<String> columns) {
    List<String> out = new ArrayList<>();
    for (Map<String, ?> row : rows) {
      out.add(renderRow(pick(row, columns)));
    }
    Collections.sort(out);
    return out;
  }

  /**
   * {@code SELECT <columns> FROM <from>} on db, each row rendered, sorted: how an end-to-end test renders the
   * pipeline's Parquet, e.g. {@code renderQuery(db, DuckDb.readDataset(out, "user_rewards") + " WHERE ...",
   * definition.userRewardColumns())}.
   */
  public static List<String> renderQuery(DuckDb db, String from, List<String> columns) {
    String select =
        columns.stream().map(c -> "\"" + c.replace("\"", "\"\"") + "\"").collect(Collectors.joining(", "));
    List<String> out = new ArrayList<>();
    for (List<Object> row : db.rows("SELECT " + select + " FROM " + from)) {
      out.add(renderRow(row));
    }
    Collections.sort(out);
    return out;
  }

  /** The canonical line of one row: its values in column order, rendered by {@link #renderValue}, joined by |. */
  public static String renderRow(List<?> values) {
    return values.stream().map(RewardsOracle::renderValue).collect(Collectors.joining("|"));
  }

  /** One value as the class comment describes (null, t/f, integers, 9-decimal fractions, ISO dates, [lists]). */
  public static String renderValue(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Boolean b) {
      return b ? "t" : "f";
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      // Through the shortest decimal text of the value, so 0.1f and 0.1d both give 0.100000000.
      return new BigDecimal(value.toString()).setScale(9, RoundingMode.HALF_UP).toPlainString();
    }
    if (value instanceof LocalDate || value instanceof CharSequence) {
      return value.toString();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    if (value instanceof Collection<?> list) {
      return list.stream().map(RewardsOracle::renderValue).collect(Collectors.joining(",", "[", "]"));
    }
    if (value instanceof Object[] array) {
      return renderValue(java.util.Arrays.asList(array));
    }
    if (value instanceof java.sql.Array array) {
      try {
        return renderValue(java.util.Arrays.asList((Object[]) array.getArray()));
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read a SQL array", e);
      }
    }
    // Anything else (timestamps, structs ...) has no column in the reward datasets: fail rather than guess.
    throw new IllegalArgumentException("no rendering for " + value.getClass().getName() + ": " + value);
  }

  private static List<Object> pick(Map<String, ?> row, List<String> columns) {
    List<Object> values = new ArrayList<>();
    for (String column : columns) {
      if (!row.containsKey(column)) {
        throw new IllegalArgumentException("row has no column " + column + ": " + row.keySet());
      }
      values.add(row.get(column));
    }
    return values;
  }

  @Override
  public void close() {
    db.close();
  }
}
