package dev.encore.generate;

import java.time.DayOfWeek;
import java.time.LocalDate;

/**
 * Which days a listener is active on, and how many plays each of those days gets.
 *
 * <p>Engagement is a two-state process: while engaged, the listener is active on a share of days (more
 * likely the day after an active day, less on weekends); each day an engaged listener may churn, and a churned
 * one may come back later or never. New accounts churn much more in their first weeks. That is what makes
 * "active on D+k" retention decay over k and then flatten, as real curves do.
 *
 * <p>The listener's play budget is then spread over the active days (heavier on some days than others),
 * never more than fits in a day; if the active days cannot hold the budget, more days become active.
 */
final class Activity {
  /** Monday to Sunday: people listen a bit less at weekends (commutes, work). */
  private static final double[] WEEKDAY_FACTOR = {1.0, 1.02, 1.02, 1.03, 1.05, 0.93, 0.85};
  /** Chance that an account churning stays away for good. */
  private static final double PERMANENT_CHURN = 0.35;

  private Activity() {}

  static double weekdayFactor(LocalDate day) {
    return WEEKDAY_FACTOR[day.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue()];
  }

  /**
   * Plays per period; index i is period k = i - 1, for k = -1 .. days-1 (period -1 is the end of the awake
   * window that started the day before the range).
   */
  static int[] playsPerPeriod(Listener listener, long budget, LocalDate from, long rangeStartMs, int days, Rng rng) {
    int n = days + 1;
    long[] caps = new long[n];
    double[] weights = new double[n];
    boolean[] active = new boolean[n];
    int fullCap = listener.playsPerDayCap();

    boolean engaged = listener.joinPeriod >= 0 || rng.chance(0.88);
    boolean gone = false;
    boolean activeYesterday = false;
    double pEngaged = Math.min(0.97, listener.activeShare / 0.75);
    for (int i = 0; i < n; i++) {
      int k = i - 1;
      caps[i] = listener.periodCap(rangeStartMs, days, k);
      if (caps[i] == 0) {
        continue;
      }
      double weekday = weekdayFactor(from.plusDays(k));
      if (k == listener.joinPeriod || listener.bot) {
        active[i] = true; // the day the account was created; a script runs every day
      } else if (engaged) {
        double p = pEngaged * weekday * (activeYesterday ? 1.3 : 0.75);
        active[i] = rng.chance(Math.min(0.98, p));
      }
      if (engaged) {
        int age = listener.joinPeriod >= 0 ? k - listener.joinPeriod : 1000;
        double hazard = listener.churnHazard * (1 + 5 * Math.exp(-age / 6.0));
        if (rng.chance(hazard)) {
          engaged = false;
          gone = rng.chance(PERMANENT_CHURN);
        }
      } else if (!gone && rng.chance(listener.returnChance)) {
        engaged = true;
      }
      activeYesterday = active[i];
      // Some days are much fuller than others; cut windows hold proportionally less.
      weights[i] = weekday * rng.logNormal(1, 0.6) * caps[i] / fullCap;
    }

    long room = 0;
    for (int i = 0; i < n; i++) {
      if (active[i]) {
        room += caps[i];
      }
    }
    // Not enough active days for the budget: activate more, in random order.
    for (int tries = 0; room < budget && tries < 100 * n; tries++) {
      int i = rng.nextInt(n);
      if (!active[i] && caps[i] > 0) {
        active[i] = true;
        room += caps[i];
      }
    }
    for (int i = 0; room < budget && i < n; i++) {
      if (!active[i] && caps[i] > 0) {
        active[i] = true;
        room += caps[i];
      }
    }
    for (int i = 0; i < n; i++) {
      if (!active[i]) {
        weights[i] = 0;
      } else if (weights[i] == 0) {
        weights[i] = Double.MIN_NORMAL;
      }
    }
    long[] shares = Allocation.proportional(budget, weights, caps);
    int[] plays = new int[n];
    for (int i = 0; i < n; i++) {
      plays[i] = (int) shares[i];
    }
    return plays;
  }
}
