package dev.encore.rewards;

import dev.encore.config.EntityLevel;
import dev.encore.config.JobDefinition;
import java.io.Serializable;
import java.util.List;
import java.util.TreeSet;

/**
 * What the reward stages need of the job definition, as plain values.
 *
 * @param userHorizons N of active_days_N in user_rewards
 * @param volumeHorizons N of streams_N and ms_played_N
 * @param levels entity level ids of the discovery labels
 * @param lookbackDays days before D without the entity that make a first play on D a discovery
 * @param stickinessDays S of stickiness_S; the trace covers the S - 1 days after D
 * @param discoveryHorizons N of active_days_N with the entity
 * @param lateness allowedLatenessDays: a window is mature this many days after its last day
 */
public record RewardSpec(
    List<Integer> userHorizons,
    List<Integer> volumeHorizons,
    List<String> levels,
    int lookbackDays,
    int stickinessDays,
    List<Integer> discoveryHorizons,
    int lateness)
    implements Serializable {

  /** What the reward stages need of a job definition. */
  public static RewardSpec of(JobDefinition definition) {
    return new RewardSpec(
        definition.userRewards().activeDaysHorizons(),
        definition.userRewards().volumeHorizons(),
        definition.discovery().entityLevels().stream().map(EntityLevel::id).toList(),
        definition.discovery().lookbackDays(),
        definition.discovery().stickinessDays(),
        definition.discovery().activeDaysHorizons(),
        definition.playRules().allowedLatenessDays());
  }

  /** The longest user horizon: days_observed of user_rewards counts over it. */
  public int longestUserHorizon() {
    return new TreeSet<>(allUserHorizons()).last();
  }

  /** Horizons of user_rewards' maturity flags: 1 (return_d1), the active-days and the volume horizons. */
  public List<Integer> userMaturityHorizons() {
    TreeSet<Integer> all = new TreeSet<>(allUserHorizons());
    all.add(1);
    return List.copyOf(all);
  }

  /** Trace length: the days after D a discovery is followed. */
  public int traceLength() {
    return stickinessDays - 1;
  }

  private List<Integer> allUserHorizons() {
    TreeSet<Integer> all = new TreeSet<>(userHorizons);
    all.addAll(volumeHorizons);
    return List.copyOf(all);
  }
}
