package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.config.JobDefinition;
import dev.encore.nightly.Outputs;
import dev.encore.rewards.RewardSpec;
import java.nio.file.Path;
import java.util.List;

/** The rows two output roots published, compared dataset by dataset with DuckDB as multisets of whole rows. */
public final class PublishedRows {
  /** Every dataset a nightly run publishes, from the output registry. */
  public static final List<String> DATASETS = Outputs.standard(RewardSpec.of(JobDefinition.builtIn())).names();

  private PublishedRows() {}

  /** The number of rows of a dataset under an output root (every partition). */
  public static long count(Path root, String dataset) {
    return DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(root, dataset));
  }

  /**
   * Asserts that {@code actual} published exactly the rows of {@code expected} in every dataset: the same count,
   * and no row of {@code expected} missing from {@code actual} (EXCEPT ALL, so duplicates count), which together
   * mean the same multiset of rows, {@code dt} included.
   */
  public static void assertSame(Path expected, Path actual) {
    for (String dataset : DATASETS) {
      String a = DuckDb.readDataset(expected, dataset);
      String b = DuckDb.readDataset(actual, dataset);
      String where = dataset + " " + actual.getFileName() + " vs " + expected.getFileName();
      assertThat(where, count(actual, dataset), equalTo(count(expected, dataset)));
      assertThat(where, DuckDb.queryLong(
          "SELECT count(*) FROM (SELECT * FROM " + a + " EXCEPT ALL SELECT * FROM " + b + ")"), equalTo(0L));
    }
  }
}
