package dev.encore.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed sample is what testdata/README.md says produced it: regenerating with that command gives the
 * same manifest, the same ground truth and the same records, file by file. When the generator changes on purpose, regenerate the
 * sample with the README's command and update the README's counts.
 */
class SampleTest {
  private static final Path SAMPLE = Path.of("testdata", "logs");

  @Test
  void theCommittedSampleIsReproducedByItsCommand(@TempDir Path tmp) throws IOException {
    Path again = tmp.resolve("logs");
    int code = GenerateCommand.run(new String[] {
      "--output=" + again, "--from=2024-01-01", "--days=150", "--users=200", "--plays=40000", "--seed=42",
      "--allowedLatenessDays=3", "--filesPerPartition=2"});
    assertThat(code, is(0));
    assertThat(Files.readString(again.resolve("_generator.json")),
        equalTo(Files.readString(SAMPLE.resolve("_generator.json"))));
    assertThat(Files.readString(again.resolve("_truth.json")),
        equalTo(Files.readString(SAMPLE.resolve("_truth.json"))));
    WrittenLogs committed = new WrittenLogs(SAMPLE);
    WrittenLogs regenerated = new WrittenLogs(again);
    assertThat(committed.partitions, hasSize(150));
    assertThat(regenerated.partitions, equalTo(committed.partitions));
    assertThat(regenerated.rows, hasSize(committed.rows.size()));
    for (int i = 0; i < committed.rows.size(); i++) {
      WrittenLogs.Row a = committed.rows.get(i);
      WrittenLogs.Row b = regenerated.rows.get(i);
      assertThat(b.file() + "#" + b.position(), List.of(b.file(), b.position(), b.record()),
          equalTo(List.of(a.file(), a.position(), a.record())));
    }
    for (int d = 0; d < 150; d++) {
      assertThat(Files.exists(SAMPLE.resolve("dt=" + LocalDate.of(2024, 1, 1).plusDays(d)).resolve("_SUCCESS")), is(true));
    }
  }
}
