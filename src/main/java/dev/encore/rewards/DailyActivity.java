package dev.encore.rewards;

import dev.encore.avro.Activity;
import dev.encore.avro.internal.Play;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Summarizes one user's plays into the compact daily activity rows rewards are computed from: per day with a
 * qualifying play, one user row and one row per entity (of the given levels) played qualifyingly.
 */
public final class DailyActivity {
  /** entity_level of the user's own rows. */
  public static final String USER_LEVEL = "user";

  private static final long DAY_MS = 86_400_000L;

  private DailyActivity() {}

  /**
   * The activity rows of days {@code fromDay..toDay} (epoch days, inclusive).
   *
   * @param plays one user's deduplicated plays, in play order (start, end, event_id), so the first qualifying
   *     play seen of a day is the one whose context the row keeps
   * @param levels entity level ids: artist, show, track, album
   */
  public static List<Activity> of(List<Play> plays, long fromDay, long toDay, List<String> levels) {
    Map<String, Activity> rows = new LinkedHashMap<>();
    for (Play p : plays) {
      long day = Math.floorDiv(p.getEndMs(), DAY_MS);
      if (!p.getQualifying() || day < fromDay || day > toDay) {
        continue;
      }
      add(rows, p, day, USER_LEVEL, null);
      for (String level : levels) {
        String entity = entityOf(level, p);
        if (entity != null) {
          add(rows, p, day, level, entity);
        }
      }
    }
    return new ArrayList<>(rows.values());
  }

  /** The entity a play belongs to at a level, or null (SPEC.md: artists and albums of tracks, shows of episodes). */
  public static String entityOf(String level, Play p) {
    return switch (level) {
      case "artist" -> p.getEpisode() ? null : p.getArtistId();
      case "album" -> p.getEpisode() ? null : p.getAlbumId();
      case "track" -> p.getEpisode() ? null : p.getItemId();
      case "show" -> p.getEpisode() ? p.getShowId() : null;
      default -> throw new IllegalArgumentException("unknown entity level " + level);
    };
  }

  private static void add(Map<String, Activity> rows, Play p, long day, String level, String entity) {
    String key = day + "\u0000" + level + "\u0000" + entity;
    Activity row = rows.get(key);
    if (row == null) {
      rows.put(key, Activity.newBuilder()
          .setUserId(p.getUserId())
          .setEntityLevel(level)
          .setEntityId(entity)
          .setActivityDate(LocalDate.ofEpochDay(day))
          .setStreams(1)
          .setStreamMs(p.getMsPlayed())
          .setFirstStartMs(p.getStartMs())
          .setFirstItemId(p.getItemId())
          .setFirstPlatform(p.getPlatform())
          .setFirstContextType(p.getContextType())
          .setFirstReasonStart(p.getReasonStart())
          .build());
    } else {
      row.setStreams(row.getStreams() + 1);
      row.setStreamMs(row.getStreamMs() + p.getMsPlayed());
    }
  }
}
