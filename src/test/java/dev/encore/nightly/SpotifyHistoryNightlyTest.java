package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.testing.Runs;
import dev.encore.testing.SpecOracle;
import dev.encore.testing.SpotifyHistory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real listening behaviour: a week of the public Spotify histories (all 102 people; about 30 listened that
 * week), converted to arrival partitions, through {@code nightly} on the default runner. Every published session
 * must equal the independent oracle's, column by column.
 */
class SpotifyHistoryNightlyTest {
  private static final LocalDate T = LocalDate.parse("2020-10-21");

  @TempDir Path tmp;

  @Test
  void sessionsOfRealHistoriesMatchTheOracle() throws Exception {
    Path logs = tmp.resolve("logs");
    Path out = tmp.resolve("out");
    SpotifyHistory.Conversion c =
        SpotifyHistory.convert(logs, SpotifyHistory.firstUsers(102), T.minusDays(6), T);
    assertThat(c.plays(), greaterThan(5_000L));

    Runs.Cli run = NightlyEndToEnd.nightly(logs, out, T);

    SpecOracle.Result oracle = SpecOracle.nightly(logs, T);
    Set<String> expected = NightlyEndToEnd.expectedSessions(oracle);
    assertThat(expected.size(), greaterThan(250)); // 318 sessions on the 4 published days
    assertThat(NightlyEndToEnd.publishedSessions(out), equalTo(expected));
    assertThat(NightlyEndToEnd.sessionIdsUnique(out), equalTo(true));
    assertThat(run.out(), org.hamcrest.Matchers.containsString(
        "records read: " + c.plays() + "; accepted " + oracle.totals().accepted()));
  }
}
