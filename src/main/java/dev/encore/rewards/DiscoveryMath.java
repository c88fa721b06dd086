package dev.encore.rewards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/** Discovery labels of one user with one entity (docs/rewards.md, after "Impatient Bandits", KDD 2023). */
public final class DiscoveryMath {
  private DiscoveryMath() {}

  /**
   * One discovery as observed in run T.
   *
   * @param trace element k-1: active with the entity on D+k (k = 1..S-1); null when D+k > T
   * @param stickiness 1 + true entries of trace when mature, else null
   * @param activeDays N → active days with the entity in (D, min(D+N, T)]
   * @param lookbackComplete every lookback day D-lookback..D-1 was observed (≥ the first input day)
   * @param daysObserved days of (D, D+S-1] that are ≤ T
   * @param mature N → D + N + L ≤ T, for the discovery horizons and for S (the trace: D + S-1 + L ≤ T)
   */
  public record Labels(
      List<Boolean> trace,
      Integer stickiness,
      Map<Integer, Integer> activeDays,
      boolean lookbackComplete,
      int daysObserved,
      Map<Integer, Boolean> mature) {}

  /** Whether a first play on {@code d} is a discovery: active on d, and on none of the lookback days before. */
  public static boolean isDiscovery(NavigableSet<Long> activeDays, long d, RewardSpec spec) {
    return activeDays.contains(d) && activeDays.subSet(d - spec.lookbackDays(), true, d, false).isEmpty();
  }

  /** The labels of the discovery on {@code d}, in run {@code t}; days after t are ignored. */
  public static Labels labels(
      NavigableSet<Long> activeDays, long d, long t, long firstInputDay, RewardSpec spec) {
    int traceLength = spec.traceLength();
    List<Boolean> trace = new ArrayList<>(traceLength);
    int trues = 0;
    for (int k = 1; k <= traceLength; k++) {
      if (d + k > t) {
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
      active.put(n, activeDays.subSet(d, false, Math.min(d + n, t), true).size());
      mature.put(n, d + n + spec.lateness() <= t);
    }
    boolean traceMature = d + traceLength + spec.lateness() <= t;
    mature.put(spec.stickinessDays(), traceMature);
    return new Labels(
        trace,
        traceMature ? 1 + trues : null,
        active,
        d - spec.lookbackDays() >= firstInputDay,
        (int) Math.max(0, Math.min(traceLength, t - d)),
        mature);
  }
}
