package dev.encore.generate;

/**
 * How well each artist and show keeps the listeners who discover it: the generator's ground truth.
 *
 * <p>The model. Every entity e (artist or show) has a retention propensity π_e, drawn once per entity from
 * Beta(α, β). When a listener discovers e on day D (a qualifying play of e on D and none on D − 60 … D − 1, as
 * docs/rewards.md defines it, counting only plays the pipelines will accept), they adopt e with probability π_e.
 * An adopter is active with e on D + k (k = 1 … 59) with probability s(k) = c·k^(−γ), independently over k; a
 * listener who does not adopt e is never active with it on D + 1 … D + 59. The generator enforces exactly that
 * schedule on the written logs (see {@link Returns}). So the true mean trace of a discovery of e is
 *
 * <pre>θ_e[k − 1] = P(active with e on D + k | discovered e on D) = π_e · s(k),</pre>
 *
 * exact, a property of the model and not of the sampled data; its expected stickiness_60 is 1 + π_e·Σ s(k).
 *
 * <p>The numbers are calibrated against the real Spotify histories in ../shared/data by
 * {@code RetentionCalibration} (src/test; testdata/README.md, "How the retention spread was calibrated"): the
 * pooled mean trace gives π̄ and s(k), the variance between the artists' mean stickiness (less its sampling
 * noise) gives the spread of π_e. Shows use the same numbers (the real data has no podcasts).
 */
final class Retention {
  /** Length of a trace: stickiness_days − 1. */
  static final int TRACE = 59;
  /** Days without a play before a play is a discovery (lookback_days). */
  static final int LOOKBACK = 60;

  /** s(k) = C · k^(−GAMMA): chance that an adopter is active with the entity k days after discovering it. */
  static final double C = 0.4760;
  static final double GAMMA = 0.4268;
  /** π_e ~ Beta(ALPHA, BETA): mean 0.166, sd 0.064. */
  static final double ALPHA = 5.502;
  static final double BETA = 27.617;

  static final int ARTIST = 0;
  static final int SHOW = 1;
  static final String[] LEVELS = {"artist", "show"};

  private static final double[] CURVE = new double[TRACE];

  static {
    for (int k = 1; k <= TRACE; k++) {
      CURVE[k - 1] = curve(C, GAMMA, k);
    }
  }

  private Retention() {}

  static double curve(double c, double gamma, int k) {
    return c * Math.pow(k, -gamma);
  }

  /** s(k) for k = 1 … 59 (a copy). */
  static double[] returnCurve() {
    return CURVE.clone();
  }

  /** π_e of entity index e at a level: its own random stream, so it depends on nothing else. */
  static double propensity(long seed, int level, int entity) {
    return Rng.of(seed, 500 + level, entity).beta(ALPHA, BETA);
  }

  /** θ_e = π_e · s(k), k = 1 … 59. */
  static double[] meanTrace(double propensity) {
    double[] theta = new double[TRACE];
    for (int k = 0; k < TRACE; k++) {
      theta[k] = propensity * CURVE[k];
    }
    return theta;
  }

  /** Draws one discovery's schedule: x[k − 1] = whether the listener is active with the entity on D + k. */
  static boolean[] schedule(double propensity, Rng rng) {
    boolean[] x = new boolean[TRACE];
    if (rng.chance(propensity)) {
      for (int k = 0; k < TRACE; k++) {
        x[k] = rng.chance(CURVE[k]);
      }
    }
    return x;
  }
}
