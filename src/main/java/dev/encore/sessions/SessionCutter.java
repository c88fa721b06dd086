package dev.encore.sessions;

import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import com.google.common.hash.Hashing;

/**
 * Cuts one user's plays into sessions, exactly as SPEC.md says: plays ordered by (start, end, event_id); a play
 * opens a new session when it starts more than the gap after the latest end seen so far in the session, or when it
 * ends more than the cap after the session's start. No cut at midnight.
 */
public final class SessionCutter {
  /** The order SPEC.md gives to a user's plays. */
  public static final Comparator<Play> PLAY_ORDER =
      Comparator.comparingLong(Play::getStartMs)
          .thenComparingLong(Play::getEndMs)
          .thenComparing(Play::getEventId);

  private SessionCutter() {}

  /** Sessions of one user's deduplicated plays, in start order. The input list is sorted in place. */
  public static List<Session> cut(List<Play> plays, SessionRules rules) {
    plays.sort(PLAY_ORDER);
    List<Session> sessions = new ArrayList<>();
    int from = 0;
    while (from < plays.size()) {
      long start = plays.get(from).getStartMs();
      long latestEnd = plays.get(from).getEndMs();
      int to = from + 1;
      while (to < plays.size()) {
        Play next = plays.get(to);
        if (next.getStartMs() > latestEnd + rules.gapMs()
            || next.getEndMs() > start + rules.maxSessionMs()) {
          break;
        }
        latestEnd = Math.max(latestEnd, next.getEndMs());
        to++;
      }
      sessions.add(summarize(plays.subList(from, to)));
      from = to;
    }
    return sessions;
  }

  /** The session row of a run of plays that form one session, ordered as {@link #PLAY_ORDER}. */
  static Session summarize(List<Play> plays) {
    Play first = plays.get(0);
    long end = Long.MIN_VALUE;
    int streams = 0;
    int skips = 0;
    int episodes = 0;
    long msPlayed = 0;
    Set<String> items = new HashSet<>();
    for (Play p : plays) {
      end = Math.max(end, p.getEndMs());
      streams += p.getQualifying() ? 1 : 0;
      skips += p.getSkip() ? 1 : 0;
      episodes += p.getEpisode() ? 1 : 0;
      msPlayed += p.getMsPlayed();
      items.add(p.getItemId());
    }
    return Session.newBuilder()
        .setUserId(first.getUserId())
        .setSessionId(sessionId(first.getUserId(), first.getStartMs(), first.getEventId()))
        .setSessionStart(Instant.ofEpochMilli(first.getStartMs()))
        .setSessionEnd(Instant.ofEpochMilli(end))
        .setPlays(plays.size())
        .setStreams(streams)
        .setSkips(skips)
        .setMsPlayed(msPlayed)
        .setDistinctItems(items.size())
        .setTracks(plays.size() - episodes)
        .setEpisodes(episodes)
        .build();
  }

  /** 16 hex digits of SHA-256 over the user, the start and the first play's event id: stable across runs. */
  public static String sessionId(String userId, long startMs, String firstEventId) {
    return Hashing.sha256()
        .newHasher()
        .putString(userId, StandardCharsets.UTF_8)
        .putByte((byte) 0)
        .putLong(startMs)
        .putString(firstEventId, StandardCharsets.UTF_8)
        .hash()
        .toString()
        .substring(0, 16);
  }
}
