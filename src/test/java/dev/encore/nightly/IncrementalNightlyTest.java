package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.publish.Publisher;
import dev.encore.testing.DuckDb;
import dev.encore.testing.PublishedRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A night computed from the kept daily activity equals the same night computed from the raw logs alone: run
 * 2024-03-29 then 2024-03-30 on one output root, and 2024-03-30 alone on an empty one; every partition the lone
 * run published must hold exactly the same rows in both.
 */
class IncrementalNightlyTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir Path tmp;

  @Test
  void nightFromHistoryEqualsNightFromRawLogs() throws Exception {
    Path incremental = tmp.resolve("incremental");
    Path scratch = tmp.resolve("scratch");
    NightlyEndToEnd.nightly(LOGS, incremental, LocalDate.parse("2024-03-29"));
    NightlyEndToEnd.nightly(LOGS, incremental, LocalDate.parse("2024-03-30"));
    NightlyEndToEnd.nightly(LOGS, scratch, LocalDate.parse("2024-03-30"));

    // The second incremental run read old activity back instead of re-reading 90 days of logs.
    var meta = Publisher.readMetadata(incremental.resolve("user_rewards/dt=2024-03-26"));
    assertThat(((Number) meta.get("activity_reused_days")).intValue(), greaterThan(60));
    assertThat(((List<?>) meta.get("input_partitions")).size(), equalTo(7));

    int compared = 0;
    for (String dataset : PublishedRows.DATASETS) {
      List<Path> partitions;
      try (Stream<Path> s = Files.list(scratch.resolve(dataset))) {
        partitions = s.sorted().toList();
      }
      for (Path p : partitions) {
        String a = "read_parquet('" + incremental.resolve(dataset).resolve(p.getFileName()) + "/*.parquet')";
        String b = "read_parquet('" + p + "/*.parquet')";
        String where = dataset + "/" + p.getFileName();
        assertThat(where, DuckDb.queryLong("SELECT count(*) FROM " + a), equalTo(
            DuckDb.queryLong("SELECT count(*) FROM " + b)));
        assertThat(where, DuckDb.queryLong(
            "SELECT count(*) FROM (SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b + ")"), equalTo(0L));
        compared++;
      }
    }
    assertThat(compared, greaterThan(100));
  }
}
