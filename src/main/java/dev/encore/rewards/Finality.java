package dev.encore.rewards;

import java.io.Serializable;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;

/**
 * Which days are final in run T (docs/rewards.md, "The input calendar and final days"): day d is final when
 * d + L ≤ T and every arrival day d − 1 … d + L is complete. A final day's plays can no longer change, so a label
 * counts final days only. Days are epoch days.
 */
public final class Finality implements Serializable {
  private final long asOf;
  private final int lateness;
  private final TreeSet<Long> completeArrivals;
  // Final days as bits from the first complete arrival day on: labels ask for every day of every row's window.
  private final long base;
  private final java.util.BitSet finalDays = new java.util.BitSet();

  /**
   * @param asOf the run's date T
   * @param lateness L, allowed_lateness_days
   * @param completeArrivals the complete arrival days (others, and days before the first input day, are not)
   */
  public Finality(long asOf, int lateness, Collection<Long> completeArrivals) {
    this.asOf = asOf;
    this.lateness = lateness;
    this.completeArrivals = new TreeSet<>(completeArrivals);
    this.base = this.completeArrivals.isEmpty() ? 0 : this.completeArrivals.first();
    for (long d = base; !this.completeArrivals.isEmpty() && d + lateness <= asOf; d++) {
      if (computeFinal(d)) {
        finalDays.set((int) (d - base));
      }
    }
  }

  /** With complete input from {@code firstInputDay} through {@code asOf}. */
  public static Finality completeFrom(long firstInputDay, long asOf, int lateness) {
    TreeSet<Long> days = new TreeSet<>();
    for (long x = firstInputDay; x <= asOf; x++) {
      days.add(x);
    }
    return new Finality(asOf, lateness, days);
  }

  /** The same, with {@code incomplete} arrival days no longer complete. */
  public Finality without(Set<Long> incomplete) {
    TreeSet<Long> days = new TreeSet<>(completeArrivals);
    days.removeAll(incomplete);
    return new Finality(asOf, lateness, days);
  }

  public long asOf() {
    return asOf;
  }

  /** Whether day {@code d} is final: d + L ≤ T, and arrival days d − 1 … d + L are all complete. */
  public boolean isFinal(long d) {
    return d >= base && d - base < Integer.MAX_VALUE && finalDays.get((int) (d - base));
  }

  /**
   * The arrival days that can hold plays of day {@code d}: d − 1 (its first hour may arrive the evening before)
   * through d + L.
   */
  public LongStream arrivalDaysOf(long d) {
    return LongStream.rangeClosed(d - 1, d + lateness);
  }

  private boolean computeFinal(long d) {
    return d + lateness <= asOf && arrivalDaysOf(d).allMatch(completeArrivals::contains);
  }

  /** The largest k ≤ {@code window} with days d + 1 … d + k all final. */
  public int daysFinal(long d, int window) {
    int k = 0;
    while (k < window && isFinal(d + k + 1)) {
      k++;
    }
    return k;
  }

  /** Whether every day {@code from} … {@code to} (inclusive) is final; true for an empty range. */
  public boolean allFinal(long from, long to) {
    for (long d = from; d <= to; d++) {
      if (!isFinal(d)) {
        return false;
      }
    }
    return true;
  }
}
