package dev.encore.rewards;

import dev.encore.config.EntityLevel;
import dev.encore.config.JobDefinition;
import dev.encore.config.PredictionRules;
import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the reward stages need of the job definition, as plain values.
 *
 * @param userHorizons N of each user_rewards column family's columns (active_days_N, streams_N and ms_played_N,
 *     ...); a family left out has none
 * @param levels entity level ids of the discovery labels
 * @param lookbackDays days before D without the entity that make a first play on D a discovery
 * @param stickinessDays S of stickiness_S; the trace covers the S - 1 days after D
 * @param discoveryHorizons N of active_days_N with the entity
 * @param lateness allowedLatenessDays: a window is mature this many days after its last day
 * @param predictions how the stickiness predictions are fitted; null: none are published
 * @param maturityAge M, the age from which every label is final: the predictions' fit window ends at T - M
 */
public record RewardSpec(
    Map<UserRewardColumns, List<Integer>> userHorizons,
    List<String> levels,
    int lookbackDays,
    int stickinessDays,
    List<Integer> discoveryHorizons,
    int lateness,
    PredictionRules predictions,
    int maturityAge)
    implements Serializable {

  /** Without predictions (the maturity age only matters to them). */
  public RewardSpec(
      Map<UserRewardColumns, List<Integer>> userHorizons,
      List<String> levels,
      int lookbackDays,
      int stickinessDays,
      List<Integer> discoveryHorizons,
      int lateness) {
    this(userHorizons, levels, lookbackDays, stickinessDays, discoveryHorizons, lateness, null, 0);
  }

  public RewardSpec {
    // An EnumMap iterates and serializes in declaration order, whatever map the caller built.
    EnumMap<UserRewardColumns, List<Integer>> copy = new EnumMap<>(UserRewardColumns.class);
    userHorizons.forEach((family, horizons) -> copy.put(family, List.copyOf(horizons)));
    userHorizons = Collections.unmodifiableMap(copy);
  }

  /** What the reward stages need of a job definition. */
  public static RewardSpec of(JobDefinition definition) {
    return new RewardSpec(
        definition.userRewards().horizons(),
        definition.discovery().entityLevels().stream().map(EntityLevel::id).toList(),
        definition.discovery().lookbackDays(),
        definition.discovery().stickinessDays(),
        definition.discovery().activeDaysHorizons(),
        definition.playRules().allowedLatenessDays(),
        definition.predictions(),
        definition.maturityAge());
  }

  /** N of a family's columns; empty when the definition has none. */
  public List<Integer> horizons(UserRewardColumns family) {
    return userHorizons.getOrDefault(family, List.of());
  }

  /** The longest user horizon: days_final of user_rewards counts over it. */
  public int longestUserHorizon() {
    return new TreeSet<>(allUserHorizons()).last();
  }

  /** Horizons of user_rewards' maturity flags: 1 (return_d1) and every family's horizons. */
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
    TreeSet<Integer> all = new TreeSet<>();
    userHorizons.values().forEach(all::addAll);
    return List.copyOf(all);
  }
}
