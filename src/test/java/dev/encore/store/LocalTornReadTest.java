package dev.encore.store;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a local file system a reader sees the old partition or the new one, whole; between the two renames of a
 * replacement (the old folder to the trash, the new one into place) the partition is briefly absent, never
 * partial or mixed. The old copy-then-delete way shows torn views.
 */
class LocalTornReadTest {
  @TempDir Path tmp;

  @Test
  void readersNeverSeeAPartialOrMixedPartition() throws Exception {
    Files.createDirectories(tmp.resolve("logs"));
    List<TornReads.View> views = TornReads.publishOverWithEncore(
        tmp.resolve("out").toString(), tmp.resolve("logs").toString(), PipelineOptionsFactory.create());
    StoreTornReadAssertions.assertWhole(views, true);
  }

  @Test
  void theOldCopyThenDeleteWayFailsTheCheck() throws Exception {
    Files.createDirectories(tmp.resolve("logs"));
    List<TornReads.View> views = TornReads.publishOverByCopyThenDelete(
        tmp.resolve("out").toString(), tmp.resolve("logs").toString(), PipelineOptionsFactory.create());
    assertThat(views.stream().map(TornReads.View::seen).filter(s -> s.startsWith("torn")).findFirst().orElse("none"),
        startsWith("torn"));
    assertThat(views.get(views.size() - 1).seen(), equalTo(TornReads.B));
  }
}
