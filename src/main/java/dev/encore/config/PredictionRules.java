package dev.encore.config;

import java.io.Serializable;

/**
 * The definition's {@code predictions} section: how the stickiness prior is fitted (docs/rewards.md,
 * "Predictions").
 *
 * @param fitDays the prior of run T is fitted on mature discoveries with D in (T - M - fitDays, T - M]
 * @param minDiscoverers the mature discoveries an entity needs in that window to be fitted on (≥ 2)
 */
public record PredictionRules(int fitDays, int minDiscoverers) implements Serializable {
  public PredictionRules {
    if (fitDays < 1 || minDiscoverers < 2) {
      throw new IllegalArgumentException(
          "fitDays must be >= 1 and minDiscoverers >= 2, got " + fitDays + " and " + minDiscoverers);
    }
  }
}
