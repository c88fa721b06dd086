package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.testing.DuckDb;
import dev.encore.testing.Runs;
import dev.encore.testing.SpecOracle;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Shared steps of the end-to-end tests: run the real command, read the output with DuckDB, ask the oracle. */
final class NightlyEndToEnd {
  private NightlyEndToEnd() {}


  /** Runs nightly for {@code date} and fails with its error output if it does not succeed. */
  static Runs.Cli nightly(Path logs, Path out, LocalDate date, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "nightly", "--date=" + date, "--logs=" + logs, "--output=" + out));
    args.addAll(List.of(extra));
    Runs.Cli run = Runs.encore(args.toArray(String[]::new));
    assertThat(run.err() + run.out(), run.code(), equalTo(0));
    return run;
  }

  /** One session as a comparable line: every published column but the id. */
  static String line(String user, LocalDate dt, long start, long end, long plays, long streams, long skips,
      long msPlayed, long distinctItems, long tracks, long episodes) {
    return String.join("|", user, dt.toString(), Long.toString(start), Long.toString(end), Long.toString(plays),
        Long.toString(streams), Long.toString(skips), Long.toString(msPlayed), Long.toString(distinctItems),
        Long.toString(tracks), Long.toString(episodes));
  }

  /** The oracle's sessions as lines. */
  static Set<String> expectedSessions(SpecOracle.Result oracle) {
    Set<String> lines = new TreeSet<>();
    for (SpecOracle.OracleSession s : oracle.sessions()) {
      lines.add(line(s.userId(), s.day(), s.sessionStart(), s.sessionEnd(), s.plays(), s.streams(), s.skips(),
          s.msPlayed(), s.distinctItems(), s.tracks(), s.episodes()));
    }
    return lines;
  }

  /** The published sessions, read back with DuckDB, as lines. */
  static Set<String> publishedSessions(Path out) throws Exception {
    Set<String> lines = new TreeSet<>();
    for (List<Object> r : DuckDb.query(
        "SELECT user_id, dt, epoch_ms(session_start), epoch_ms(session_end), plays, streams, skips, ms_played,"
            + " distinct_items, tracks, episodes FROM " + DuckDb.readDataset(out, "sessions"))) {
      lines.add(line((String) r.get(0), LocalDate.parse(r.get(1).toString()), num(r.get(2)), num(r.get(3)),
          num(r.get(4)), num(r.get(5)), num(r.get(6)), num(r.get(7)), num(r.get(8)), num(r.get(9)),
          num(r.get(10))));
    }
    return lines;
  }

  /** Session ids are unique across the published sessions. */
  static boolean sessionIdsUnique(Path out) throws Exception {
    List<List<Object>> ids = DuckDb.query("SELECT session_id FROM " + DuckDb.readDataset(out, "sessions"));
    Set<Object> distinct = new HashSet<>();
    ids.forEach(r -> distinct.add(r.get(0)));
    return distinct.size() == ids.size();
  }

  static long num(Object o) {
    return ((Number) o).longValue();
  }
}
