package dev.encore.sessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.internal.Play;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HotDaysTest {
  private static final long DAY = 86_400_000L;

  @Test
  void aDayOverTheLimitIsLeftOutWholeAndCountedWithEveryDelivery() {
    HotDays days = new HotDays(3);
    List<Play> quiet = new ArrayList<>();
    // Day 0: exactly the limit (kept); day 1: one more than the limit (hot), a duplicate delivery among them.
    for (int i = 0; i < 3; i++) {
      Play p = SessionCutterTest.play("q" + i, i * 60_000L, i * 60_000L + 30_000);
      quiet.add(p);
      days.add(p);
    }
    for (int i = 0; i < 4; i++) {
      String event = i == 3 ? "h0" : "h" + i;
      days.add(SessionCutterTest.play(event, DAY + i * 60_000L, DAY + i * 60_000L + 30_000));
    }
    assertThat(days.kept(), equalTo(quiet));
    assertThat(days.hot(), equalTo(Map.of(1L, 4L)));
  }

  @Test
  void thePlayCountsTowardsTheDayItEnds() {
    HotDays days = new HotDays(1);
    // Starts on day 0, ends on day 1; with the second play ending on day 1 too, day 1 is hot and day 0 is empty.
    Play acrossMidnight = SessionCutterTest.play("a", DAY - 10_000, DAY + 20_000);
    Play next = SessionCutterTest.play("b", DAY + 60_000, DAY + 90_000);
    Play early = SessionCutterTest.play("c", 1_000, 40_000);
    days.add(acrossMidnight);
    days.add(next);
    days.add(early);
    assertThat(days.kept(), containsInAnyOrder(early));
    assertThat(days.hot(), equalTo(Map.of(1L, 2L)));
  }

  @Test
  void playsArrivingAfterADayTurnedHotAreCountedAndNotHeld() {
    HotDays days = new HotDays(2);
    for (int i = 0; i < 1000; i++) {
      days.add(SessionCutterTest.play("e" + i, i, i + 1));
    }
    assertThat(days.kept().size(), equalTo(0));
    assertThat(days.hot(), equalTo(Map.of(0L, 1000L)));
  }
}
