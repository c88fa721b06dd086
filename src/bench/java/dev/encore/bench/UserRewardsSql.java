package dev.encore.bench;

import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import dev.encore.rewards.UserRewardColumns;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * The {@code user_rewards} rows of docs/rewards.md (definition version 2) as one DuckDB query over a table of
 * accepted plays, written from the definitions, not from the pipeline's design. The benchmark's DuckDB reference
 * runs it, and {@code ReferencesMatchPipelineTest} checks it against the pipeline; the test oracle
 * ({@code RewardsOracle}) keeps its own SQL, so that it stays independent of the code it checks.
 *
 * <p>It computes the rows of a run on a fresh output root with <b>complete input</b> from the first input day F
 * through T: day d is then final exactly when F + 1 ≤ d ≤ T − L (day F is not, there is no arrival day F − 1).
 * Anchors that are not final have no rows (their partitions are withheld). Every label counts the final days
 * D + 1 … D + min(N, days_final) only, days_final = min(W, T − L − D) with W the longest user horizon.
 *
 * <p>The plays table holds the valid, non-private, deduplicated plays with at least the columns {@code user_id},
 * {@code ts} (end of the play, epoch milliseconds), {@code ms_played}, {@code content_type}, {@code arrival} (DATE,
 * the arrival partition the kept copy came from) and {@code day} (DATE, the UTC day of {@code ts}). The result has
 * the dataset's columns (counts as BIGINT), sorted by (user_id, anchor_date). The horizon columns follow
 * {@link UserRewardColumns}: every family's columns for every horizon of the definition, each computed by the SQL
 * of {@link #COLUMNS} for its prefix; a column without one is refused.
 */
public final class UserRewardsSql {
  /**
   * SQL of each {@link UserRewardColumns.Column}, by prefix, for horizon N: an aggregate over the joined user-days
   * {@code x} (columns {@code day}, {@code streams}, {@code ms}) of anchor {@code a}, which hold only the final days
   * D + 1 … D + days_final; {@code ${IN}} is the filter to the window's days (D, D + N].
   */
  private static final Map<String, IntFunction<String>> COLUMNS = Map.of(
      "active_days_", n -> "count(x.day) FILTER (WHERE ${IN})",
      // A sum over no plays is 0, not unknown.
      "streams_", n -> "CAST(coalesce(sum(x.streams) FILTER (WHERE ${IN}), 0) AS BIGINT)",
      "ms_played_", n -> "CAST(coalesce(sum(x.ms) FILTER (WHERE ${IN}), 0) AS BIGINT)",
      // Block j (from 0) of the window holds the days D + 7j + 1 … D + 7j + 7.
      "active_weeks_", n -> "count(DISTINCT (x.day - a.anchor_date - 1) // 7) FILTER (WHERE ${IN})");

  private UserRewardsSql() {}

  /**
   * The query for run {@code asOf} on a fresh output root with complete input from {@code firstInputDay} on,
   * publishing the anchor days {@code anchors} that are final (the others are withheld: no rows).
   *
   * @param plays the plays table (or a parenthesized query)
   * @param trackStreamMs a TRACK play qualifies from this many milliseconds
   * @param episodeStreamMs an EPISODE play qualifies from this many milliseconds
   * @param firstInputDay F, the first arrival partition of the logs
   * @param anchors the anchor days of the run's plan (publication ages), whether final or not
   */
  public static String query(
      String plays,
      RewardSpec spec,
      long trackStreamMs,
      long episodeStreamMs,
      LocalDate firstInputDay,
      LocalDate asOf,
      List<LocalDate> anchors) {
    List<LocalDate> published = finalAnchors(firstInputDay, asOf, spec.lateness(), anchors);
    if (published.isEmpty()) {
      throw new IllegalArgumentException("no final anchor day to publish among " + anchors);
    }
    List<String> labels = new ArrayList<>();
    List<String> select = new ArrayList<>(List.of("a.user_id", "a.anchor_date"));
    for (UserRewardColumns family : UserRewardColumns.values()) {
      for (int n : spec.horizons(family)) {
        for (UserRewardColumns.Column column : family.columns()) {
          IntFunction<String> sql = COLUMNS.get(column.prefix());
          if (sql == null) {
            throw new IllegalArgumentException("the DuckDB user_rewards reference has no SQL for "
                + column.name(n) + " (user_rewards." + family.yamlKey() + ")");
          }
          labels.add(sql.apply(n).replace("${IN}", "x.day <= a.anchor_date + " + n) + " AS " + column.name(n));
          select.add("l." + column.name(n));
        }
      }
    }
    labels.add("bool_or(x.day = a.anchor_date + 1) AS active_next_day");
    labels.add("min(x.day - a.anchor_date) AS days_to_return");
    select.add("CASE WHEN a.days_final >= 1 THEN coalesce(l.active_next_day, false) END AS return_d1");
    select.add("CAST(l.days_to_return AS INTEGER) AS " + RewardSchemas.daysToReturnColumn(spec));
    select.add("b.user_first_active_date");
    select.add("${T} AS as_of");
    select.add("CAST(a.days_final AS INTEGER) AS days_final");
    for (int n : spec.userMaturityHorizons()) {
      select.add("a.days_final >= " + n + " AS mature_" + n);
    }
    String sql =
        """
        WITH streams AS (
            SELECT * FROM ${PLAYS}
            WHERE arrival <= ${T} AND day <= ${T}
              AND ms_played >= CASE content_type WHEN 'TRACK' THEN ${TRACK_MS} WHEN 'EPISODE' THEN ${EPISODE_MS} END)
        -- the user's active days, with their qualifying plays
        , user_days AS (
            SELECT user_id, day, count(*) AS streams, sum(ms_played) AS ms FROM streams GROUP BY user_id, day)
        , anchors AS (SELECT unnest(${ANCHORS}) AS anchor_date)
        -- users active on a final anchor day: one row each, with days_final (complete input: the final days are
        -- F + 1 .. T - L, and every anchor is one of them)
        , anchored AS (
            SELECT u.user_id, a.anchor_date,
              CAST(greatest(0, least(${W}, ${LAST_FINAL} - a.anchor_date)) AS INTEGER) AS days_final
            FROM user_days u JOIN anchors a ON u.day = a.anchor_date)
        -- labels over the user's active days D + 1 .. D + days_final
        , labelled AS (
            SELECT a.user_id, a.anchor_date, ${LABELS}
            FROM anchored a
            LEFT JOIN user_days x ON x.user_id = a.user_id AND x.day > a.anchor_date
              AND x.day <= a.anchor_date + a.days_final
            GROUP BY a.user_id, a.anchor_date)
        -- days f on which a user's listening began: active on f, on none of the lookback days f - LB .. f - 1,
        -- and those days all final (f - LB >= F + 1)
        , beginnings AS (
            SELECT user_id, day FROM (
                SELECT user_id, day, lag(day) OVER (PARTITION BY user_id ORDER BY day) AS previous FROM user_days)
            WHERE (previous IS NULL OR day - previous > ${LOOKBACK}) AND day - ${LOOKBACK} >= ${FIRST_FINAL})
        , began AS (
            SELECT a.user_id, a.anchor_date, min(g.day) AS user_first_active_date
            FROM anchored a
            JOIN beginnings g ON g.user_id = a.user_id
              AND g.day BETWEEN a.anchor_date - ${LOOKBACK} AND a.anchor_date
            GROUP BY a.user_id, a.anchor_date)
        SELECT ${SELECT}
        FROM anchored a
        JOIN labelled l ON l.user_id = a.user_id AND l.anchor_date = a.anchor_date
        LEFT JOIN began b ON b.user_id = a.user_id AND b.anchor_date = a.anchor_date
        ORDER BY a.user_id, a.anchor_date
        """;
    return sql.replace("${LABELS}", String.join(", ", labels))
        .replace("${SELECT}", String.join(", ", select))
        .replace("${PLAYS}", plays)
        .replace("${TRACK_MS}", String.valueOf(trackStreamMs))
        .replace("${EPISODE_MS}", String.valueOf(episodeStreamMs))
        .replace("${W}", String.valueOf(spec.longestUserHorizon()))
        .replace("${LOOKBACK}", String.valueOf(spec.lookbackDays()))
        .replace("${FIRST_FINAL}", dateLiteral(firstInputDay.plusDays(1)))
        .replace("${LAST_FINAL}", dateLiteral(asOf.minusDays(spec.lateness())))
        .replace("${ANCHORS}",
            published.stream().map(UserRewardsSql::dateLiteral).collect(Collectors.joining(", ", "[", "]")))
        .replace("${T}", dateLiteral(asOf));
  }

  /**
   * The anchors that are final with complete input from {@code firstInputDay}: F + 1 ≤ D ≤ T − L. The others'
   * partitions are withheld.
   */
  public static List<LocalDate> finalAnchors(
      LocalDate firstInputDay, LocalDate asOf, int lateness, List<LocalDate> anchors) {
    return anchors.stream()
        .filter(d -> d.isAfter(firstInputDay) && !d.plusDays(lateness).isAfter(asOf))
        .toList();
  }

  /** {@code DATE 'YYYY-MM-DD'}. */
  public static String dateLiteral(LocalDate day) {
    return "DATE '" + day + "'";
  }
}
