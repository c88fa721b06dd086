package dev.encore.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.encore.testing.PublishedRows;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** docs/datasets.md is exactly what {@link DatasetReference#render()} gives for the committed schemas. */
class DatasetReferenceTest {
  @Test
  void committedReferenceIsCurrent() throws Exception {
    String rendered = DatasetReference.render();
    String committed = Files.exists(DatasetReference.COMMITTED) ? Files.readString(DatasetReference.COMMITTED) : "";
    assertEquals(rendered, committed,
        DatasetReference.COMMITTED + " is stale (a schema doc, a column, a sort order or the reference code"
            + " changed). Regenerate it from the repository root and commit it:\n  "
            + DatasetReference.REGENERATE + "\n");
  }

  @Test
  void everyPublishedDatasetAndColumnIsDocumented() throws Exception {
    String rendered = DatasetReference.render();
    for (String dataset : PublishedRows.DATASETS) {
      assertTrue(rendered.contains("\n## " + dataset + "\n"), dataset);
    }
    assertTrue(rendered.contains("| `session_start` | TIMESTAMP WITH TIME ZONE (Parquet TIMESTAMP(MILLIS, UTC)) | no |"));
    assertTrue(rendered.contains("| `trace` | BOOLEAN[] | no; elements nullable |"));
    assertTrue(rendered.contains("| `active_by_offset` | BIGINT[] | no; elements nullable |"));
    assertTrue(rendered.contains("| `anchor_date` | DATE | no |"));
    assertTrue(rendered.contains("| `return_d1` | BOOLEAN | yes |"));
  }
}
