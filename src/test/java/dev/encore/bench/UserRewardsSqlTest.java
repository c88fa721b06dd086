package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.config.JobDefinition;
import dev.encore.rewards.RewardSpec;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserRewardsSqlTest {
  static final LocalDate F = LocalDate.parse("2024-01-01");
  static final LocalDate T = LocalDate.parse("2024-01-10");

  @Test
  void theFirstInputDayAndDaysWithinTheLatenessAreNotFinalSoTheirPartitionsAreWithheld() {
    // Complete input: the final days are F + 1 .. T - L.
    assertThat(UserRewardsSql.finalAnchors(F, T, 3,
            List.of(F, F.plusDays(1), T.minusDays(3), T.minusDays(2))),
        equalTo(List.of(F.plusDays(1), T.minusDays(3))));
  }

  @Test
  void aRunWithoutAFinalAnchorIsRefused() {
    RewardSpec spec = RewardSpec.of(JobDefinition.builtIn());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> UserRewardsSql.query("plays", spec, 30000, 60000, F, F.plusDays(4), List.of(F)));
    assertThat(e.getMessage(), containsString("no final anchor"));
  }
}
