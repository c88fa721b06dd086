package dev.encore.sessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.Activity;
import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sessions stage of one user as a plain function: what it keeps, drops and counts. */
class UserSessionsTest {
  private static final long DAY = 86_400_000L;
  private static final long MINUTE = 60_000L;

  private static Play play(String eventId, long start, int arrivalDay) {
    return Play.newBuilder(SessionCutterTest.play(eventId, start, start + MINUTE)).setArrivalDay(arrivalDay).build();
  }

  @Test
  void hotDaysDuplicatesSessionsAndActivityOfOneUser() {
    List<Play> plays = new ArrayList<>();
    // Day 1: two plays in one session, and a second delivery of the first that arrived a day later.
    plays.add(play("a", DAY, 1));
    plays.add(play("b", DAY + 5 * MINUTE, 1));
    plays.add(play("a", DAY, 2));
    // Day 2: two sessions, two hours apart.
    plays.add(play("c", 2 * DAY, 2));
    plays.add(play("d", 2 * DAY + 120 * MINUTE, 2));
    // Day 3: one play more than the limit of 3, left out whole.
    for (int i = 0; i < 4; i++) {
      plays.add(play("h" + i, 3 * DAY + i * MINUTE, 3));
    }
    // Sessions of days 2..3 are kept, the activity of day 1 is rebuilt.
    UserSessions stage = new UserSessions(SessionRules.DEFAULTS, LocalDate.ofEpochDay(2), LocalDate.ofEpochDay(3),
        Set.of(LocalDate.ofEpochDay(1)), List.of(), 3);

    UserSessions.Result r = stage.of(plays);

    assertThat(r.hotDays(), equalTo(Map.of(3L, 4L)));
    assertThat(r.duplicates(), equalTo(Map.of(2L, 1L)));
    assertThat(r.sessionsCut(), equalTo(3));
    assertThat(r.sessions().stream().map(UserSessions::dayOf).toList(), equalTo(List.of(2L, 2L)));
    assertThat(r.sessions().stream().map(Session::getPlays).toList(), equalTo(List.of(1, 1)));
    assertThat(r.activity().size(), equalTo(1));
    Activity day1 = r.activity().get(0);
    assertThat(day1.getActivityDate(), equalTo(LocalDate.ofEpochDay(1)));
    assertThat(day1.getStreams(), equalTo(2));
  }

  @Test
  void theOrderThePlaysComeInDoesNotMatter() {
    List<Play> plays = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      plays.add(play("e" + i, DAY + i * 7 * MINUTE, 1 + i % 2));
    }
    plays.add(play("e3", DAY + 21 * MINUTE, 5));
    UserSessions stage = new UserSessions(SessionRules.DEFAULTS, LocalDate.ofEpochDay(1), LocalDate.ofEpochDay(1),
        Set.of(LocalDate.ofEpochDay(1)), List.of(), 100);
    UserSessions.Result forward = stage.of(plays);
    List<Play> reversed = new ArrayList<>(plays);
    Collections.reverse(reversed);
    UserSessions.Result backward = stage.of(reversed);
    assertThat(backward.sessions(), equalTo(forward.sessions()));
    assertThat(backward.activity(), equalTo(forward.activity()));
    assertThat(backward.duplicates(), equalTo(Map.of(5L, 1L)));
  }
}
