package dev.encore.rewards;

import java.io.Serializable;
import java.util.List;

/**
 * One as-of date of a run and what is labelled as of it: a nightly run has one (its date T); a one-pass backfill
 * has one per date of its range, each labelling the anchors it is the last date of the range to publish
 * (docs/operations.md, "Backfill").
 *
 * @param finality the final days as of the date ({@link Finality#asOf()} is the date)
 * @param anchors the anchor / discovery days labelled as of it, epoch days
 * @param firstModelDay first day of the model discoveries whose traces it gives (epoch day; none when after
 *     {@code lastModelDay})
 * @param lastModelDay last such day
 */
public record AsOf(Finality finality, List<Long> anchors, long firstModelDay, long lastModelDay)
    implements Serializable {
  public AsOf {
    anchors = List.copyOf(anchors);
  }

  /** As of the final days' date, labelling {@code anchors}, giving no traces. */
  public AsOf(Finality finality, List<Long> anchors) {
    this(finality, anchors, 0, -1);
  }

  /** The date, epoch day. */
  public long date() {
    return finality.asOf();
  }

  /** The same with the final days less the arrival days {@code incomplete} (epoch days). */
  public AsOf without(java.util.Set<Long> incomplete) {
    return new AsOf(finality.without(incomplete), anchors, firstModelDay, lastModelDay);
  }
}
