package dev.encore.generate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes one listener's logs follow the retention model of {@link Retention}, day by day (UTC), after the day's
 * sessions are planned and their delivery decided, before they are written.
 *
 * <p>Only plays the pipelines will count matter (fate {@link Delivery#COUNTS}: not private, not broken, not
 * too late), and only qualifying ones (≥ 30 s of a track, ≥ 60 s of an episode). For each day d:
 *
 * <ol>
 *   <li>A counted qualifying play of an entity e discovered on D with d − D in 1 … 59 whose schedule says "not
 *       active on d" is taken away from e: a track becomes a track of another artist (one not barred that day),
 *       or a skip under 30 s if none is found; an episode becomes a sample under 60 s.
 *   <li>For every e whose schedule says "active on d" and that has no counted qualifying play on d, one is
 *       made: a counted qualifying play of the same kind whose entity has no schedule running becomes a play
 *       of e; if there is none, a short return visit to e (a new session that always counts) is placed in a
 *       free part of the listener's awake hours on d. Its plays are paid back from the listener's next days
 *       ({@link #payDebt}).
 *   <li>Discoveries of the day are found on the final plays: a counted qualifying play of e with none in the
 *       60 days before. When the lookback lies inside the generated range (d − 60 ≥ first day), the discovery is
 *       lookback-complete for the pipelines, and its schedule is drawn: adopt with π_e, then each day k with
 *       s(k). Earlier "discoveries" (favourites already known when the range starts) keep their natural
 *       behaviour; the pipelines flag them lookback_complete = false.
 * </ol>
 *
 * Changes never move a play's end (ts), so its day and its delivery stay as decided: a shorter play simply
 * started later. Every lookback-complete discovery in the written logs is therefore one of this class's
 * schedules, and its trace is the schedule, exactly.
 */
final class Returns {
  private static final long MIN_SESSION_GAP_MS = 31 * Listener.MINUTE;
  private static final int REPLACEMENT_TRIES = 20;

  /** Per (level, entity) of this listener: last day with a counted qualifying play, and the running schedule. */
  private static final class State {
    final int level;
    final int entity;
    long lastDay = Long.MIN_VALUE;
    long start = Long.MIN_VALUE;
    boolean[] schedule;

    State(int level, int entity) {
      this.level = level;
      this.entity = entity;
    }

    /** True or false when d is in the schedule's days D+1 … D+59, else null. */
    Boolean on(long day) {
      long k = day - start;
      return schedule != null && k >= 1 && k <= Retention.TRACE ? schedule[(int) k - 1] : null;
    }
  }

  private final GeneratorConfig config;
  private final Catalog catalog;
  private final Listener listener;
  private final Taste taste;
  private final SessionBuilder builder;
  private final Delivery delivery;
  private final Rng rng;
  private final Truth truth;
  private final long firstDay;
  private final long rangeStartMs;
  private final long rangeEndMs;
  @SuppressWarnings("unchecked")
  private final Map<Integer, State>[] states = new Map[] {new HashMap<>(), new HashMap<>()};
  /** Schedules that may still be running, in the order they started. */
  private final List<State> running = new ArrayList<>();
  /** End of the latest session already written (it is no longer in the buffer). */
  private long lastWrittenEnd = Long.MIN_VALUE;
  /** Plays of return visits not yet taken off the listener's later days. */
  private int debt;

  Returns(GeneratorConfig config, Catalog catalog, Listener listener, Taste taste, SessionBuilder builder,
      Delivery delivery, Rng rng, Truth truth) {
    this.config = config;
    this.catalog = catalog;
    this.listener = listener;
    this.taste = taste;
    this.builder = builder;
    this.delivery = delivery;
    this.rng = rng;
    this.truth = truth;
    this.firstDay = config.firstEpochDay();
    this.rangeStartMs = config.rangeStartMs();
    this.rangeEndMs = rangeStartMs + config.days() * Listener.DAY;
  }

  /** The plays of a planned period, less what return visits still owe. */
  int payDebt(int plays) {
    int pay = Math.min(debt, plays);
    debt -= pay;
    return plays - pay;
  }

  /** Plays of return visits that no later day could pay back (they come on top of --plays). */
  int unpaid() {
    return debt;
  }

  void written(Session session) {
    lastWrittenEnd = Math.max(lastWrittenEnd, session.endMs());
  }

  private State state(int level, int entity) {
    return states[level].computeIfAbsent(entity, e -> new State(level, e));
  }

  private Boolean on(int level, int entity, long day) {
    State s = states[level].get(entity);
    return s == null ? null : s.on(day);
  }

  private static int level(PlayDraft p) {
    return p.episode ? Retention.SHOW : Retention.ARTIST;
  }

  private static int entity(PlayDraft p) {
    return p.episode ? p.show : p.artist;
  }

  private static boolean counted(PlayDraft p) {
    return p.fate == Delivery.COUNTS && p.qualifying();
  }

  /**
   * Applies the model to day {@code day} (epoch day). Every session with a play on that day must be in
   * {@code buffer}, planned and prepared; return visits are added to it.
   */
  void enforce(long day, List<Session> buffer) {
    List<PlayDraft> plays = new ArrayList<>();
    for (Session s : buffer) {
      for (PlayDraft p : s.plays) {
        if (p.day() == day) {
          plays.add(p);
        }
      }
    }
    running.removeIf(s -> day - s.start > Retention.TRACE);

    // 1. Plays on days the schedule says no.
    for (PlayDraft p : plays) {
      if (counted(p) && Boolean.FALSE.equals(on(level(p), entity(p), day))) {
        takeAway(p, day);
      }
    }

    // 2. Days the schedule says yes.
    Set<PlayDraft> converted = new HashSet<>();
    for (State s : running) {
      if (!Boolean.TRUE.equals(s.on(day)) || has(plays, s, day)) {
        continue;
      }
      PlayDraft from = convertible(plays, s.level, day, converted);
      if (from != null) {
        convert(from, s.level, s.entity);
        converted.add(from);
        continue;
      }
      Session visit = builder.returnVisit(s.level == Retention.SHOW, s.entity, 1 + rng.geometric(0.55));
      if (!placeShrinking(visit, day, buffer)) {
        // Not seen in practice (a day with no convertible play has hours of room); counted, and tests require none.
        truth.missedReturns++;
        continue;
      }
      delivery.prepare(visit);
      buffer.add(visit);
      plays.addAll(visit.plays);
      debt += visit.plays.size();
      truth.returnPlays += visit.plays.size();
    }

    // 3. The day's discoveries, on the final plays.
    plays.sort(Comparator.comparingLong(p -> p.endMs));
    for (PlayDraft p : plays) {
      if (!counted(p)) {
        continue;
      }
      State s = state(level(p), entity(p));
      if (s.lastDay < day - Retention.LOOKBACK && day - Retention.LOOKBACK >= firstDay) {
        s.start = day;
        s.schedule = Retention.schedule(truth.propensity(s.level, s.entity), rng);
        running.add(s);
        truth.discovered(s.level, s.entity);
      }
      s.lastDay = day;
    }
  }

  private static boolean has(List<PlayDraft> plays, State s, long day) {
    for (PlayDraft p : plays) {
      if (counted(p) && level(p) == s.level && entity(p) == s.entity) {
        return true;
      }
    }
    return false;
  }

  /** A counted qualifying play of the day, of the level's kind, whose entity has no schedule running. */
  private PlayDraft convertible(List<PlayDraft> plays, int level, long day, Set<PlayDraft> converted) {
    List<PlayDraft> candidates = new ArrayList<>();
    for (PlayDraft p : plays) {
      if (counted(p) && level(p) == level && !converted.contains(p) && on(level, entity(p), day) == null) {
        candidates.add(p);
      }
    }
    return candidates.isEmpty() ? null : candidates.get(rng.nextInt(candidates.size()));
  }

  /** Another artist's track (one not barred today), or a short skip; an episode becomes a sample. */
  private void takeAway(PlayDraft p, long day) {
    if (!p.episode) {
      for (int t = 0; t < REPLACEMENT_TRIES; t++) {
        int other = t % 2 == 0 ? taste.libraryArtist(rng) : taste.genreArtist(rng);
        if (other != p.artist && !Boolean.FALSE.equals(on(Retention.ARTIST, other, day))) {
          convert(p, Retention.ARTIST, other);
          return;
        }
      }
    }
    long ms = p.episode ? (long) rng.uniform(0, 59_000) : (long) rng.uniform(200, 29_000);
    p.msPlayed = Math.min(p.msPlayed, ms);
    p.startMs = p.endMs - p.msPlayed;
    p.reasonEnd = "fwdbtn";
    if (p.skipped != null) {
      p.skipped = true;
    }
  }

  /** Makes p a play of the entity, keeping its end (and so its day); it stays qualifying if it was. */
  private void convert(PlayDraft p, int level, int entity) {
    if (level == Retention.SHOW) {
      p.show = entity;
      p.episodeNumber = Math.max(0, catalog.episodeCount(entity) - 1 - rng.nextInt(8));
      p.durationMs = catalog.episodeDurationMs(p.show, p.episodeNumber);
    } else {
      p.artist = entity;
      p.album = catalog.popularAlbum(entity, rng);
      p.track = catalog.popularTrack(p.album, rng);
      p.durationMs = catalog.trackDurationMs(p.track);
    }
    if (p.msPlayed > p.durationMs) {
      p.msPlayed = p.durationMs;
    }
    if (p.msPlayed < p.durationMs && "trackdone".equals(p.reasonEnd)) {
      p.reasonEnd = "endplay";
    }
    p.startMs = p.endMs - p.msPlayed;
  }

  /**
   * Places the visit, or failing that (a day nearly full) its first play alone, then that play cut short to just
   * over the threshold (an episode heard for a minute or two), then the same next to another session.
   */
  private boolean placeShrinking(Session visit, long day, List<Session> buffer) {
    if (place(visit, day, buffer, MIN_SESSION_GAP_MS)) {
      return true;
    }
    visit.plays.subList(1, visit.plays.size()).clear();
    if (place(visit, day, buffer, MIN_SESSION_GAP_MS)) {
      return true;
    }
    PlayDraft p = visit.plays.get(0);
    p.msPlayed = (p.episode ? 60_000 : 30_000) + (long) rng.uniform(1_000, 60_000);
    p.reasonEnd = "endplay";
    return place(visit, day, buffer, MIN_SESSION_GAP_MS) || place(visit, day, buffer, 1_000);
  }

  /**
   * Places the visit at a random free time of the day inside the listener's awake windows, more than 30 minutes
   * from every other session by more than gap; returns false when there is no such room.
   */
  private boolean place(Session visit, long day, List<Session> buffer, long gap) {
    long duration = visit.durationMs();
    long dayStart = day * Listener.DAY;
    long dayEnd = dayStart + Listener.DAY - 1;
    List<long[]> busy = new ArrayList<>();
    for (Session s : buffer) {
      busy.add(new long[] {s.plays.get(0).startMs - gap, s.endMs() + gap});
    }
    if (lastWrittenEnd != Long.MIN_VALUE) {
      busy.add(new long[] {Long.MIN_VALUE, lastWrittenEnd + gap});
    }
    List<long[]> free = new ArrayList<>();
    int k = (int) (day - firstDay);
    for (int period = k - 1; period <= k; period++) {
      long a = Math.max(Math.max(listener.windowStart(rangeStartMs, period), rangeStartMs), dayStart);
      long b = Math.min(Math.min(listener.windowEnd(rangeStartMs, period), rangeEndMs) - 1, dayEnd);
      subtract(free, a, b, busy);
    }
    long room = 0;
    for (long[] f : free) {
      room += Math.max(0, f[1] - f[0] - duration);
    }
    if (room <= 0) {
      return false;
    }
    long x = (long) (rng.nextDouble() * room);
    for (long[] f : free) {
      long r = Math.max(0, f[1] - f[0] - duration);
      if (x < r) {
        visit.placeAt(f[0] + x);
        return true;
      }
      x -= r;
    }
    return false;
  }

  /** Adds [a, b] minus the busy intervals to free. */
  private static void subtract(List<long[]> free, long a, long b, List<long[]> busy) {
    List<long[]> parts = new ArrayList<>();
    if (a < b) {
      parts.add(new long[] {a, b});
    }
    for (long[] x : busy) {
      List<long[]> next = new ArrayList<>();
      for (long[] p : parts) {
        if (x[1] <= p[0] || x[0] >= p[1]) {
          next.add(p);
          continue;
        }
        if (x[0] > p[0]) {
          next.add(new long[] {p[0], x[0]});
        }
        if (x[1] < p[1]) {
          next.add(new long[] {x[1], p[1]});
        }
      }
      parts = next;
    }
    free.addAll(parts);
  }
}
