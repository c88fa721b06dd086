package dev.encore.generate;

/**
 * A small deterministic random number generator (SplitMix64).
 *
 * <p>Written out here instead of using {@link java.util.SplittableRandom} so that the generated data
 * depends only on this file, never on the JDK's implementation: the same seed gives the same logs on every
 * JVM. Independent streams are derived with {@link #of(long, long, long)}, so that one user's plays do not
 * depend on how many random numbers another user consumed.
 */
final class Rng {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private long state;
  private double spareGaussian = Double.NaN;

  Rng(long seed) {
    this.state = seed;
  }

  /** A stream for (seed, purpose, index); different arguments give unrelated streams. */
  static Rng of(long seed, long purpose, long index) {
    return new Rng(mix(mix(seed ^ mix(purpose * GOLDEN + 1)) + index * GOLDEN));
  }

  /** The SplitMix64 finalizer: a bijection on 64-bit values that scatters nearby inputs. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += GOLDEN;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    // The modulo bias is below 2^-32 for the bounds used here; simplicity wins.
    return (int) ((nextLong() >>> 1) % bound);
  }

  /** Uniform integer in [lo, hi]. */
  int between(int lo, int hi) {
    return lo + nextInt(hi - lo + 1);
  }

  /** Uniform in [lo, hi). */
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  boolean chance(double p) {
    return nextDouble() < p;
  }

  double gaussian() {
    if (!Double.isNaN(spareGaussian)) {
      double g = spareGaussian;
      spareGaussian = Double.NaN;
      return g;
    }
    // Box-Muller: two independent normals from two uniforms.
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    spareGaussian = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal with the given median and shape sigma. */
  double logNormal(double median, double sigma) {
    return median * Math.exp(sigma * gaussian());
  }

  /** Exponential with the given mean. */
  double exponential(double mean) {
    return -mean * Math.log(1.0 - nextDouble());
  }

  /** Number of failures before the first success, success probability p per trial. */
  int geometric(double p) {
    if (p >= 1) {
      return 0;
    }
    return (int) Math.floor(Math.log(1.0 - nextDouble()) / Math.log(1.0 - p));
  }

  /** Index drawn with probability proportional to weights[i]. */
  int pick(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** Gamma with the given shape (≥ 1) and scale 1: Marsaglia and Tsang's method. */
  double gamma(double shape) {
    if (shape < 1) {
      throw new IllegalArgumentException("shape below 1: " + shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = gaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = nextDouble();
      if (Math.log(1 - u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  /** Beta(a, b), a and b ≥ 1, as Gamma(a) / (Gamma(a) + Gamma(b)). */
  double beta(double a, double b) {
    double x = gamma(a);
    double y = gamma(b);
    return x / (x + y);
  }
}
