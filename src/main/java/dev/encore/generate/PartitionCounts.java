package dev.encore.generate;

/**
 * Exact counts of what was written, per arrival partition; every record falls in exactly one class:
 * records = validPlays + private + duplicates + sum(invalid).
 */
final class PartitionCounts {
  /** Reject reason codes, as the pipelines name them (SPEC.md, schemas/rejected_record.avsc). */
  static final String[] REASONS = {
    "missing_field", "unknown_content_type", "negative_ms_played", "future_timestamp", "too_late"
  };
  static final int MISSING_FIELD = 0;
  static final int UNKNOWN_CONTENT_TYPE = 1;
  static final int NEGATIVE_MS_PLAYED = 2;
  static final int FUTURE_TIMESTAMP = 3;
  static final int TOO_LATE = 4;

  final long[] records;
  /** Valid, non-private first deliveries (late offline plays included). */
  final long[] validPlays;
  final long[] privatePlays;
  final long[] duplicates;
  final long[][] invalid;
  /** Offline plays accepted although they arrive 1..allowedLatenessDays days after their day. */
  final long[] lateAccepted;
  /** Plays generated (each is a record, or not delivered); duplicate deliveries not included. */
  long plays;
  /** Offline plays whose arrival day falls after the last generated partition, so never written. */
  long notDelivered;
  /** Plays of return visits ({@link Returns}) that the listener's later days could not pay back. */
  long unpaidReturnPlays;

  PartitionCounts(int days) {
    records = new long[days];
    validPlays = new long[days];
    privatePlays = new long[days];
    duplicates = new long[days];
    invalid = new long[days][REASONS.length];
    lateAccepted = new long[days];
  }

  void add(PartitionCounts other) {
    for (int d = 0; d < records.length; d++) {
      records[d] += other.records[d];
      validPlays[d] += other.validPlays[d];
      privatePlays[d] += other.privatePlays[d];
      duplicates[d] += other.duplicates[d];
      lateAccepted[d] += other.lateAccepted[d];
      for (int r = 0; r < REASONS.length; r++) {
        invalid[d][r] += other.invalid[d][r];
      }
    }
    plays += other.plays;
    notDelivered += other.notDelivered;
    unpaidReturnPlays += other.unpaidReturnPlays;
  }
}
