package dev.encore.config;

import dev.encore.rewards.UserRewardColumns;
import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which {@code user_rewards} columns are computed (docs/rewards.md): the horizons of each column family.
 *
 * @param horizons every family (in declaration order) → its N, sorted ascending, distinct; empty for a family
 *     left out of the file or given as {@code []}
 */
public record UserRewardsDefinition(Map<UserRewardColumns, List<Integer>> horizons) implements Serializable {

  public UserRewardsDefinition {
    EnumMap<UserRewardColumns, List<Integer>> all = new EnumMap<>(UserRewardColumns.class);
    for (UserRewardColumns family : UserRewardColumns.values()) {
      all.put(family, sortedDistinct(horizons.getOrDefault(family, List.of())));
    }
    horizons = Collections.unmodifiableMap(all);
  }

  /** N of each {@code active_days_N}: active days in (D, D+N]; never empty. */
  public List<Integer> activeDaysHorizons() {
    return horizons.get(UserRewardColumns.ACTIVE_DAYS);
  }

  /** N of each {@code streams_N} and {@code ms_played_N}; may be empty. */
  public List<Integer> volumeHorizons() {
    return horizons.get(UserRewardColumns.VOLUME);
  }

  /** An immutable ascending copy without repeats, so equal definitions compare and digest equal. */
  static List<Integer> sortedDistinct(List<Integer> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
