package dev.encore.store;

import dev.encore.publish.Dataset;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.ParquetFiles;
import dev.encore.publish.PartitionLayout;
import dev.encore.publish.Publisher;
import dev.encore.publish.WritePartitionedParquet;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The torn-read check (issue 14): version B of a partition is published over version A while the test pauses
 * after every store operation and reads the partition the way a reader does, recording what it saw. Version A has
 * three files of six rows, B two files of four, so a partial or mixed view cannot pass for either.
 */
final class TornReads {
  static final Schema SCHEMA = new Schema.Parser().parse("""
      {"type": "record", "name": "Toy", "namespace": "dev.encore.test", "fields": [
        {"name": "user_id", "type": "string"}, {"name": "version", "type": "string"}]}""");
  static final Dataset<GenericRecord> TOY = Dataset.of("toy", SCHEMA, "user_id");
  static final String DT = "2024-03-30";
  /** What a reader can see of the partition. */
  static final String A = "A";
  static final String B = "B";
  static final String ABSENT = "absent";

  private TornReads() {}

  /** One pause: the store operation just done, and what a reader saw then. */
  record View(String operation, String seen) {}

  /**
   * Publishes A, then B over it with Encore's {@link Publisher}, reading after every store operation of B's
   * staging and publishing; returns the views in order (the last one after the run is over).
   */
  static List<View> publishOverWithEncore(String root, String logs, PipelineOptions options) throws Exception {
    publish(root, logs, options, "run-a", A, 3, null);
    List<View> views = new ArrayList<>();
    PartitionLayout layout = PartitionLayout.of(root, options);
    publish(root, logs, options, "run-b", B, 2, op -> views.add(new View(op, read(layout))));
    views.add(new View("(run over)", read(layout)));
    return views;
  }

  /**
   * The old way, for comparison: B's files are copied over the published folder's files one by one and A's
   * remaining files are deleted, reading (by listing the folder, as readers of that layout did) after each step.
   */
  static List<View> publishOverByCopyThenDelete(String root, String logs, PipelineOptions options) throws Exception {
    String dir = StoreFiles.join(root, TOY.name(), "dt=" + DT);
    String stagedA = StoreFiles.join(root, "_staging_a");
    String stagedB = StoreFiles.join(root, "_staging_b");
    stage(stagedA, A, 3);
    stage(stagedB, B, 2);
    for (String f : PartitionLayout.parquetFiles(stagedA)) {
      StoreFiles.write(StoreFiles.join(dir, StoreFiles.name(f)), StoreFiles.read(f));
    }
    List<View> views = new ArrayList<>();
    try (AutoCloseable observing = StoreFiles.observe(op -> views.add(new View(op, readFolder(dir))))) {
      for (String f : PartitionLayout.parquetFiles(stagedB)) {
        StoreFiles.write(StoreFiles.join(dir, StoreFiles.name(f)), StoreFiles.read(f));
      }
      for (String f : PartitionLayout.parquetFiles(dir)) {
        if (!StoreFiles.exists(StoreFiles.join(stagedB, StoreFiles.name(f)))) {
          StoreFiles.delete(List.of(f));
        }
      }
    }
    return views;
  }

  private static void publish(String root, String logs, PipelineOptions options, String runId, String version,
      int files, java.util.function.Consumer<String> observer) throws Exception {
    try (OutputRoot out = OutputRoot.claim(root, logs, options)) {
      String staged = WritePartitionedParquet.partitionDir(out.staging(runId), TOY.name(), DT);
      AutoCloseable observing = observer == null ? () -> {} : StoreFiles.observe(observer);
      try (observing) {
        stage(staged, version, files);
        new Publisher(out, runId).publish(TOY, DT, staged, LocalDate.parse(DT), Map.of("date", DT, "run_id", runId));
      }
    }
  }

  /** Writes a version's rows as the pipeline would: part files in the staged partition folder. */
  private static void stage(String dir, String version, int files) throws IOException {
    int users = version.equals(A) ? 6 : 4;
    for (int f = 0; f < files; f++) {
      List<GenericRecord> rows = new ArrayList<>();
      for (int u = f; u < users; u += files) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("user_id", "u" + u);
        r.put("version", version);
        rows.add(r);
      }
      String file = StoreFiles.join(dir, WritePartitionedParquet.fileName(f));
      ParquetFiles.write(file, SCHEMA, GenericData.get(), rows);
      StoreFiles.done("write " + file); // the pipeline's writes bypass StoreFiles; a reader may look after each
    }
  }

  /** What a reader following Encore's layout sees: the published version's files, or nothing. */
  static String read(PartitionLayout layout) {
    try {
      PartitionLayout.Published p = layout.current(TOY.name(), DT);
      return p == null ? ABSENT : classify(p.files());
    } catch (IOException | RuntimeException e) {
      return "torn: unreadable (" + e + ")";
    }
  }

  /** What a reader listing the folder's Parquet files sees. */
  private static String readFolder(String dir) {
    try {
      List<String> files = PartitionLayout.parquetFiles(dir);
      return files.isEmpty() ? ABSENT : classify(files);
    } catch (RuntimeException e) {
      return "torn: unreadable (" + e + ")";
    }
  }

  /** A, B, or "torn: ..." naming what was mixed or missing. */
  private static String classify(List<String> files) {
    List<String> versions = new ArrayList<>();
    TreeSet<String> users = new TreeSet<>();
    for (String f : files) {
      try {
        ParquetFiles.read(f, r -> {
          versions.add(r.get("version").toString());
          users.add(r.get("user_id").toString());
        });
      } catch (IOException e) {
        return "torn: unreadable file " + f + " (" + e + ")";
      }
    }
    TreeSet<String> distinct = new TreeSet<>(versions);
    if (distinct.equals(new TreeSet<>(List.of(A))) && versions.size() == 6 && users.size() == 6) {
      return A;
    }
    if (distinct.equals(new TreeSet<>(List.of(B))) && versions.size() == 4 && users.size() == 4) {
      return B;
    }
    return "torn: " + versions.size() + " rows of versions " + distinct;
  }
}
