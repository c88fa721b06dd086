package dev.encore.generate;

import java.util.Arrays;

/** Splits an integer total in proportion to weights, with a cap per share, exactly and deterministically. */
final class Allocation {
  private Allocation() {}

  /**
   * Returns shares s[i] with sum(s) == total, 0 <= s[i] <= caps[i], proportional to weights where no cap binds
   * (water-filling), rounded by largest remainder with ties broken by index.
   *
   * @throws IllegalArgumentException if total exceeds the sum of the caps of positive-weight entries
   */
  static long[] proportional(long total, double[] weights, long[] caps) {
    int n = weights.length;
    long room = 0;
    for (int i = 0; i < n; i++) {
      if (weights[i] > 0) {
        room += caps[i];
      }
    }
    if (total > room) {
      throw new IllegalArgumentException("total " + total + " exceeds the capacity " + room);
    }
    double[] exact = new double[n];
    boolean[] capped = new boolean[n];
    double remaining = total;
    // Cap every share that its cap binds, then share the rest among the others, until no new cap binds.
    while (true) {
      double free = 0;
      for (int i = 0; i < n; i++) {
        if (!capped[i] && weights[i] > 0) {
          free += weights[i];
        }
      }
      if (free == 0) {
        break;
      }
      boolean changed = false;
      for (int i = 0; i < n; i++) {
        if (!capped[i] && weights[i] > 0 && remaining * weights[i] / free >= caps[i]) {
          capped[i] = true;
          exact[i] = caps[i];
          remaining -= caps[i];
          changed = true;
        }
      }
      if (!changed) {
        for (int i = 0; i < n; i++) {
          if (!capped[i] && weights[i] > 0) {
            exact[i] = remaining * weights[i] / free;
          }
        }
        break;
      }
    }
    long[] shares = new long[n];
    long given = 0;
    for (int i = 0; i < n; i++) {
      shares[i] = Math.min(caps[i], (long) Math.floor(exact[i]));
      given += shares[i];
    }
    long left = total - given;
    if (left > 0) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> {
        int byFraction = Double.compare(exact[y] - Math.floor(exact[y]), exact[x] - Math.floor(exact[x]));
        return byFraction != 0 ? byFraction : Integer.compare(x, y);
      });
      // Rounding error is below n, but floating point may leave more; go round until it is all placed.
      while (left > 0) {
        for (int j = 0; j < n && left > 0; j++) {
          int i = order[j];
          if (weights[i] > 0 && shares[i] < caps[i]) {
            shares[i]++;
            left--;
          }
        }
      }
    }
    return shares;
  }
}
