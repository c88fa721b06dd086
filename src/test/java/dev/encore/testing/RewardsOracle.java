package dev.encore.testing;

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
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Independent reference for the reward datasets of docs/rewards.md (definition format version 2), computed with
 * DuckDB SQL from the accepted plays. Written from that page alone, never from the pipeline's code.
 *
 * <p>The whole accepted history ({@link SpecOracle#acceptedPlays}) is loaded once, each play with its arrival day; a
 * query for run T keeps the plays with {@code arrival <= T}. That is exactly the set a run T reads: deduplication
 * keeps the copy with the smallest arrival, so a play kept from an arrival after T has no copy at or before T. A day's
 * activity is frozen once day + L has passed (a later play of it is rejected as too_late), so no play of a final day
 * is missing from that set.
 *
 * <p><b>Input calendar.</b> Arrival day X is complete when X ≥ F, {@code dt=X} exists, is sealed and every {@code
 * .avro} file in it decodes completely ({@link SpecOracle#completeArrivalDays}), and a test did not declare it
 * incomplete ({@link #withIncompleteArrivalDays}): the logs folder shows how it is now, not whether a partition was
 * there when the first run looked for it. Plays of unsealed partitions and of files that do not decode are left out
 * (what {@code --allowMissingDays --skipCorruptFiles} read). Declaring a day incomplete changes only the calendar,
 * not the plays: a test that declares one keeps the logs folder as the runs read it. Day d is final in run T when
 * d + L ≤ T and arrival days d − 1 … d + L are all complete, so F itself is never final (its first hour could have
 * arrived in F − 1, which has no partition).
 *
 * <p><b>Readings of docs/rewards.md</b> where it could be read otherwise (the most literal one is taken):
 *
 * <ul>
 *   <li>F is never final (arrival F − 1 is "before F: incomplete"): anchor F is always withheld, a lookback is
 *       complete from F + 61 on, and user_first_active_date needs f ≥ F + 61.
 *   <li>user_first_active_date: f itself need not be final, only f − 60 … f − 1; at most one f qualifies. A user
 *       back after more than 60 inactive days gets f = the day of return.
 *   <li>discovery_kind new_to_entity: the user is active (any qualifying play, even one with no entity at this
 *       level) on a day of D − 60 … D − 1. Whether a discovery exists uses the plays read so far, final or not.
 *   <li>entity_rewards: a row exists when there is a lookback-complete discovery, so a row may have discoverers 0
 *       (only new_user discoveries); its active_by_offset then holds 0 (not null) for k ≤ days_final, and
 *       mean_stickiness_60 is null.
 *   <li>W of user_rewards is the longest horizon of every family, active_weeks included: it names
 *       days_to_return_W and bounds days_final.
 *   <li>discovery_ts: the doc says TIMESTAMP in milliseconds, the pipeline's schema BIGINT epoch milliseconds; the
 *       oracle gives a long and renders any timestamp as epoch milliseconds, so both compare equal.
 *   <li>Unsealed partitions are not read; a file that does not read completely is left out whole.
 * </ul>
 *
 * <p>Rows come back as maps from column name to value, in the column order of {@link Definition}; values are
 * String, Long, Integer, Double, Boolean, LocalDate, and java.util.List for LIST columns. {@link #renderRow} turns a
 * row into one canonical line so that the oracle and the pipeline's Parquet (read with DuckDB) compare as sets of
 * strings:
 *
 * <ul>
 *   <li>values in the dataset's column order, joined with {@code |};
 *   <li>null: {@code null}; booleans: {@code t} / {@code f}; integers of any width: decimal ({@code 42});
 *   <li>floating point and DECIMAL: rounded half-up to 9 decimals, plain notation ({@code 2.333333333},
 *       {@code 1.000000000});
 *   <li>DATE: ISO ({@code 2024-03-01}); strings as they are;
 *   <li>timestamps (java.sql.Timestamp, LocalDateTime taken as UTC, OffsetDateTime, Instant): epoch milliseconds
 *       as a decimal integer, so {@code discovery_ts} renders the same whether it is written as a BIGINT of epoch
 *       milliseconds (the oracle's value) or as a TIMESTAMP(MILLIS, UTC);
 *   <li>lists: {@code [} elements rendered by the same rules, joined with {@code ,} {@code ]}, e.g.
 *       {@code [t,f,null]}, {@code [3,0,null]}.
 * </ul>
 *
 * <p>Example, a default {@code user_rewards} row (user_id|anchor_date|active_days_7|active_days_28|active_days_60|
 * streams_28|ms_played_28|return_d1|days_to_return_60|user_first_active_date|as_of|days_final|mature_1|mature_7|
 * mature_28|mature_60): {@code u1|2024-03-02|1|2|2|3|540000|f|7|2024-03-02|2024-04-02|28|t|t|t|f}.
 */
public final class RewardsOracle implements AutoCloseable {
  /** The entity levels docs/rewards.md defines. */
  public static final List<String> ENTITY_LEVELS = List.of("artist", "show", "track", "album");

  private final DuckDb db;
  private final Definition definition;
  private final LocalDate firstInputDay;
  /** Arrival days found complete in the logs folder, less those a test declared incomplete. */
  private final NavigableSet<LocalDate> completeArrivalDays;

  private RewardsOracle(
      DuckDb db, Definition definition, LocalDate firstInputDay, Set<LocalDate> completeArrivalDays) {
    this.db = db;
    this.definition = definition;
    this.firstInputDay = firstInputDay;
    this.completeArrivalDays = new TreeSet<>(completeArrivalDays);
    this.completeArrivalDays.removeIf(x -> x.isBefore(firstInputDay));
  }

  /**
   * The reward definition: the keys of pipelines/nightly.yaml that change reward rows. {@link #defaults()} is that
   * file's content; column names follow the horizons (e.g. {@code active_days_7}, {@code stickiness_60}).
   * {@code checkpoints} null means {@code publishing.checkpoints: auto} (the default of definition version 2).
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
      List<Integer> checkpoints,
      List<Integer> activeWeeksHorizons) {
    public Definition {
      activeDaysHorizons = sortedPositive(activeDaysHorizons, "active_days_horizons", false);
      // volume_horizons and discovery active_days_horizons "may be []" (pipelines/nightly.yaml).
      volumeHorizons = sortedPositive(volumeHorizons, "volume_horizons", true);
      // Optional in the definition file: none unless asked for.
      activeWeeksHorizons = sortedPositive(activeWeeksHorizons, "active_weeks_horizons", true);
      discoveryActiveDaysHorizons =
          sortedPositive(discoveryActiveDaysHorizons, "discovery active_days_horizons", true);
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
      if (checkpoints != null) {
        checkpoints = List.copyOf(new TreeSet<>(checkpoints));
        int m =
            maturityAge(
                allowedLatenessDays, activeDaysHorizons, volumeHorizons, activeWeeksHorizons,
                discoveryActiveDaysHorizons, stickinessDays);
        for (int c : checkpoints) {
          // "An explicit list must have every value >= L and < M".
          if (c < allowedLatenessDays || c >= m) {
            throw new IllegalArgumentException(
                "checkpoint " + c + " must be >= allowed_lateness_days " + allowedLatenessDays
                    + " and < the maturity age " + m);
          }
        }
      }
    }

    /**
     * pipelines/nightly.yaml (version 2): L 3, streams at 30 000 / 60 000 ms, horizons 7/28/60, volume 28,
     * artist+show, lookback 60, stickiness 60, discovery horizons 7/28, checkpoints auto, no active_weeks.
     */
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
          null,
          List.of());
    }

    /** The same definition with other discovery entity levels (any of artist, show, track, album). */
    public Definition withEntityLevels(String... levels) {
      return new Definition(
          allowedLatenessDays, trackStreamMs, episodeStreamMs, activeDaysHorizons, volumeHorizons,
          List.of(levels), lookbackDays, stickinessDays, discoveryActiveDaysHorizons, checkpoints,
          activeWeeksHorizons);
    }

    /** The same definition with {@code active_weeks_N} columns (the optional key active_weeks_horizons). */
    public Definition withActiveWeeksHorizons(Integer... horizons) {
      return new Definition(
          allowedLatenessDays, trackStreamMs, episodeStreamMs, activeDaysHorizons, volumeHorizons,
          entityLevels, lookbackDays, stickinessDays, discoveryActiveDaysHorizons, checkpoints,
          List.of(horizons));
    }

    /** The same definition with an explicit {@code publishing.checkpoints} list (M is always added). */
    public Definition withCheckpoints(Integer... ages) {
      return new Definition(
          allowedLatenessDays, trackStreamMs, episodeStreamMs, activeDaysHorizons, volumeHorizons,
          entityLevels, lookbackDays, stickinessDays, discoveryActiveDaysHorizons, List.of(ages),
          activeWeeksHorizons);
    }

    /** The same definition with {@code publishing.checkpoints: auto}. */
    public Definition withAutoCheckpoints() {
      return new Definition(
          allowedLatenessDays, trackStreamMs, episodeStreamMs, activeDaysHorizons, volumeHorizons,
          entityLevels, lookbackDays, stickinessDays, discoveryActiveDaysHorizons, null,
          activeWeeksHorizons);
    }

    /** Whether {@code publishing.checkpoints} is {@code auto}. */
    public boolean autoCheckpoints() {
      return checkpoints == null;
    }

    /** W of the discovery datasets and length of {@code trace} and {@code active_by_offset}: stickiness_days − 1. */
    public int traceLength() {
      return stickinessDays - 1;
    }

    /** W of user_rewards: the longest user_rewards horizon of every family (60 by default). */
    public int longestUserHorizon() {
      return longestUserHorizon(activeDaysHorizons, volumeHorizons, activeWeeksHorizons);
    }

    /** M = max(user horizons, discovery horizons, stickiness_days − 1) + L (63). */
    public int maturityAge() {
      return maturityAge(
          allowedLatenessDays, activeDaysHorizons, volumeHorizons, activeWeeksHorizons,
          discoveryActiveDaysHorizons, stickinessDays);
    }

    /**
     * The label horizons of {@code checkpoints: auto}: 1 (return_d1), every user_rewards horizon of every family,
     * every discovery active_days horizon; ascending ({1, 7, 28, 60}). stickiness_days − 1 is not one of them (it
     * is covered by M).
     */
    public List<Integer> labelHorizons() {
      Set<Integer> horizons = new TreeSet<>(userMaturityHorizons());
      horizons.addAll(discoveryActiveDaysHorizons);
      return List.copyOf(horizons);
    }

    /** The publication ages: auto → {N + L for N in {@link #labelHorizons}} ∪ {M}; else checkpoints ∪ {M}. */
    public List<Integer> publicationAges() {
      Set<Integer> ages = new TreeSet<>();
      if (checkpoints == null) {
        labelHorizons().forEach(n -> ages.add(n + allowedLatenessDays));
      } else {
        ages.addAll(checkpoints);
      }
      ages.add(maturityAge());
      return List.copyOf(ages);
    }

    /** N of the {@code mature_N} columns of user_rewards: 1 (return_d1) and every user horizon, ascending. */
    public List<Integer> userMaturityHorizons() {
      Set<Integer> horizons = new TreeSet<>(activeDaysHorizons);
      horizons.addAll(volumeHorizons);
      horizons.addAll(activeWeeksHorizons);
      horizons.add(1);
      return List.copyOf(horizons);
    }

    /** The stickiness column: {@code stickiness_60}. */
    public String stickinessColumn() {
      return "stickiness_" + stickinessDays;
    }

    /** {@code days_to_return_W}, W the longest user_rewards horizon: {@code days_to_return_60}. */
    public String daysToReturnColumn() {
      return "days_to_return_" + longestUserHorizon();
    }

    /** Columns of user_rewards in canonical order. */
    public List<String> userRewardColumns() {
      List<String> columns = new ArrayList<>(List.of("user_id", "anchor_date"));
      activeDaysHorizons.forEach(n -> columns.add("active_days_" + n));
      for (int n : volumeHorizons) {
        columns.add("streams_" + n);
        columns.add("ms_played_" + n);
      }
      activeWeeksHorizons.forEach(n -> columns.add("active_weeks_" + n));
      columns.addAll(
          List.of("return_d1", daysToReturnColumn(), "user_first_active_date", "as_of", "days_final"));
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
              "discovery_kind",
              "discovery_ts",
              "discovery_item_id",
              "discovery_platform",
              "discovery_context_type",
              "discovery_reason_start",
              "lookback_complete",
              "as_of",
              "days_final"));
      discoveryActiveDaysHorizons.forEach(n -> columns.add("mature_" + n));
      columns.add("trace_mature");
      return List.copyOf(columns);
    }

    /** Columns of entity_rewards in canonical order. */
    public List<String> entityRewardColumns() {
      return List.of(
          "entity_level",
          "entity_id",
          "discovery_date",
          "discoverers",
          "new_user_discoverers",
          "mean_" + stickinessColumn(),
          "active_by_offset",
          "as_of",
          "days_final",
          "trace_mature");
    }

    private static int longestUserHorizon(List<Integer> activeDays, List<Integer> volume, List<Integer> weeks) {
      return Math.max(max(activeDays), Math.max(max(volume), max(weeks)));
    }

    private static int maturityAge(
        int lateness,
        List<Integer> activeDays,
        List<Integer> volume,
        List<Integer> weeks,
        List<Integer> discovery,
        int stickinessDays) {
      int longest = Math.max(longestUserHorizon(activeDays, volume, weeks), max(discovery));
      return Math.max(longest, stickinessDays - 1) + lateness;
    }

    private static List<Integer> sortedPositive(List<Integer> values, String what, boolean mayBeEmpty) {
      if ((!mayBeEmpty && values.isEmpty()) || values.stream().anyMatch(v -> v == null || v < 1)) {
        throw new IllegalArgumentException(what + " must be positive day counts: " + values);
      }
      return List.copyOf(new TreeSet<>(values));
    }

    /** The largest value, 0 for an empty list. */
    private static int max(List<Integer> values) {
      return values.isEmpty() ? 0 : Collections.max(values);
    }
  }

  // ------------------------------------------------------------------------------------------ loading

  /** {@link #load(Path, Definition)} with {@link Definition#defaults()}. */
  public static RewardsOracle load(Path logsRoot) {
    return load(logsRoot, Definition.defaults());
  }

  /** {@link #load(Path, Definition, Set)} with no arrival day declared incomplete. */
  public static RewardsOracle load(Path logsRoot, Definition definition) {
    return load(logsRoot, definition, Set.of());
  }

  /**
   * Reads every arrival partition under logsRoot (validated with the definition's lateness) into an in-memory
   * DuckDB; F is the earliest partition present; the input calendar is what the folder shows
   * ({@link SpecOracle#completeArrivalDays}) less {@code incompleteArrivalDays} (days a test declares incomplete,
   * e.g. a partition that was missing when the first run looked for it). Close the oracle when done.
   */
  public static RewardsOracle load(Path logsRoot, Definition definition, Set<LocalDate> incompleteArrivalDays) {
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
    Set<LocalDate> complete = new TreeSet<>(SpecOracle.completeArrivalDays(logsRoot));
    complete.removeAll(incompleteArrivalDays);
    return of(SpecOracle.acceptedPlays(logsRoot, last, params), first, complete, definition);
  }

  /**
   * An oracle over the given accepted plays (each with its arrival day), first input day F and complete arrival
   * days (days before F are incomplete whatever the set says).
   */
  public static RewardsOracle of(
      List<OraclePlay> plays, LocalDate firstInputDay, Set<LocalDate> completeArrivalDays, Definition definition) {
    DuckDb db = DuckDb.open();
    try {
      db.execute(
          "CREATE TABLE accepted (user_id VARCHAR, event_id VARCHAR, ts BIGINT, ms_played BIGINT,"
              + " content_type VARCHAR, item_id VARCHAR, artist_id VARCHAR, album_id VARCHAR, show_id VARCHAR,"
              + " context_type VARCHAR, reason_start VARCHAR, platform VARCHAR, arrival DATE)");
      append(db, plays);
      // The day of a play is the UTC day of ts, its end (the session is UTC, and epoch_ms gives a plain TIMESTAMP).
      db.execute(
          "CREATE TABLE plays AS SELECT *, ts - ms_played AS start, CAST(epoch_ms(ts) AS DATE) AS day FROM accepted");
      db.execute("DROP TABLE accepted");
      return new RewardsOracle(db, definition, firstInputDay, completeArrivalDays);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * Declares more arrival days incomplete (e.g. partition X was missing, unsealed or had a file skipped when the
   * first run looked for it, even if the logs folder holds it now). Changes the calendar only; returns this.
   */
  public RewardsOracle withIncompleteArrivalDays(Set<LocalDate> days) {
    completeArrivalDays.removeAll(days);
    return this;
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
        appendNullable(appender, p.platform());
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

  // ------------------------------------------------------------------------------------------ calendar

  /** Whether arrival day X is complete: X ≥ F, found complete in the logs and not declared incomplete. */
  public boolean arrivalDayComplete(LocalDate arrivalDay) {
    return !arrivalDay.isBefore(firstInputDay) && completeArrivalDays.contains(arrivalDay);
  }

  /** The complete arrival days, ascending. */
  public List<LocalDate> completeArrivalDays() {
    return List.copyOf(completeArrivalDays);
  }

  /** Whether day d is final in run T: d + L ≤ T and arrival days d − 1 … d + L are all complete. */
  public boolean isFinal(LocalDate day, LocalDate asOf) {
    int lateness = definition.allowedLatenessDays();
    if (day.plusDays(lateness).isAfter(asOf)) {
      return false;
    }
    for (LocalDate x = day.minusDays(1); !x.isAfter(day.plusDays(lateness)); x = x.plusDays(1)) {
      if (!arrivalDayComplete(x)) {
        return false;
      }
    }
    return true;
  }

  /** The largest k ≤ window such that D + 1 … D + k are all final in run T (0 when D + 1 is not). */
  public int daysFinal(LocalDate day, int window, LocalDate asOf) {
    int k = 0;
    while (k < window && isFinal(day.plusDays(k + 1), asOf)) {
      k++;
    }
    return k;
  }

  /** days_final of a user_rewards row of anchor D: W = the longest user_rewards horizon. */
  public int userDaysFinal(LocalDate anchor, LocalDate asOf) {
    return daysFinal(anchor, definition.longestUserHorizon(), asOf);
  }

  /** days_final of a discovery of day D: W = stickiness_days − 1. */
  public int discoveryDaysFinal(LocalDate discoveryDay, LocalDate asOf) {
    return daysFinal(discoveryDay, definition.traceLength(), asOf);
  }

  /** Whether every day D − lookback_days … D − 1 is final in run T. */
  public boolean lookbackComplete(LocalDate day, LocalDate asOf) {
    for (int i = 1; i <= definition.lookbackDays(); i++) {
      if (!isFinal(day.minusDays(i), asOf)) {
        return false;
      }
    }
    return true;
  }

  /** The days run T is due to publish or withhold: T − a for every publication age a, with T − a ≥ F; ascending. */
  public List<LocalDate> candidateAnchors(LocalDate asOf) {
    List<LocalDate> anchors = new ArrayList<>();
    for (int age : definition.publicationAges()) {
      LocalDate d = asOf.minusDays(age);
      if (!d.isBefore(firstInputDay)) {
        anchors.add(0, d);
      }
    }
    return anchors;
  }

  /** The anchor (discovery) days whose partitions run T publishes: the candidates that are final; ascending. */
  public List<LocalDate> publishedAnchors(LocalDate asOf) {
    return candidateAnchors(asOf).stream().filter(d -> isFinal(d, asOf)).toList();
  }

  /** The same as {@link #publishedAnchors}. */
  public List<LocalDate> anchors(LocalDate asOf) {
    return publishedAnchors(asOf);
  }

  /** The candidates of run T that are not final: their partitions are withheld (no rows, never published). */
  public List<LocalDate> withheldAnchors(LocalDate asOf) {
    return candidateAnchors(asOf).stream().filter(d -> !isFinal(d, asOf)).toList();
  }

  /**
   * One row per published anchor D of run T: (anchor_date, days_final for user_rewards, days_final for the
   * discovery datasets, lookback_complete), as a SQL VALUES list.
   */
  private String anchorRows(LocalDate asOf, List<LocalDate> anchors) {
    List<String> rows = new ArrayList<>();
    for (LocalDate d : anchors) {
      rows.add(
          "(" + dateLiteral(d) + ", " + userDaysFinal(d, asOf) + ", " + discoveryDaysFinal(d, asOf) + ", "
              + lookbackComplete(d, asOf) + ")");
    }
    return "(SELECT * FROM (VALUES " + String.join(", ", rows)
        + ") AS t(anchor_date, user_days_final, discovery_days_final, lookback_complete))";
  }

  /**
   * The days f in [min anchor − lookback, max anchor] whose lookback f − lookback … f − 1 is all final in run T,
   * as a DATE[] literal (the condition on user_first_active_date's f).
   */
  private String priorFinalDays(LocalDate asOf, List<LocalDate> anchors) {
    List<String> days = new ArrayList<>();
    LocalDate from = anchors.get(0).minusDays(definition.lookbackDays());
    LocalDate to = anchors.get(anchors.size() - 1);
    for (LocalDate f = from; !f.isAfter(to); f = f.plusDays(1)) {
      if (lookbackComplete(f, asOf)) {
        days.add(dateLiteral(f));
      }
    }
    return "CAST([" + String.join(", ", days) + "] AS DATE[])";
  }

  // ------------------------------------------------------------------------------------------ user_rewards

  /** The user_rewards rows run T publishes (every published anchor), sorted by (user_id, anchor_date). */
  public List<Map<String, Object>> userRewards(LocalDate asOf) {
    List<LocalDate> anchors = publishedAnchors(checked(asOf));
    if (anchors.isEmpty()) {
      return List.of();
    }
    Definition def = definition;
    // n = min(N, days_final): every progressive value counts D + 1 .. D + n only.
    List<String> dayCounts = new ArrayList<>();
    for (int n : def.activeDaysHorizons()) {
      dayCounts.add(
          ", count(x.day) FILTER (WHERE x.day <= a.anchor_date + least(" + n + ", a.days_final)) AS active_days_"
              + n);
    }
    for (int n : def.activeWeeksHorizons()) {
      // The active day d lies in the 7-day block j = ceil((d - D) / 7) after D.
      dayCounts.add(", count(DISTINCT ceil((x.day - a.anchor_date) / 7.0))"
          + " FILTER (WHERE x.day <= a.anchor_date + least(" + n + ", a.days_final)) AS active_weeks_" + n);
    }
    List<String> volumes = new ArrayList<>();
    for (int n : def.volumeHorizons()) {
      String window = "s.day <= a.anchor_date + least(" + n + ", a.days_final)";
      volumes.add(", count(s.ts) FILTER (WHERE " + window + ") AS streams_" + n);
      // A sum over no plays is 0 milliseconds, not unknown.
      volumes.add(
          ", CAST(coalesce(sum(s.ms_played) FILTER (WHERE " + window + "), 0) AS BIGINT) AS ms_played_" + n);
    }
    List<String> select = new ArrayList<>(List.of("d.user_id", "d.anchor_date"));
    def.activeDaysHorizons().forEach(n -> select.add("d.active_days_" + n));
    for (int n : def.volumeHorizons()) {
      select.add("v.streams_" + n);
      select.add("v.ms_played_" + n);
    }
    def.activeWeeksHorizons().forEach(n -> select.add("d.active_weeks_" + n));
    select.add("CASE WHEN d.days_final >= 1 THEN d.active_next_day END AS return_d1");
    select.add("d.days_to_return AS " + def.daysToReturnColumn());
    select.add("f.user_first_active_date");
    select.add("${T} AS as_of");
    select.add("d.days_final");
    for (int n : def.userMaturityHorizons()) {
      select.add("d.days_final >= " + n + " AS mature_" + n);
    }
    String sql =
        "WITH "
            + streamsCte()
            + """
            , user_days AS (SELECT DISTINCT user_id, day FROM streams)
            , anchors AS ${ANCHOR_ROWS}
            , prior_final AS (SELECT unnest(${PRIOR_FINAL}) AS day)
            -- users active on a published anchor day: one row each
            , anchored AS (
                SELECT u.user_id, a.anchor_date, a.user_days_final AS days_final
                FROM user_days u JOIN anchors a ON u.day = a.anchor_date)
            -- the user's active days after D; only D + 1 .. D + days_final are counted
            , later_days AS (
                SELECT a.user_id, a.anchor_date, a.days_final ${DAY_COUNTS},
                  count(x.day) FILTER (WHERE x.day = a.anchor_date + 1) > 0 AS active_next_day,
                  min(x.day - a.anchor_date) FILTER (WHERE x.day <= a.anchor_date + a.days_final) AS days_to_return
                FROM anchored a
                LEFT JOIN user_days x ON x.user_id = a.user_id AND x.day > a.anchor_date
                GROUP BY a.user_id, a.anchor_date, a.days_final)
            , later_streams AS (
                SELECT a.user_id, a.anchor_date ${VOLUMES}
                FROM anchored a
                LEFT JOIN streams s ON s.user_id = a.user_id AND s.day > a.anchor_date
                  AND s.day <= a.anchor_date + a.days_final
                GROUP BY a.user_id, a.anchor_date)
            -- f: an active day in D - lookback .. D whose lookback days are all final and hold no active day
            , first_active AS (
                SELECT a.user_id, a.anchor_date, min(f.day) AS user_first_active_date
                FROM anchored a
                JOIN user_days f ON f.user_id = a.user_id
                  AND f.day >= a.anchor_date - ${LOOKBACK} AND f.day <= a.anchor_date
                JOIN prior_final g ON g.day = f.day
                WHERE NOT EXISTS (
                  SELECT 1 FROM user_days p
                  WHERE p.user_id = f.user_id AND p.day >= f.day - ${LOOKBACK} AND p.day <= f.day - 1)
                GROUP BY a.user_id, a.anchor_date)
            , user_rewards AS (
                SELECT ${SELECT}
                FROM later_days d
                JOIN later_streams v ON v.user_id = d.user_id AND v.anchor_date = d.anchor_date
                LEFT JOIN first_active f ON f.user_id = d.user_id AND f.anchor_date = d.anchor_date)
            """;
    sql =
        sql.replace("${DAY_COUNTS}", String.join("", dayCounts))
            .replace("${VOLUMES}", String.join("", volumes))
            .replace("${SELECT}", String.join(", ", select));
    return rows(bind(sql, asOf, anchors), "user_rewards", def.userRewardColumns(), "user_id, anchor_date");
  }

  // ------------------------------------------------------------------------------------- user_entity_rewards

  /** The user_entity_rewards rows run T publishes, sorted by (user_id, entity_level, entity_id, discovery_date). */
  public List<Map<String, Object>> userEntityRewards(LocalDate asOf) {
    List<LocalDate> anchors = publishedAnchors(checked(asOf));
    if (anchors.isEmpty()) {
      return List.of();
    }
    String sql = "WITH " + discoveryCtes();
    return rows(
        bind(sql, asOf, anchors),
        "user_entity_rewards",
        definition.userEntityRewardColumns(),
        "user_id, entity_level, entity_id, discovery_date");
  }

  /**
   * The user_entity_rewards rows, with their values as of run T, of every final discovery day D with
   * {@code fromExclusive < D <= toInclusive} (and D ≥ F), not only the days run T publishes; sorted like
   * {@link #userEntityRewards(LocalDate)}. The prediction check needs every D in (T − M − fit_days, T] as of T:
   * the published partitions hold only the publication days, so they cannot give those traces.
   */
  public List<Map<String, Object>> userEntityRewards(
      LocalDate asOf, LocalDate fromExclusive, LocalDate toInclusive) {
    List<LocalDate> days = finalDays(checked(asOf), fromExclusive, toInclusive);
    if (days.isEmpty()) {
      return List.of();
    }
    return rows(
        bind("WITH " + discoveryCtes(), asOf, days),
        "user_entity_rewards",
        definition.userEntityRewardColumns(),
        "user_id, entity_level, entity_id, discovery_date");
  }

  /**
   * Writes the rows of {@link #userEntityRewards(LocalDate, LocalDate, LocalDate)} to {@code file} with DuckDB's
   * {@code COPY ... TO}, in the format its extension names ({@code .parquet}, {@code .csv} ...), so that large
   * exports need not pass through Java objects. Fails when the range holds no final day.
   */
  public void writeUserEntityRewards(LocalDate asOf, LocalDate fromExclusive, LocalDate toInclusive, Path file) {
    List<LocalDate> days = finalDays(checked(asOf), fromExclusive, toInclusive);
    if (days.isEmpty()) {
      throw new IllegalArgumentException(
          "no final discovery day in (" + fromExclusive + ", " + toInclusive + "] as of " + asOf);
    }
    String columns =
        definition.userEntityRewardColumns().stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", "));
    String sql =
        bind(
            "WITH " + discoveryCtes() + " SELECT " + columns + " FROM user_entity_rewards"
                + " ORDER BY user_id, entity_level, entity_id, discovery_date",
            asOf,
            days);
    if (sql.contains("${")) {
      throw new IllegalStateException("unbound placeholder in " + sql);
    }
    db.execute("COPY (" + sql + ") TO " + DuckDb.quote(file.toAbsolutePath().toString()));
  }

  /** The final days D of run T with fromExclusive < D ≤ toInclusive and D ≥ F, ascending. */
  private List<LocalDate> finalDays(LocalDate asOf, LocalDate fromExclusive, LocalDate toInclusive) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = fromExclusive.plusDays(1); !d.isAfter(toInclusive); d = d.plusDays(1)) {
      if (!d.isBefore(firstInputDay) && isFinal(d, asOf)) {
        days.add(d);
      }
    }
    return days;
  }

  // ------------------------------------------------------------------------------------------ entity_rewards

  /** The entity_rewards rows run T publishes, sorted by (entity_level, entity_id, discovery_date). */
  public List<Map<String, Object>> entityRewards(LocalDate asOf) {
    List<LocalDate> anchors = publishedAnchors(checked(asOf));
    if (anchors.isEmpty()) {
      return List.of();
    }
    String sql =
        "WITH "
            + discoveryCtes()
            + """
            -- discoveries that may not be new (lookback not complete) are left out
            , complete AS (SELECT * FROM user_entity_rewards WHERE lookback_complete)
            -- only new_to_entity discoveries are aggregated; new_user ones are only counted
            , per_entity AS (
                SELECT entity_level, entity_id, discovery_date,
                  count(*) FILTER (WHERE discovery_kind = 'new_to_entity') AS discoverers,
                  count(*) FILTER (WHERE discovery_kind = 'new_user') AS new_user_discoverers,
                  avg(${STICKINESS}) FILTER (WHERE discovery_kind = 'new_to_entity') AS mean_stickiness,
                  max(days_final) AS days_final, bool_and(trace_mature) AS trace_mature
                FROM complete
                GROUP BY entity_level, entity_id, discovery_date)
            , per_offset AS (
                SELECT o.entity_level, o.entity_id, o.discovery_date, o.k,
                  CASE WHEN o.k > max(o.days_final) THEN NULL
                       ELSE count(*) FILTER (WHERE o.active AND c.discovery_kind = 'new_to_entity') END
                    AS active_users
                FROM offsets o JOIN complete c USING (user_id, entity_level, entity_id, discovery_date)
                GROUP BY o.entity_level, o.entity_id, o.discovery_date, o.k)
            , offset_lists AS (
                SELECT entity_level, entity_id, discovery_date, list(active_users ORDER BY k) AS active_by_offset
                FROM per_offset
                GROUP BY entity_level, entity_id, discovery_date)
            , entity_rewards AS (
                SELECT e.entity_level, e.entity_id, e.discovery_date, e.discoverers, e.new_user_discoverers,
                  CASE WHEN e.trace_mature AND e.discoverers > 0 THEN e.mean_stickiness END AS mean_${STICKINESS},
                  o.active_by_offset,
                  ${T} AS as_of,
                  e.days_final,
                  e.trace_mature
                FROM per_entity e JOIN offset_lists o USING (entity_level, entity_id, discovery_date))
            """;
    return rows(
        bind(sql, asOf, anchors),
        "entity_rewards",
        definition.entityRewardColumns(),
        "entity_level, entity_id, discovery_date");
  }

  /**
   * CTEs up to {@code user_entity_rewards} (one row per discovery, the dataset's columns) and {@code offsets} (one
   * row per discovery and k = 1..W with {@code active}, null when k > days_final).
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
          "SELECT '" + level + "' AS entity_level, " + column + " AS entity_id, user_id, day, start, ts,"
              + " event_id, item_id, platform, context_type, reason_start FROM streams"
              + " WHERE content_type = '" + type + "' AND " + column + " IS NOT NULL");
    }
    if (entityPlays.isEmpty()) {
      throw new IllegalStateException("no entity level");
    }
    List<String> activeDays = new ArrayList<>();
    for (int n : def.discoveryActiveDaysHorizons()) {
      activeDays.add(
          ", count(x.day) FILTER (WHERE x.day <= d.discovery_date + least(" + n + ", d.days_final))"
              + " AS active_days_" + n);
    }
    StringBuilder later = new StringBuilder();
    StringBuilder maturity = new StringBuilder();
    for (int n : def.discoveryActiveDaysHorizons()) {
      later.append(", l.active_days_").append(n);
      maturity.append(", d.days_final >= ").append(n).append(" AS mature_").append(n);
    }
    String ctes =
        streamsCte()
            + """
            , entity_plays AS (${ENTITY_PLAYS})
            , entity_days AS (SELECT DISTINCT user_id, entity_level, entity_id, day FROM entity_plays)
            , user_days AS (SELECT DISTINCT user_id, day FROM streams)
            , anchors AS ${ANCHOR_ROWS}
            -- active with the entity on a published D and on none of D - lookback .. D - 1 (plays read so far)
            , discoveries AS (
                SELECT e.user_id, e.entity_level, e.entity_id, e.day AS discovery_date,
                  a.discovery_days_final AS days_final, a.lookback_complete
                FROM entity_days e JOIN anchors a ON e.day = a.anchor_date
                WHERE NOT EXISTS (
                  SELECT 1 FROM entity_days p
                  WHERE p.user_id = e.user_id AND p.entity_level = e.entity_level AND p.entity_id = e.entity_id
                    AND p.day >= e.day - ${LOOKBACK} AND p.day <= e.day - 1))
            -- new_to_entity: the user is active (any play, any entity) on a day of the complete lookback
            , kinds AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date,
                  CASE WHEN NOT d.lookback_complete THEN NULL
                       WHEN count(p.day) > 0 THEN 'new_to_entity'
                       ELSE 'new_user' END AS discovery_kind
                FROM discoveries d
                LEFT JOIN user_days p ON p.user_id = d.user_id
                  AND p.day >= d.discovery_date - ${LOOKBACK} AND p.day <= d.discovery_date - 1
                GROUP BY d.user_id, d.entity_level, d.entity_id, d.discovery_date, d.lookback_complete)
            -- the discovering play: the first qualifying play of the entity on D by (start, end, event_id)
            , first_plays AS (
                SELECT user_id, entity_level, entity_id, day AS discovery_date, start, item_id, platform,
                  context_type, reason_start
                FROM entity_plays
                WHERE day IN (SELECT anchor_date FROM anchors)
                QUALIFY row_number() OVER (
                  PARTITION BY user_id, entity_level, entity_id, day ORDER BY start, ts, event_id) = 1)
            , offsets AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date, d.days_final, k.k,
                  CASE WHEN k.k > d.days_final THEN NULL ELSE x.day IS NOT NULL END AS active
                FROM discoveries d
                CROSS JOIN (SELECT CAST(range AS INTEGER) AS k FROM range(1, ${TRACE} + 1)) k
                LEFT JOIN entity_days x ON x.user_id = d.user_id AND x.entity_level = d.entity_level
                  AND x.entity_id = d.entity_id AND x.day = d.discovery_date + k.k)
            , traces AS (
                SELECT user_id, entity_level, entity_id, discovery_date,
                  list(active ORDER BY k) AS trace, count(*) FILTER (WHERE active) AS true_days
                FROM offsets
                GROUP BY user_id, entity_level, entity_id, discovery_date)
            -- active days with the entity in D + 1 .. D + min(N, days_final)
            , later_days AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date ${ACTIVE_DAYS}
                FROM discoveries d
                LEFT JOIN entity_days x ON x.user_id = d.user_id AND x.entity_level = d.entity_level
                  AND x.entity_id = d.entity_id AND x.day > d.discovery_date
                GROUP BY d.user_id, d.entity_level, d.entity_id, d.discovery_date, d.days_final)
            , user_entity_rewards AS (
                SELECT d.user_id, d.entity_level, d.entity_id, d.discovery_date, t.trace,
                  CASE WHEN d.days_final = ${TRACE} THEN 1 + t.true_days END AS ${STICKINESS}
                  ${LATER_COLUMNS},
                  kd.discovery_kind,
                  f.start AS discovery_ts, f.item_id AS discovery_item_id, f.platform AS discovery_platform,
                  f.context_type AS discovery_context_type, f.reason_start AS discovery_reason_start,
                  d.lookback_complete,
                  ${T} AS as_of,
                  d.days_final
                  ${MATURITY},
                  d.days_final = ${TRACE} AS trace_mature
                FROM discoveries d
                JOIN kinds kd USING (user_id, entity_level, entity_id, discovery_date)
                JOIN traces t USING (user_id, entity_level, entity_id, discovery_date)
                JOIN later_days l USING (user_id, entity_level, entity_id, discovery_date)
                JOIN first_plays f USING (user_id, entity_level, entity_id, discovery_date))
            """;
    return ctes.replace("${ENTITY_PLAYS}", String.join(" UNION ALL ", entityPlays))
        .replace("${ACTIVE_DAYS}", String.join("", activeDays))
        .replace("${LATER_COLUMNS}", later.toString())
        .replace("${MATURITY}", maturity.toString());
  }

  /**
   * The qualifying plays run T counts: read by T ({@code arrival <= T}), on a day ≤ T (a play ending in the first
   * hour of T+1 is accepted by run T, but its day is not final in any window of run T) and above the stream
   * threshold of its content type.
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
    return sql.replace("${ANCHOR_ROWS}", anchorRows(asOf, anchors))
        .replace("${PRIOR_FINAL}", priorFinalDays(asOf, anchors))
        .replace("${STICKINESS}", definition.stickinessColumn())
        .replace("${TRACE}", String.valueOf(definition.traceLength()))
        .replace("${LOOKBACK}", String.valueOf(definition.lookbackDays()))
        .replace("${T}", dateLiteral(asOf));
  }

  private LocalDate checked(LocalDate asOf) {
    if (asOf.isBefore(firstInputDay)) {
      throw new IllegalArgumentException("run date " + asOf + " is before the first input day " + firstInputDay);
    }
    return asOf;
  }

  /** Runs {@code <ctes> SELECT <columns> FROM <relation> ORDER BY <order>}: the columns picked by name, in order. */
  private List<Map<String, Object>> rows(String ctes, String relation, List<String> columns, String order) {
    String sql =
        ctes + " SELECT " + columns.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", "))
            + " FROM " + relation + " ORDER BY " + order;
    if (sql.contains("${")) {
      throw new IllegalStateException("unbound placeholder in " + sql);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> values : db.rows(sql)) {
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

  /**
   * One value as the class comment describes (null, t/f, integers, 9-decimal fractions, ISO dates, timestamps as
   * epoch milliseconds, [lists]).
   */
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
    // Timestamps as epoch milliseconds, like a BIGINT of epoch milliseconds (discovery_ts). DuckDB gives a plain
    // TIMESTAMP as wall-clock UTC (java.sql.Timestamp or LocalDateTime), so that is read as UTC, not local time.
    if (value instanceof java.sql.Timestamp ts) {
      return String.valueOf(ts.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC).toEpochMilli());
    }
    if (value instanceof java.time.LocalDateTime ldt) {
      return String.valueOf(ldt.toInstant(java.time.ZoneOffset.UTC).toEpochMilli());
    }
    if (value instanceof java.time.OffsetDateTime odt) {
      return String.valueOf(odt.toInstant().toEpochMilli());
    }
    if (value instanceof java.time.ZonedDateTime zdt) {
      return String.valueOf(zdt.toInstant().toEpochMilli());
    }
    if (value instanceof java.time.Instant instant) {
      return String.valueOf(instant.toEpochMilli());
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
    // Anything else (structs, maps ...) has no column in the reward datasets: fail rather than guess.
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
