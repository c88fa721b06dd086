package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late delivery moves the chosen plays 1–3 days later and nothing else: the same plays are accepted (none becomes
 * too late), each arrives at most L days after its day, and the same logs give the same partitions.
 */
class LateDeliveryTest {
  static final LocalDate FROM = LocalDate.parse("2020-09-01");
  static final LocalDate TO = LocalDate.parse("2020-09-30");

  @TempDir Path tmp;

  @Test
  void tenPercentOfTheSpotifySliceArriveOneToThreeDaysLate() throws Exception {
    Path logs = tmp.resolve("logs");
    SpotifyHistory.convert(logs, SpotifyHistory.firstUsers(20), FROM, TO);
    List<SpecOracle.OraclePlay> before = SpecOracle.acceptedPlays(logs, TO);

    LateDelivery.Result result = LateDelivery.apply(logs, 0.10, 3);
    assertThat(result.toString(), result.movedShare(), allOf(greaterThan(0.085), lessThan(0.115)));
    assertThat(result.movedByDelay().keySet(), equalTo(java.util.Set.of(1, 2, 3)));

    List<SpecOracle.OraclePlay> after = SpecOracle.acceptedPlays(logs, TO);
    // The same plays (by event id and content), now some with a later arrival day within the lateness.
    assertThat(after.size(), equalTo(before.size()));
    Map<String, SpecOracle.OraclePlay> byId =
        after.stream().collect(Collectors.toMap(SpecOracle.OraclePlay::eventId, p -> p));
    Map<Long, Long> lateness = new TreeMap<>();
    for (SpecOracle.OraclePlay p : before) {
      SpecOracle.OraclePlay q = byId.get(p.eventId());
      assertThat(q.ts(), equalTo(p.ts()));
      long late = ChronoUnit.DAYS.between(q.day(), q.arrival());
      lateness.merge(late, 1L, Long::sum);
      boolean chosen = LateDelivery.chosen(p.eventId(), 0.10);
      long expected = chosen ? Math.min(LateDelivery.delayDays(p.eventId()),
          ChronoUnit.DAYS.between(p.arrival(), TO)) : 0;
      assertThat(p.eventId(), ChronoUnit.DAYS.between(p.arrival(), q.arrival()), equalTo(expected));
    }
    assertThat(lateness.toString(), lateness.keySet(), equalTo(java.util.Set.of(0L, 1L, 2L, 3L)));

    // Deterministic: a second conversion and delivery put the same plays in the same partitions (Avro's sync
    // markers are random, so the files themselves differ).
    Path again = tmp.resolve("again");
    SpotifyHistory.convert(again, SpotifyHistory.firstUsers(20), FROM, TO);
    assertThat(LateDelivery.apply(again, 0.10, 3), equalTo(result));
    assertThat(SpecOracle.acceptedPlays(again, TO), equalTo(after));
  }
}
