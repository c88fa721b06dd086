package dev.encore.generate;

import dev.encore.avro.ListeningEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns plays into log records and decides which partition each one arrives in, with the faults of real
 * logs: late offline plays, re-deliveries, broken records. Counts every record in exactly one class.
 *
 * <ul>
 *   <li>On time: a play arrives in the partition of its day (the UTC day of ts).
 *   <li>Offline sessions: all their plays arrive together when the device reconnects, 1 to
 *       allowedLatenessDays days after the session's last day; about 7% of them later than that (too_late).
 *       A play that would arrive after the last partition is not written (counted as not delivered).
 *   <li>Duplicates: a valid, non-private, on-time play delivered a second time, either later in the same file
 *       or in a later partition at most allowedLatenessDays after its day (so it stays a duplicate and does not
 *       become too_late).
 *   <li>Invalid records: on-time, non-private plays with exactly one fault: an empty id (missing_field), an
 *       unknown content type, a negative ms_played, or a device clock in the future (future_timestamp: ts more
 *       than an hour after the end of the partition it arrives in).
 * </ul>
 *
 * Private plays are always on time and valid, so that each record has exactly one class.
 */
final class Delivery {
  private static final long HOUR = 3_600_000L;
  private static final double FAULT_SHARE = 0.0035;
  private static final double DUPLICATE_SHARE = 0.005;
  private static final double TOO_LATE_SHARE = 0.07;
  /** Chances of the fault kinds other than too_late, in PartitionCounts.REASONS order. */
  private static final double[] FAULT_KIND = {0.35, 0.2, 0.2, 0.25};

  /** Fates of a play: accepted by the pipelines (on time, or offline within the lateness) … */
  static final int COUNTS = 0;
  /** … private (incognito), dropped … */
  static final int PRIVATE = 1;
  /** … an on-time record with one fault … */
  static final int FAULT = 2;
  /** … an offline play arriving after the allowed lateness … */
  static final int TOO_LATE = 3;
  /** … or an offline play that would arrive after the last partition, never written. */
  static final int NOT_DELIVERED = 4;

  private final GeneratorConfig config;
  private final Catalog catalog;
  private final PartitionWriters writers;
  private final PartitionCounts counts;
  private final long firstDay;
  private final long lastDay;

  private Listener listener;
  private Rng rng;
  private long playNumber;
  /** Second deliveries waiting to be written a few records later in the same file. */
  private final List<PendingCopy> pending = new ArrayList<>();

  private static final class PendingCopy {
    int recordsToWait;
    final int dayIndex;
    final ListeningEvent event;

    PendingCopy(int recordsToWait, int dayIndex, ListeningEvent event) {
      this.recordsToWait = recordsToWait;
      this.dayIndex = dayIndex;
      this.event = event;
    }
  }

  Delivery(GeneratorConfig config, Catalog catalog, PartitionWriters writers, PartitionCounts counts) {
    this.config = config;
    this.catalog = catalog;
    this.writers = writers;
    this.counts = counts;
    this.firstDay = config.firstEpochDay();
    this.lastDay = firstDay + config.days() - 1;
  }

  void startUser(Listener listener, Rng rng) {
    this.listener = listener;
    this.rng = rng;
    this.playNumber = 0;
  }

  /** Writes the copies still waiting; call once after the user's last session. */
  void endUser() throws IOException {
    List<PendingCopy> rest = new ArrayList<>(pending);
    pending.clear();
    for (PendingCopy copy : rest) {
      writers.append(copy.dayIndex, copy.event);
      counts.records[copy.dayIndex]++;
    }
  }

  /**
   * Decides the fate of every play of the session (on time, late, too late, not delivered, private, broken),
   * before anything is written, so that the generator knows which plays the pipelines will count. The plays'
   * end times must not change afterwards (their day decides lateness).
   */
  void prepare(Session session) {
    if (session.offline) {
      long lastPlayDay = Math.floorDiv(session.endMs(), Listener.DAY);
      int late = rng.chance(TOO_LATE_SHARE)
          ? config.allowedLatenessDays() + 1 + rng.geometric(0.35)
          : 1 + rng.geometric(0.5) % Math.max(1, config.allowedLatenessDays());
      session.reconnectDay = lastPlayDay + late;
    }
    for (PlayDraft play : session.plays) {
      long playDay = play.day();
      if (session.forceValid) {
        play.fate = COUNTS;
      } else if (session.offline) {
        play.fate = session.reconnectDay > lastDay ? NOT_DELIVERED
            : session.reconnectDay - playDay > config.allowedLatenessDays() ? TOO_LATE : COUNTS;
      } else if (session.privateMode) {
        play.fate = PRIVATE;
      } else if (rng.chance(FAULT_SHARE)) {
        play.fate = FAULT;
        play.faultReason = rng.pick(FAULT_KIND);
      } else {
        play.fate = COUNTS;
      }
    }
  }

