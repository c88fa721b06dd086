package dev.encore.rewards;

import dev.encore.rewards.UserRewardMath.Day;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.avro.Schema;

/**
 * The horizon column families of {@code user_rewards}, declared once: each family's key under
 * {@code user_rewards:} in {@code pipelines/*.yaml}, the columns it makes for every horizon N and how their values
 * are computed from the user's active days among the final days of (D, D+N]: (D, D+min(N, days_final)]. The definition reader, {@link RewardSpec},
 * {@link RewardSchemas}, {@link UserRewardMath} and {@link RewardRows} iterate these constants.
 *
 * <p>A new family is a constant here (added last), its exact definition in docs/rewards.md, the test oracle's own
 * computation of it and a test that runs it end to end. New families are {@link Presence#OPTIONAL}, so definition
 * files written before them keep parsing, and keep their digest.
 */
public enum UserRewardColumns {
  /** active_days_N: the user's active days in the window. */
  ACTIVE_DAYS(
      "active_days_horizons",
      Presence.REQUIRED_NON_EMPTY,
      new Column("active_days_", Schema.Type.INT, false,
          n -> "Number of active days (days with at least one qualifying play) in (D, D+" + n + "], counting"
              + " only final days (D+1 .. D+min(" + n + ", days_final)); final when mature_" + n + ".",
          w -> w.days().size())),

  /** streams_N and ms_played_N: the user's qualifying plays in the window, and their milliseconds. */
  VOLUME(
      "volume_horizons",
      Presence.REQUIRED,
      new Column("streams_", Schema.Type.LONG, false,
          n -> "Number of qualifying plays in (D, D+" + n + "], on final days only; final when mature_" + n + ".",
          w -> w.days().values().stream().mapToLong(Day::streams).sum()),
      new Column("ms_played_", Schema.Type.LONG, false,
          n -> "Sum of ms_played of those qualifying plays in (D, D+" + n + "], milliseconds; final when mature_" + n
              + ".",
          w -> w.days().values().stream().mapToLong(Day::streamMs).sum())),

  /**
   * active_weeks_N: how many 7-day blocks of the window hold an active day. A habit signal: it tells a user back
   * every week from one who binged on a few days, which active_days_N does not.
   */
  ACTIVE_WEEKS(
      "active_weeks_horizons",
      Presence.OPTIONAL,
      new Column("active_weeks_", Schema.Type.INT, false,
          n -> "Number of 7-day blocks (D+1..D+7, D+8..D+14, ...) of (D, D+" + n + "] with at least one active day,"
              + " counting only final days (0 to " + (n + 6) / 7 + "); final when mature_" + n + ".",
          // Day d is in block (d - D - 1) / 7, counted from 0; the window holds only final days.
          w -> (int) w.days().keySet().stream().map(d -> (d - w.anchor() - 1) / 7).distinct().count()));

  /** Whether a family's key must be in a definition file, and whether it may list no horizon. */
  public enum Presence {
    /** Required, with at least one horizon: {@code days_final} needs a longest user horizon. */
    REQUIRED_NON_EMPTY,
    /** Required; {@code []} makes no columns. */
    REQUIRED,
    /** May be left out, like {@code []}: no columns. */
    OPTIONAL
  }

  /**
   * The user's active days in a window (D, D+min(N, days_final)], for computing a column's value.
   *
   * @param anchor D, the anchor day (epoch day)
   * @param days the active days in the window (epoch day → the day's qualifying plays)
   */
  public record Window(long anchor, NavigableMap<Long, Day> days) {}

  /**
   * One column a family makes for every horizon N.
   *
   * @param prefix the column is named prefix + N
   * @param type its Avro type; the value must be of that type's Java class (Integer for INT, Long for LONG, ...)
   * @param nullable whether the value may be null (the column is then a union with null, default null)
   * @param doc the column's doc in the schema, for horizon N
   * @param value the value, from the window of horizon N
   */
  public record Column(
      String prefix, Schema.Type type, boolean nullable, IntFunction<String> doc, Function<Window, Object> value) {

    /** The column's name for horizon n, e.g. {@code active_days_7}. */
    public String name(int n) {
      return prefix + n;
    }
  }

  private final String yamlKey;
  private final Presence presence;
  private final List<Column> columns;

  UserRewardColumns(String yamlKey, Presence presence, Column... columns) {
    this.yamlKey = yamlKey;
    this.presence = presence;
    this.columns = List.of(columns);
  }

  /** The key under {@code user_rewards:} listing the family's horizons, e.g. {@code active_days_horizons}. */
  public String yamlKey() {
    return yamlKey;
  }

  /** Whether the key is required and whether it may be empty. */
  public Presence presence() {
    return presence;
  }

  /** The columns made for each horizon, in schema order. */
  public List<Column> columns() {
    return columns;
  }
}
