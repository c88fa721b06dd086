package dev.encore.sessions;

import dev.encore.avro.internal.Play;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Takes one user's plays as they stream out of the shuffle and holds them per day of ts (the end of the play,
 * UTC). A day with more plays than a person can make (a bot or a stuck client) is let go the moment it passes the
 * limit and from then on only counted, so such an account never has to fit in memory: at most the limit's worth
 * of plays per day is held. Every delivery counts, duplicates included, and the decision is per day, so it does
 * not depend on which other days a run reads.
 */
public final class HotDays {
  private static final long DAY_MS = 86_400_000L;

  private final long maxPlaysPerDay;
  private final Map<Long, List<Play>> held = new TreeMap<>();
  private final Map<Long, Long> counts = new TreeMap<>();

  /** Days with more than {@code maxPlaysPerDay} plays are hot. */
  public HotDays(long maxPlaysPerDay) {
    this.maxPlaysPerDay = maxPlaysPerDay;
  }

  /** The UTC day (epoch day) a play counts towards. */
  public static long dayOf(Play p) {
    return Math.floorDiv(p.getEndMs(), DAY_MS);
  }

  /** Counts the play, and holds it unless its day is (now) hot. */
  public void add(Play p) {
    long day = dayOf(p);
    long n = counts.merge(day, 1L, Long::sum);
    if (n <= maxPlaysPerDay) {
      held.computeIfAbsent(day, d -> new ArrayList<>()).add(p);
    } else if (n == maxPlaysPerDay + 1) {
      held.remove(day);
    }
  }

  /** The plays of the days that are not hot. */
  public List<Play> kept() {
    List<Play> kept = new ArrayList<>();
    held.values().forEach(kept::addAll);
    return kept;
  }

  /** The hot days (epoch day) with their play counts. */
  public Map<Long, Long> hot() {
    Map<Long, Long> hot = new TreeMap<>();
    counts.forEach((day, n) -> {
      if (n > maxPlaysPerDay) {
        hot.put(day, n);
      }
    });
    return hot;
  }
}
