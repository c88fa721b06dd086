package dev.encore.generate;

import dev.encore.generate.WrittenLogs.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Discoveries and their traces computed from written logs alone, by the definitions of docs/rewards.md, without
 * the generator's code: the plays are the valid, non-private, first deliveries (faults by {@link
 * WrittenLogs#faults}); a qualifying play has ms_played ≥ 30 000 (TRACK) or 60 000 (EPISODE); the day of a play
 * is the UTC day of ts; a discovery of entity e (artist_id of a TRACK play, show_id of an EPISODE play) by u on D
 * is a qualifying play on D and none on D − 60 … D − 1; its trace holds, for k = 1 … 59, whether u has a
 * qualifying play of e on D + k (null past the last partition).
 */
final class Discoveries {
  static final int LOOKBACK = 60;
  static final int TRACE = 59;

  /** One discovery; trace[k-1] is null when D + k is after the last day. */
  record Discovery(String user, String level, String entity, long day, boolean lookbackComplete, Boolean[] trace) {
    /** D − 61 ≥ F and D + 59 + 3 + 1 ≤ last day: every lookback day seen, every trace day final (L = 3). */
    boolean matureAndComplete(long first, long last) {
      return day - LOOKBACK - 1 >= first && day + TRACE + 4 <= last;
    }

    int stickiness() {
      int s = 1;
      for (Boolean x : trace) {
        s += Boolean.TRUE.equals(x) ? 1 : 0;
      }
      return s;
    }
  }

  final long firstDay;
  final long lastDay;
  final List<Discovery> all = new ArrayList<>();

  Discoveries(WrittenLogs logs, int allowedLatenessDays) {
    firstDay = logs.partitions.get(0).toEpochDay();
    lastDay = logs.partitions.get(logs.partitions.size() - 1).toEpochDay();
    // (user, level, entity) -> active days
    Map<List<String>, TreeSet<Long>> active = new HashMap<>();
    Set<String> delivered = new HashSet<>();
    for (Row row : logs.rows) {
      if (!WrittenLogs.faults(row, allowedLatenessDays).isEmpty() || row.flag("incognito_mode")
          || !delivered.add(row.str("event_id"))) {
        continue;
      }
      boolean episode = "EPISODE".equals(row.str("content_type"));
      String entity = episode ? row.str("show_id") : row.str("artist_id");
      if (entity == null || row.msPlayed() < (episode ? 60_000 : 30_000)) {
        continue;
      }
      active.computeIfAbsent(List.of(row.str("user_id"), episode ? "show" : "artist", entity), k -> new TreeSet<>())
          .add(row.tsDay());
    }
    for (var e : active.entrySet()) {
      Long previous = null;
      for (long d : e.getValue()) {
        if (previous == null || d - previous > LOOKBACK) {
          Boolean[] trace = new Boolean[TRACE];
          for (int k = 1; k <= TRACE; k++) {
            trace[k - 1] = d + k > lastDay ? null : e.getValue().contains(d + k);
          }
          List<String> key = e.getKey();
          all.add(new Discovery(key.get(0), key.get(1), key.get(2), d, d - LOOKBACK >= firstDay, trace));
        }
        previous = d;
      }
    }
  }

  /** Prints counts of a logs directory: java ... dev.encore.generate.Discoveries DIR [lateness]. */
  public static void main(String[] args) throws IOException {
    WrittenLogs logs = new WrittenLogs(Path.of(args[0]));
    int lateness = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Discoveries d = new Discoveries(logs, lateness);
    for (String level : new String[] {"artist", "show"}) {
      long total = 0;
      long complete = 0;
      long mature = 0;
      long byEarlierUsers = 0;
      double sticky = 0;
      // users active (a valid qualifying play) on some day before D - 0: approximated by having any discovery before D
      Map<String, Long> firstActive = new HashMap<>();
      for (Discovery x : d.all) {
        firstActive.merge(x.user(), x.day(), Math::min);
      }
      for (Discovery x : d.all) {
        if (!x.level().equals(level)) {
          continue;
        }
        total++;
        complete += x.lookbackComplete() ? 1 : 0;
        if (x.matureAndComplete(d.firstDay, d.lastDay)) {
          mature++;
          sticky += x.stickiness();
          if (firstActive.get(x.user()) < x.day() - LOOKBACK) {
            byEarlierUsers++;
          }
        }
      }
      System.out.printf("%s: discoveries %d, lookback-complete %d, mature and lookback-complete %d "
          + "(by users active more than 60 days before: %d), their mean stickiness_60 %.3f%n",
          level, total, complete, mature, byEarlierUsers, mature == 0 ? 0 : sticky / mature);
    }
  }
}
