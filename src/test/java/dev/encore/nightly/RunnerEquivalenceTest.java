package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.publish.OutputRoot;
import dev.encore.testing.PublishedRows;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Determinism does not depend on the runner, the parallelism or bundle order: the DirectRunner, the embedded
 * Flink runner at parallelism 1 and 2 and the Spark runner in local mode with two threads publish exactly the same
 * rows in every dataset. (Spark once reported success while losing plays with session windows: a runner is
 * trusted only after this comparison.)
 */
class RunnerEquivalenceTest {
  static final LocalDate T = LocalDate.parse("2024-03-30");

  @TempDir Path tmp;

  @Test
  void directFlinkAtParallelism1And2AndSparkPublishTheSameRows() throws Exception {
    // The last two weeks of the sample keep the DirectRunner quick.
    Path logs = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs"));
    try (Stream<Path> dirs = Files.list(logs)) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("dt=")
          && d.getFileName().toString().compareTo("dt=" + T.minusDays(13)) < 0).toList()) {
        dev.encore.store.StoreFiles.deleteTree(d.toString());
      }
    }
    Path direct = tmp.resolve("direct");
    Path flink1 = tmp.resolve("flink1");
    Path flink2 = tmp.resolve("flink2");
    Path spark = tmp.resolve("spark");
    // The DirectRunner with its checks that no stage mutates or fails to encode an element (off by default).
    NightlyEndToEnd.nightly(
        logs, direct, T, "--runner=DirectRunner", "--enforceImmutability=true", "--enforceEncodability=true");
    NightlyEndToEnd.nightly(logs, flink1, T, "--runner=FlinkRunner", "--parallelism=1");
    NightlyEndToEnd.nightly(logs, flink2, T, "--runner=FlinkRunner", "--parallelism=2");
    Runs.Cli sparkRun = NightlyEndToEnd.nightly(logs, spark, T, "--runner=SparkRunner", "--sparkMaster=local[2]");
    assertThat(sparkRun.out(), containsString("on SparkRunner"));
    for (String dataset : PublishedRows.DATASETS) {
      if (!dataset.equals("entity_rewards")) {
        assertThat(dataset, PublishedRows.count(direct, dataset), greaterThan(0L));
      }
    }
    PublishedRows.assertSame(direct, flink1);
    PublishedRows.assertSame(direct, flink2);
    PublishedRows.assertSame(direct, spark);
  }
}
