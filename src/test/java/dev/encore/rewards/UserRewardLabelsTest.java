package dev.encore.rewards;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.Activity;
import dev.encore.config.JobDefinition;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reward labels of one user as a plain function: which rows, in which order, which entity shares. */
class UserRewardLabelsTest {
  static final RewardSpec SPEC = RewardSpec.of(JobDefinition.builtIn());
  static final long T = 103;

  private static Activity row(String level, String entity, long day) {
    return Activity.newBuilder()
        .setUserId("u")
        .setEntityLevel(level)
        .setEntityId(entity)
        .setActivityDate(LocalDate.ofEpochDay(day))
        .setStreams(1)
        .setStreamMs(60_000)
        .setFirstStartMs(day * 86_400_000L)
        .setFirstItemId("item")
        .setFirstContextType("playlist")
        .setFirstReasonStart("clickrow")
        .build();
  }

  @Test
  void rowsOfThePublishedAnchorsAndDiscoveriesInKeyOrderAndSharesOnlyWithACompleteLookback() {
    // Logs from day 0; anchors 40 and 99. Artist b is discovered on 40 (lookback 60 days not observed), a on 99
    // (its lookback 39..98 is final: day 0 is not, as no arrival day precedes it).
    List<Activity> activity = new ArrayList<>(List.of(
        row(DailyActivity.USER_LEVEL, null, 40), row(DailyActivity.USER_LEVEL, null, 41),
        row(DailyActivity.USER_LEVEL, null, 99), row("artist", "b", 40), row("artist", "a", 99)));
    UserRewardLabels labels = new UserRewardLabels(SPEC, Finality.completeFrom(0, T, 3), List.of(40L, 99L));

    UserRewardLabels.Labels l = labels.of("u", activity);

    assertThat(l.userRewards().stream().map(UserRewardLabels.DayRow::day).toList(), equalTo(List.of(40L, 99L)));
    assertThat(l.userRewards().get(0).row().get("user_id"), equalTo("u"));
    assertThat(l.discoveries().stream().map(r -> r.row().get("entity_id") + "@" + r.day()).toList(),
        equalTo(List.of("a@99", "b@40")));
    assertThat(l.entityShares().size(), equalTo(1));
    UserRewardLabels.EntityShare share = l.entityShares().get(0);
    assertThat(List.of(share.level(), share.entityId(), share.day()), equalTo(List.of("artist", "a", 99L)));

    // Days after T are not observed yet: they change nothing.
    activity.add(row(DailyActivity.USER_LEVEL, null, T + 1));
    activity.add(row("artist", "a", T + 1));
    assertThat(labels.of("u", activity), equalTo(l));
  }

  @Test
  void aUserWithoutActivityOnAnAnchorHasNoRowForIt() {
    UserRewardLabels labels = new UserRewardLabels(SPEC, Finality.completeFrom(0, T, 3), List.of(40L));
    UserRewardLabels.Labels l = labels.of("u", List.of(row(DailyActivity.USER_LEVEL, null, 50)));
    assertThat(l.userRewards(), equalTo(List.of()));
    assertThat(l.discoveries(), equalTo(List.of()));
  }

  @Test
  void labelsAsOfSeveralDatesAreEachDatesLabelsAsOfItAlone() {
    // A user active on 40, 41, 45, 99, 101 (and 110, after every date); artist a from 41, b on 99 and 101.
    List<Activity> activity = new ArrayList<>();
    for (long d : new long[] {40, 41, 45, 99, 101, 110}) {
      activity.add(row(DailyActivity.USER_LEVEL, null, d));
    }
    activity.addAll(List.of(row("artist", "a", 41), row("artist", "a", 45), row("artist", "b", 99),
        row("artist", "b", 101), row("artist", "b", 110)));
    // Day 100 labels anchor 40 and traces 90..100; day 104 labels anchors 41 and 99 and traces 95..104.
    AsOf early = new AsOf(Finality.completeFrom(0, 100, 3), List.of(40L), 90, 100);
    AsOf late = new AsOf(Finality.completeFrom(0, 104, 3), List.of(41L, 99L), 95, 104);

    UserRewardLabels.Labels both = new UserRewardLabels(SPEC, List.of(early, late)).of("u", activity);
    UserRewardLabels.Labels a = new UserRewardLabels(SPEC, early.finality(), early.anchors(), 90, 100)
        .of("u", activity);
    UserRewardLabels.Labels b = new UserRewardLabels(SPEC, late.finality(), late.anchors(), 95, 104)
        .of("u", activity);

    assertThat(both.userRewards(), equalTo(concat(a.userRewards(), b.userRewards())));
    assertThat(both.discoveries(), equalTo(concat(a.discoveries(), b.discoveries())));
    assertThat(both.entityShares(), equalTo(concat(a.entityShares(), b.entityShares())));
    assertThat(both.traces(), equalTo(concat(a.traces(), b.traces())));
    // Each row as of its own date. b's discovery on 99 is not final as of 100 (99 + L > 100): no trace then; as
    // of 104 it is, with days 100 .. 101 final.
    assertThat(both.userRewards().stream().map(r -> r.row().get("as_of")).toList(), equalTo(List.of(100, 104, 104)));
    assertThat(both.traces().stream().map(t -> t.trace().entityId() + "@" + t.trace().day() + "/" + t.asOf())
        .toList(), equalTo(List.of("b@99/104")));
    assertThat(both.traces().get(0).trace().daysFinal(), equalTo(2));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
