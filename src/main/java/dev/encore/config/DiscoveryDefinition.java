package dev.encore.config;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;

/**
 * Which discovery labels are computed (docs/rewards.md {@code user_entity_rewards} and {@code entity_rewards}).
 *
 * @param entityLevels levels labelled; distinct, in {@link EntityLevel} order (the order in the file does not matter)
 * @param lookbackDays a discovery on D has no qualifying play of the entity in the lookbackDays days before D
 * @param stickinessDays the window D .. D + stickinessDays - 1 of {@code stickiness_<stickinessDays>}
 * @param activeDaysHorizons N of each {@code active_days_N} with the entity; sorted ascending, distinct
 */
public record DiscoveryDefinition(
    List<EntityLevel> entityLevels, int lookbackDays, int stickinessDays, List<Integer> activeDaysHorizons)
    implements Serializable {

  public DiscoveryDefinition {
    if (entityLevels.isEmpty()) {
      throw new IllegalArgumentException("entityLevels must not be empty");
    }
    entityLevels = List.copyOf(EnumSet.copyOf(entityLevels));
    activeDaysHorizons = UserRewardsDefinition.sortedDistinct(activeDaysHorizons);
    if (stickinessDays < 2) {
      throw new IllegalArgumentException("stickinessDays must be >= 2, got " + stickinessDays);
    }
  }

  /** Length of {@code trace} and {@code active_by_offset}: the days D+1 .. D+stickinessDays-1 (59 by default). */
  public int traceLength() {
    return stickinessDays - 1;
  }
}
