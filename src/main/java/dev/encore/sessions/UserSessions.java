package dev.encore.sessions;

import dev.encore.avro.Activity;
import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import dev.encore.rewards.DailyActivity;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The sessions stage for one user, as a plain function of the user's plays: leave out the hot days ({@link HotDays}),
 * drop duplicate deliveries ({@link Deduplication}), cut sessions ({@link SessionCutter}) and keep those starting
 * on the session days a run publishes, and summarize the days whose activity it rebuilds ({@link DailyActivity}).
 * {@link Sessionize}'s DoFn and the benchmark's plain-Java reference both call it, so they cannot drift apart.
 */
public final class UserSessions implements Serializable {
  private static final long DAY_MS = 86_400_000L;

  private final SessionRules rules;
  private final long firstDay;
  private final long lastDay;
  private final TreeSet<Long> activityDays = new TreeSet<>();
  private final List<String> levels;
  private final long maxPlaysPerUserDay;

  /**
   * What one user's plays gave.
   *
   * @param sessions the sessions starting on the kept days, in play order
   * @param activity the activity rows of the rebuilt days
   * @param hotDays the days left out (epoch day) with their play counts
   * @param duplicates the duplicate deliveries dropped, per arrival day (epoch day) of the dropped copy
   * @param sessionsCut every session cut, on a kept day or not
   */
  public record Result(
      List<Session> sessions,
      List<Activity> activity,
      Map<Long, Long> hotDays,
      Map<Long, Long> duplicates,
      int sessionsCut) {}

  /**
   * Keeps the sessions starting on {@code firstDay..lastDay} (inclusive) and summarizes the activity of
   * {@code activityDays} at the entity {@code levels}; user-days with more than {@code maxPlaysPerUserDay} plays
   * are left out of everything.
   */
  public UserSessions(
      SessionRules rules,
      LocalDate firstDay,
      LocalDate lastDay,
      Set<LocalDate> activityDays,
      List<String> levels,
      long maxPlaysPerUserDay) {
    this.rules = rules;
    this.firstDay = firstDay.toEpochDay();
    this.lastDay = lastDay.toEpochDay();
    activityDays.forEach(d -> this.activityDays.add(d.toEpochDay()));
    this.levels = List.copyOf(levels);
    this.maxPlaysPerUserDay = maxPlaysPerUserDay;
  }

  /** The UTC day (epoch day) of a session: the day of its start. */
  public static long dayOf(Session s) {
    return Math.floorDiv(s.getSessionStart().toEpochMilli(), DAY_MS);
  }

  /** Runs the stage on every play of one user, in any order, duplicate deliveries included. */
  public Result of(Iterable<Play> userPlays) {
    HotDays days = new HotDays(maxPlaysPerUserDay);
    userPlays.forEach(days::add);
    Deduplication.Result dedup = Deduplication.keepFirstDelivery(days.kept());
    Map<Long, Long> duplicates = new TreeMap<>();
    for (Play p : dedup.dropped()) {
      duplicates.merge((long) p.getArrivalDay(), 1L, Long::sum);
    }
    List<Play> plays = dedup.kept();
    plays.sort(SessionCutter.PLAY_ORDER);
    List<Session> cut = SessionCutter.cut(plays, rules);
    List<Session> sessions = new ArrayList<>();
    for (Session s : cut) {
      long day = dayOf(s);
      if (day >= firstDay && day <= lastDay) {
        sessions.add(s);
      }
    }
    List<Activity> activity = new ArrayList<>();
    if (!activityDays.isEmpty()) {
      for (Activity a : DailyActivity.of(plays, activityDays.first(), activityDays.last(), levels)) {
        if (activityDays.contains(a.getActivityDate().toEpochDay())) {
          activity.add(a);
        }
      }
    }
    return new Result(sessions, activity, days.hot(), duplicates, cut.size());
  }
}
