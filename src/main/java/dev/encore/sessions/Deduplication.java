package dev.encore.sessions;

import dev.encore.avro.internal.Play;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps one delivery per event_id, deterministically: the earliest by (arrival day, source file, position) — the
 * file as its index in the run's sorted file list — so the choice never depends on the order a runner hands the
 * plays over.
 */
public final class Deduplication {
  /** Delivery order: the first delivery is the one kept. */
  public static final Comparator<Play> DELIVERY_ORDER =
      Comparator.comparingInt(Play::getArrivalDay)
          .thenComparingInt(Play::getFileIndex)
          .thenComparingLong(Play::getPosition);

  private Deduplication() {}

  /**
   * The kept plays and the dropped copies of one user's plays.
   *
   * @param kept one play per event_id
   * @param dropped the other deliveries, each attributed to its own arrival day
   */
  public record Result(List<Play> kept, List<Play> dropped) {}

  /** Splits plays into one kept delivery per event_id and the dropped duplicates. */
  public static Result keepFirstDelivery(Iterable<Play> plays) {
    Map<String, Play> first = new HashMap<>();
    List<Play> dropped = new ArrayList<>();
    for (Play p : plays) {
      Play seen = first.putIfAbsent(p.getEventId(), p);
      if (seen != null && DELIVERY_ORDER.compare(p, seen) < 0) {
        first.put(p.getEventId(), p);
        dropped.add(seen);
      } else if (seen != null) {
        dropped.add(p);
      }
    }
    return new Result(new ArrayList<>(first.values()), dropped);
  }
}