  /** Writes a prepared session's plays to their arrival partitions, as their fates say. */
  void deliver(Session session) throws IOException {
    for (PlayDraft play : session.plays) {
      counts.plays++;
      ListeningEvent event = toEvent(play);
      long playDay = play.day();
      if (play.fate == NOT_DELIVERED) {
        counts.notDelivered++;
        continue;
      }
      if (session.offline && !session.forceValid) {
        event.setOffline(true);
        int d = (int) (session.reconnectDay - firstDay);
        if (play.fate == TOO_LATE) {
          counts.invalid[d][PartitionCounts.TOO_LATE]++;
        } else {
          counts.validPlays[d]++;
          counts.lateAccepted[d]++;
        }
        write(d, event);
        continue;
      }
      int d = (int) (playDay - firstDay);
      if (play.fate == PRIVATE) {
        event.setIncognitoMode(true);
        counts.privatePlays[d]++;
        write(d, event);
        continue;
      }
      if (play.fate == FAULT) {
        breakRecord(event, play.faultReason, playDay);
        counts.invalid[d][play.faultReason]++;
        write(d, event);
        continue;
      }
      counts.validPlays[d]++;
      write(d, event);
      if (rng.chance(DUPLICATE_SHARE)) {
        deliverAgain(event, playDay);
      }
    }
  }

  private void deliverAgain(ListeningEvent event, long playDay) throws IOException {
    ListeningEvent copy = ListeningEvent.newBuilder(event).build();
    long latest = Math.min(lastDay, playDay + config.allowedLatenessDays());
    if (latest > playDay && rng.chance(0.5)) {
      long day = playDay + 1 + rng.nextInt((int) (latest - playDay));
      int d = (int) (day - firstDay);
      counts.duplicates[d]++;
      write(d, copy);
    } else {
      int d = (int) (playDay - firstDay);
      counts.duplicates[d]++;
      pending.add(new PendingCopy(1 + rng.nextInt(40), d, copy));
    }
  }

  /** Appends a record, then any waiting copies whose turn has come (always later in the same file). */
  private void write(int dayIndex, ListeningEvent event) throws IOException {
    writers.append(dayIndex, event);
    counts.records[dayIndex]++;
    if (pending.isEmpty()) {
      return;
    }
    List<PendingCopy> due = null;
    for (Iterator<PendingCopy> it = pending.iterator(); it.hasNext(); ) {
      PendingCopy copy = it.next();
      if (--copy.recordsToWait <= 0) {
        it.remove();
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(copy);
      }
    }
    if (due != null) {
      for (PendingCopy copy : due) {
        write(copy.dayIndex, copy.event);
      }
    }
  }

  /** Gives the record exactly one fault of the given kind. */
  private void breakRecord(ListeningEvent event, int reason, long playDay) {
    switch (reason) {
      case PartitionCounts.MISSING_FIELD:
        double x = rng.nextDouble();
        if (x < 0.3) {
          event.setEventId("");
        } else if (x < 0.7) {
          event.setUserId("");
        } else {
          event.setItemId("");
        }
        break;
      case PartitionCounts.UNKNOWN_CONTENT_TYPE:
        event.setContentType(Vocabulary.BAD_CONTENT_TYPES[rng.nextInt(Vocabulary.BAD_CONTENT_TYPES.length)]);
        break;
      case PartitionCounts.NEGATIVE_MS_PLAYED:
        long ms = event.getMsPlayed();
        event.setMsPlayed(ms > 0 ? -ms : -(1 + rng.nextInt(5_000)));
        break;
      case PartitionCounts.FUTURE_TIMESTAMP:
        // A device clock set wrong: hours to a year ahead, always beyond the hour of tolerance.
        long notBefore = (playDay + 1) * Listener.DAY + HOUR + 1;
        long skewed = event.getTs().toEpochMilli()
            + (rng.chance(0.5) ? (long) rng.uniform(2 * HOUR, 48 * HOUR) : (long) rng.uniform(2, 365) * Listener.DAY);
        event.setTs(Instant.ofEpochMilli(Math.max(skewed, notBefore + (long) rng.uniform(0, HOUR))));
        break;
      default:
        throw new IllegalArgumentException("not a fault to inject: " + reason);
    }
  }

  private ListeningEvent toEvent(PlayDraft p) {
    ListeningEvent e = new ListeningEvent();
    e.setEventId(Ids.eventId(config.seed(), listener.index, playNumber++));
    e.setUserId(listener.userId);
    e.setTs(Instant.ofEpochMilli(p.endMs));
    e.setMsPlayed(p.msPlayed);
    if (p.episode) {
      e.setContentType("EPISODE");
      e.setItemId(catalog.episodeId(p.show, p.episodeNumber));
      e.setShowId(catalog.showId(p.show));
    } else {
      e.setContentType("TRACK");
      e.setItemId(catalog.trackId(p.track));
      e.setArtistId(catalog.artistId(p.artist));
      e.setAlbumId(catalog.albumId(p.album));
    }
    e.setDurationMs(p.durationKnown ? p.durationMs : null);
    e.setContextType(p.contextType);
    e.setReasonStart(p.reasonStart);
    e.setReasonEnd(p.reasonEnd);
    e.setShuffle(p.shuffle);
    e.setSkipped(p.skipped);
    e.setOffline(false);
    e.setIncognitoMode(false);
    e.setPlatform(p.platform);
    e.setCountry(rng.chance(0.003) ? null : listener.country);
    return e;
  }
}
