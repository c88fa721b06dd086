package dev.encore.rewards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/** Discovery labels of one user with one entity (docs/rewards.md, after "Impatient Bandits", KDD 2023). */
public final class DiscoveryMath {
  /** discovery_kind of a discovery by a user active in the lookback. */
  public static final String NEW_TO_ENTITY = "new_to_entity";
  /** discovery_kind of a discovery by a user with no activity in the lookback: the user's first day. */
  public static final String NEW_USER = "new_user";

  private DiscoveryMath() {}

  /**
   * One discovery as published in run T: every value counts final days only.
   *
   * @param trace element k-1: active with the entity on D+k (k = 1..S-1); null when D+k is beyond daysFinal
   * @param stickiness 1 + true entries of trace when the whole trace is final, else null
   * @param activeDays N → active days with the entity among the final days of (D, D+N]
   * @param lookbackComplete every lookback day D-lookback..D-1 is final
   * @param kind {@link #NEW_TO_ENTITY} or {@link #NEW_USER} when the lookback is complete, else null
   * @param daysFinal days D+1 … D+k final, k ≤ S-1
   * @param mature N → daysFinal ≥ N, for the discovery horizons
   * @param traceMature daysFinal = S-1
   */
  public record Labels(
      List<Boolean> trace,
      Integer stickiness,
      Map<Integer, Integer> activeDays,
      boolean lookbackComplete,
      String kind,
      int daysFinal,
      Map<Integer, Boolean> mature,
      boolean traceMature) {}

  /**
   * Whether a first play on {@code d} is a discovery: d is final, active on d, and on none of the lookback days
   * before.
   */
  public static boolean isDiscovery(NavigableSet<Long> activeDays, long d, Finality finality, RewardSpec spec) {
    return activeDays.contains(d) && finality.isFinal(d)
        && activeDays.subSet(d - spec.lookbackDays(), true, d, false).isEmpty();
  }

  /**
   * The labels of the discovery on {@code d}.
   *
   * @param activeDays the days the user is active with the entity
   * @param userDays the days the user is active at all
   */
  public static Labels labels(
      NavigableSet<Long> activeDays, NavigableSet<Long> userDays, long d, Finality finality, RewardSpec spec) {
    int traceLength = spec.traceLength();
    int daysFinal = finality.daysFinal(d, traceLength);
    List<Boolean> trace = new ArrayList<>(traceLength);
    int trues = 0;
    for (int k = 1; k <= traceLength; k++) {
      if (k > daysFinal) {
        trace.add(null);
      } else {
        boolean active = activeDays.contains(d + k);
        trace.add(active);
        trues += active ? 1 : 0;
      }
    }
    Map<Integer, Integer> active = new LinkedHashMap<>();
    Map<Integer, Boolean> mature = new LinkedHashMap<>();
    for (int n : spec.discoveryHorizons()) {
      active.put(n, activeDays.subSet(d, false, d + Math.min(n, daysFinal), true).size());
      mature.put(n, daysFinal >= n);
    }
    boolean traceMature = daysFinal == traceLength;
    boolean lookbackComplete = finality.allFinal(d - spec.lookbackDays(), d - 1);
    String kind = null;
    if (lookbackComplete) {
      kind = userDays.subSet(d - spec.lookbackDays(), true, d, false).isEmpty() ? NEW_USER : NEW_TO_ENTITY;
    }
    return new Labels(trace, traceMature ? 1 + trues : null, active, lookbackComplete, kind, daysFinal, mature,
        traceMature);
  }
}
