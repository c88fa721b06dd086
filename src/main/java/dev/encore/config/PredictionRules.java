package dev.encore.config;

import java.io.Serializable;

/**
 * The definition's {@code predictions} section: how the stickiness prior is fitted (docs/rewards.md,
 * "Predictions").
 *
 * @param fitDays the prior of run T is fitted on mature discoveries with D in (T - M - fitDays, T - M]
 * @param minDiscoverers the mature discoveries an entity needs in that window to be fitted on (≥ 2)
 * @param ridge added to the noise covariance's diagonal, as a share of its mean diagonal entry (0 .. 1)
 */
public record PredictionRules(int fitDays, int minDiscoverers, double ridge) implements Serializable {
  public PredictionRules {
    if (fitDays < 1 || minDiscoverers < 2 || !(ridge >= 0 && ridge <= 1)) {
      throw new IllegalArgumentException("fitDays must be >= 1, minDiscoverers >= 2 and ridge in [0, 1], got "
          + fitDays + ", " + minDiscoverers + " and " + ridge);
    }
  }
}
