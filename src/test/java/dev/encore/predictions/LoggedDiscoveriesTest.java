package dev.encore.predictions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.testing.RewardsOracle;
import dev.encore.testing.RewardsOracle.Definition;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link LoggedDiscoveries} (streaming Java, used by the accuracy test on millions of plays) against {@link
 * RewardsOracle} (DuckDB SQL from docs/rewards.md) on the committed sample: the same lookback-complete discoveries
 * with the same kind, days_final and trace, for every discovery day the oracle publishes at two run dates.
 */
class LoggedDiscoveriesTest {
  private static final Path LOGS = Path.of("testdata", "logs");
  private static final LocalDate LAST = LocalDate.parse("2024-05-29");

  @Test
  void everyLookbackCompleteDiscoveryMatchesTheOracle() {
    // Publication ages 3 … 62 (and M = 63): one run publishes 61 consecutive discovery days, days_final 0 … 59.
    Definition everyAge = Definition.defaults().withCheckpoints(IntStream.range(3, 63).boxed().toArray(Integer[]::new));
    try (RewardsOracle oracle = RewardsOracle.load(LOGS, everyAge)) {
      // T covers D = T − 63 … T − 3; T − 61 covers D = T − 124 … T − 64: together the whole fit window of T.
      for (LocalDate asOf : List.of(LAST, LAST.minusDays(61))) {
        Set<LocalDate> anchors = new TreeSet<>(oracle.publishedAnchors(asOf));
        Set<String> expected = new TreeSet<>();
        for (Map<String, Object> row : oracle.userEntityRewards(asOf)) {
          if (Boolean.TRUE.equals(row.get("lookback_complete"))) {
            expected.add(render(row));
          }
        }
        Set<String> actual = new TreeSet<>();
        LoggedDiscoveries found = new LoggedDiscoveries(LOGS, 3, asOf);
        for (LoggedDiscoveries.Discovery d : found.all) {
          if (d.lookbackComplete() && anchors.contains(LocalDate.ofEpochDay(d.day()))) {
            actual.add(render(d));
          }
        }
        assertThat("lookback-complete discoveries published by run " + asOf, expected.size(), greaterThan(300));
        assertThat("as of " + asOf, actual, equalTo(expected));
      }
    }
  }

  private static String render(Map<String, Object> row) {
    StringBuilder trace = new StringBuilder();
    for (Object x : (List<?>) row.get("trace")) {
      trace.append(x == null ? "." : Boolean.TRUE.equals(x) ? "1" : "0");
    }
    return String.join("|", row.get("user_id").toString(), row.get("entity_level").toString(),
        row.get("entity_id").toString(), row.get("discovery_date").toString(), row.get("discovery_kind").toString(),
        row.get("days_final").toString(), trace);
  }

  private static String render(LoggedDiscoveries.Discovery d) {
    StringBuilder trace = new StringBuilder();
    for (int j = 1; j <= LoggedDiscoveries.TRACE; j++) {
      trace.append(j > d.daysFinal() ? "." : d.trace().get(j - 1) ? "1" : "0");
    }
    return String.join("|", d.user(), d.level(), d.entity(), LocalDate.ofEpochDay(d.day()).toString(),
        d.newToEntity() ? "new_to_entity" : "new_user", String.valueOf(d.daysFinal()), trace);
  }
}
