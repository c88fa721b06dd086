package dev.encore.bench;

import dev.encore.rewards.RewardSpec;
import dev.encore.rewards.UserRewardColumns;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code user_rewards} rows of docs/rewards.md as one DuckDB query over a table of accepted plays, written
 * from the definitions, not from the pipeline's design. The benchmark's DuckDB reference runs it, and
 * {@code ReferencesMatchPipelineTest} checks it against the pipeline; the test oracle ({@code RewardsOracle}) keeps
 * its own SQL, so that it stays independent of the code it checks.
 *
 * <p>The plays table holds the valid, non-private, deduplicated plays with at least the columns {@code user_id},
 * {@code ts} (end of the play, epoch milliseconds), {@code ms_played}, {@code content_type}, {@code arrival} (DATE,
 * the arrival partition the kept copy came from) and {@code day} (DATE, the UTC day of {@code ts}). The result has
 * the dataset's columns in schema order (counts as BIGINT), sorted by (user_id, anchor_date). It computes the
 * {@code active_days} and {@code volume} column families only, and refuses a definition with another.
 */
public final class UserRewardsSql {
  /** The column families this query computes. */
  private static final List<UserRewardColumns> KNOWN =
      List.of(UserRewardColumns.ACTIVE_DAYS, UserRewardColumns.VOLUME);

  private UserRewardsSql() {}

  /**
   * The query for run {@code asOf}, publishing the anchor days {@code anchors} (non-empty).
   *
   * @param plays the plays table (or a parenthesized query)
   * @param trackStreamMs a TRACK play qualifies from this many milliseconds
   * @param episodeStreamMs an EPISODE play qualifies from this many milliseconds
   */
  public static String query(
      String plays,
      RewardSpec spec,
      long trackStreamMs,
      long episodeStreamMs,
      LocalDate asOf,
      List<LocalDate> anchors) {
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("no anchor day to publish");
    }
    // Written for the two families of the format's first version; a newer family would be a missing column.
    for (UserRewardColumns family : UserRewardColumns.values()) {
      if (!KNOWN.contains(family) && !spec.horizons(family).isEmpty()) {
        throw new IllegalArgumentException(
            "the DuckDB user_rewards reference computes " + KNOWN.stream().map(UserRewardColumns::yamlKey).toList()
                + " only, not user_rewards." + family.yamlKey());
      }
    }
    List<Integer> activeDaysHorizons = spec.horizons(UserRewardColumns.ACTIVE_DAYS);
    List<Integer> volumeHorizons = spec.horizons(UserRewardColumns.VOLUME);
    List<String> dayCounts = new ArrayList<>();
    for (int n : activeDaysHorizons) {
      dayCounts.add(
          "count(x.day) FILTER (WHERE x.day <= least(a.anchor_date + " + n + ", ${T})) AS active_days_" + n);
    }
    List<String> volumes = new ArrayList<>();
    for (int n : volumeHorizons) {
      String window = "s.day <= least(a.anchor_date + " + n + ", ${T})";
      volumes.add("count(s.ts) FILTER (WHERE " + window + ") AS streams_" + n);
      // A sum over no plays is 0 milliseconds, not unknown.
      volumes.add(
          "CAST(coalesce(sum(s.ms_played) FILTER (WHERE " + window + "), 0) AS BIGINT) AS ms_played_" + n);
    }
    List<String> select = new ArrayList<>(List.of("d.user_id", "d.anchor_date"));
    activeDaysHorizons.forEach(n -> select.add("d.active_days_" + n));
    select.add("CASE WHEN d.anchor_date + 1 <= ${T} THEN d.active_next_day END AS return_d1");
    select.add("d.days_to_return");
    for (int n : volumeHorizons) {
      select.add("v.streams_" + n);
      select.add("v.ms_played_" + n);
    }
    select.add("${T} AS as_of");
    select.add("least(" + spec.longestUserHorizon() + ", ${T} - d.anchor_date) AS days_observed");
    for (int n : spec.userMaturityHorizons()) {
      select.add("d.anchor_date + " + (n + spec.lateness()) + " <= ${T} AS mature_" + n);
    }
    String sql =
        """
        WITH streams AS (
            SELECT * FROM ${PLAYS}
            WHERE arrival <= ${T} AND day <= ${T}
              AND ms_played >= CASE content_type WHEN 'TRACK' THEN ${TRACK_MS} WHEN 'EPISODE' THEN ${EPISODE_MS} END)
        , user_days AS (SELECT DISTINCT user_id, day FROM streams)
        , anchors AS (SELECT unnest(${ANCHORS}) AS anchor_date)
        -- users active on an anchor day: one row each
        , anchored AS (
            SELECT u.user_id, a.anchor_date FROM user_days u JOIN anchors a ON u.day = a.anchor_date)
        -- the user's active days after D (streams holds no day after T)
        , later_days AS (
            SELECT a.user_id, a.anchor_date, ${DAY_COUNTS},
              count(x.day) FILTER (WHERE x.day = a.anchor_date + 1) > 0 AS active_next_day,
              min(x.day - a.anchor_date) AS days_to_return
            FROM anchored a
            LEFT JOIN user_days x ON x.user_id = a.user_id AND x.day > a.anchor_date
            GROUP BY a.user_id, a.anchor_date)
        -- the user's qualifying plays after D, within the longest volume horizon
        , later_streams AS (
            SELECT a.user_id, a.anchor_date, ${VOLUMES}
            FROM anchored a
            LEFT JOIN streams s ON s.user_id = a.user_id AND s.day > a.anchor_date
              AND s.day <= a.anchor_date + ${MAX_VOLUME}
            GROUP BY a.user_id, a.anchor_date)
        SELECT ${SELECT}
        FROM later_days d
        JOIN later_streams v ON v.user_id = d.user_id AND v.anchor_date = d.anchor_date
        ORDER BY d.user_id, d.anchor_date
        """;
    return sql.replace("${DAY_COUNTS}", String.join(", ", dayCounts))
        .replace("${VOLUMES}", String.join(", ", volumes))
        .replace("${MAX_VOLUME}", String.valueOf(Collections.max(volumeHorizons)))
        .replace("${SELECT}", String.join(", ", select))
        .replace("${PLAYS}", plays)
        .replace("${TRACK_MS}", String.valueOf(trackStreamMs))
        .replace("${EPISODE_MS}", String.valueOf(episodeStreamMs))
        .replace("${ANCHORS}",
            anchors.stream().map(UserRewardsSql::dateLiteral).collect(Collectors.joining(", ", "[", "]")))
        .replace("${T}", dateLiteral(asOf));
  }

  /** {@code DATE 'YYYY-MM-DD'}. */
  public static String dateLiteral(LocalDate day) {
    return "DATE '" + day + "'";
  }
}
