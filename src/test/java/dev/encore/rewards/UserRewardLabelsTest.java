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
}
