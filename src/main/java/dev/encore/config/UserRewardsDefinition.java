package dev.encore.config;

import java.io.Serializable;
import java.util.List;
import java.util.TreeSet;

/**
 * Which {@code user_rewards} columns are computed (docs/rewards.md).
 *
 * @param activeDaysHorizons N of each {@code active_days_N}: active days in (D, D+N]; sorted ascending, distinct
 * @param volumeHorizons N of each {@code streams_N} and {@code ms_played_N}; sorted ascending, distinct, may be empty
 */
public record UserRewardsDefinition(List<Integer> activeDaysHorizons, List<Integer> volumeHorizons)
    implements Serializable {

  public UserRewardsDefinition {
    activeDaysHorizons = sortedDistinct(activeDaysHorizons);
    volumeHorizons = sortedDistinct(volumeHorizons);
  }

  /** An immutable ascending copy without repeats, so equal definitions compare and digest equal. */
  static List<Integer> sortedDistinct(List<Integer> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
