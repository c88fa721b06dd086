package dev.encore.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lays one day's plays out as sessions inside the listener's awake window.
 *
 * <p>Session starts follow a daily rhythm in the listener's local time (quiet at night, a morning rise, an
 * evening peak); sessions never overlap and are separated by more than 30 minutes (usually hours), while
 * plays inside a session follow each other within seconds. Everything stays inside [windowStart, windowEnd],
 * so the listener's sleep always separates two days.
 */
final class DayPlanner {
  /** Relative listening by local hour, 0h to 23h. */
  private static final double[] LOCAL_HOUR_WEIGHT = {
    2.2, 1.3, 0.8, 0.5, 0.4, 0.6, 1.6, 3.2, 4.6, 4.8, 4.9, 5.0,
    5.2, 5.3, 5.4, 5.7, 6.2, 6.7, 6.8, 6.6, 6.4, 5.9, 4.8, 3.4
  };
  private static final double MAX_HOUR_WEIGHT = 6.8;
  private static final long MIN_SESSION_GAP_MS = 31 * Listener.MINUTE;

  private final Listener listener;
  private final SessionBuilder builder;
  private final Rng rng;

  DayPlanner(Listener listener, SessionBuilder builder, Rng rng) {
    this.listener = listener;
    this.builder = builder;
    this.rng = rng;
  }

  /** Exactly n plays in sessions placed within [windowStart, windowEnd] (epoch ms, inclusive). */
  List<Session> plan(int n, long windowStart, long windowEnd) {
    int k = sessionCount(n);
    int[] sizes = new int[k];
    Arrays.fill(sizes, 1);
    if (k > 1) {
      double[] w = new double[k];
      long[] caps = new long[k];
      for (int i = 0; i < k; i++) {
        w[i] = rng.exponential(1);
        caps[i] = n;
      }
      long[] extra = Allocation.proportional(n - k, w, caps);
      for (int i = 0; i < k; i++) {
        sizes[i] += (int) extra[i];
      }
    } else {
      sizes[0] = n;
    }
    List<Session> sessions = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      sessions.add(builder.build(sizes[i], i == 0));
    }
    place(sessions, windowStart, windowEnd);
    return sessions;
  }

  private int sessionCount(int n) {
    // Busy days have longer sessions, not only more of them.
    double perSession = listener.medianPlaysPerSession * Math.max(1, Math.sqrt(n / 20.0)) * rng.logNormal(1, 0.45);
    int max = listener.bot ? 12 : 9;
    return (int) Math.max(1, Math.min(Math.min(n, max), Math.round(n / perSession)));
  }

  /** A start time drawn from the daily rhythm, by rejection within the window. */
  private long rhythmTime(long from, long to) {
    for (int attempt = 0; attempt < 64; attempt++) {
      long t = from + (long) (rng.nextDouble() * (to - from));
      if (listener.bot) {
        return t;
      }
      long localMinute = Math.floorMod(t / Listener.MINUTE + listener.utcOffsetMinutes, 1440);
      if (rng.chance(LOCAL_HOUR_WEIGHT[(int) (localMinute / 60)] / MAX_HOUR_WEIGHT)) {
        return t;
      }
    }
    return from + (long) (rng.nextDouble() * (to - from));
  }

  private void place(List<Session> sessions, long a, long b) {
    while (true) {
      int k = sessions.size();
      long[] duration = new long[k];
      long[] wanted = new long[k];
      double[] extraGap = new double[k];
      for (int i = 0; i < k; i++) {
        duration[i] = sessions.get(i).durationMs();
        wanted[i] = rhythmTime(a, Math.max(a + 1, b - duration[i]));
        // Usually hours between sessions, never 30 minutes or less.
        extraGap[i] = rng.exponential(50 * Listener.MINUTE);
      }
      Arrays.sort(wanted);
      long[] start = null;
      // A full day first gets shorter breaks, then fewer sessions (rather than breaks all of the minimum).
      for (double scale = 1; start == null && scale >= 0.1; scale /= 2) {
        long[] gap = new long[k];
        for (int i = 0; i < k; i++) {
          gap[i] = MIN_SESSION_GAP_MS + (long) (extraGap[i] * scale);
        }
        start = fit(duration, wanted, gap, a, b);
      }
      if (start != null) {
        for (int i = 0; i < k; i++) {
          sessions.get(i).placeAt(start[i]);
        }
        return;
      }
      if (k == 1) {
        // A day fuller than its window (rare: a cut window at the range's edge, or long episodes).
        sessions.get(0).shrinkTo(b - a);
        sessions.get(0).placeAt(a);
        return;
      }
      mergeShortestPair(sessions);
    }
  }

  /** Start times honouring wishes, gaps and the window, or null when the sessions do not fit. */
  private static long[] fit(long[] duration, long[] wanted, long[] gap, long a, long b) {
    int k = duration.length;
    long[] start = new long[k];
    for (int i = 0; i < k; i++) {
      long earliest = i == 0 ? a : start[i - 1] + duration[i - 1] + gap[i];
      start[i] = Math.max(wanted[i], earliest);
    }
    if (start[k - 1] + duration[k - 1] <= b) {
      return start;
    }
    // Too late at the end: push sessions back toward the morning, keeping the gaps.
    long latestEnd = b;
    for (int i = k - 1; i >= 0; i--) {
      start[i] = Math.min(start[i], latestEnd - duration[i]);
      latestEnd = start[i] - gap[i];
    }
    return start[0] >= a ? start : null;
  }

  /** Two neighbouring sessions become one, with a short pause between them. */
  private void mergeShortestPair(List<Session> sessions) {
    int best = 0;
    long bestDuration = Long.MAX_VALUE;
    for (int i = 0; i + 1 < sessions.size(); i++) {
      long d = sessions.get(i).durationMs() + sessions.get(i + 1).durationMs();
      if (d < bestDuration) {
        bestDuration = d;
        best = i;
      }
    }
    Session first = sessions.get(best);
    Session second = sessions.remove(best + 1);
    second.plays.get(0).gapBeforeMs = (long) rng.uniform(2_000, 60_000);
    first.plays.addAll(second.plays);
  }
}
