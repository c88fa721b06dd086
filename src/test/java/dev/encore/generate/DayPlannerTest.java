package dev.encore.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The day layout is what keeps every listener's sleep free of plays, so it is checked at its limits. */
class DayPlannerTest {
  private static final long START = 1_704_067_200_000L; // 2024-01-01T00:00Z

  @Test
  void fullDaysStayInsideTheAwakeWindowWithRealGapsBetweenSessions() {
    Catalog catalog = new Catalog(1, 50);
    for (int user = 0; user < 40; user++) {
      Listener listener = Listener.create(1, user, user == 0, 10);
      Rng rng = Rng.of(1, 9, user);
      Taste taste = new Taste(catalog, listener, rng);
      DayPlanner planner = new DayPlanner(listener, new SessionBuilder(catalog, listener, taste, rng), rng);
      for (int k = 0; k < 10; k++) {
        long a = listener.windowStart(START, k);
        long b = listener.windowEnd(START, k) - 1;
        // Every day at the cap, the most a day can hold, and some small days.
        int n = k % 3 == 2 ? 1 + k : listener.playsPerDayCap();
        List<Session> sessions = planner.plan(n, a, b);
        int plays = 0;
        long previousEnd = Long.MIN_VALUE;
        for (Session session : sessions) {
          assertThat(session.startMs, greaterThanOrEqualTo(a));
          assertThat(session.endMs(), lessThanOrEqualTo(b));
          if (previousEnd != Long.MIN_VALUE) {
            assertThat("gap between sessions", session.startMs - previousEnd, greaterThan(30 * 60_000L));
          }
          long latestEnd = Long.MIN_VALUE;
          for (PlayDraft p : session.plays) {
            assertThat(p.endMs - p.startMs, equalTo(p.msPlayed));
            assertThat(p.msPlayed, lessThanOrEqualTo(p.durationMs));
            assertThat(p.msPlayed, greaterThanOrEqualTo(0L));
            if (latestEnd != Long.MIN_VALUE) {
              assertThat("inside a session plays follow within 30 minutes",
                  p.startMs - latestEnd, lessThanOrEqualTo(30 * 60_000L));
            }
            latestEnd = Math.max(latestEnd, p.endMs);
            plays++;
          }
          previousEnd = session.endMs();
        }
        assertThat(plays, equalTo(n));
        assertThat("the listener sleeps at least four hours", b - a, lessThanOrEqualTo(20 * 3_600_000L));
        taste.endOfDay();
      }
    }
  }
}
