package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.nightly.NightlySummary;
import dev.encore.publish.RunStats;
import dev.encore.testing.DuckDb;
import dev.encore.testing.PublishedRows;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC: "incognito_mode = true: such a play must never influence any output". The committed sample is run twice,
 * once as it is and once with every private record cut out of its Avro files; every dataset must come out the
 * same (rejected: the same rejections; only their positions in the files moved).
 */
class PrivacyTest {
  /** The last day of the sample: a first run reads every partition. */
  static final String T = "2024-05-29";
  /** Every dataset but rejected, whose positions move when records are cut out (compared on its own below). */
  static final List<String> DATASETS =
      PublishedRows.DATASETS.stream().filter(d -> !d.equals("rejected")).toList();

  @TempDir Path tmp;

  @Test
  void privatePlaysNeverInfluenceAnyOutput() throws Exception {
    Path withPrivate = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs-with-private"));
    Path withoutPrivate = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs-without-private"));
    long removed = removePrivateRecords(withoutPrivate);
    assertThat("private records in the sample", removed, greaterThan(0L));
    assertThat("seals and other files are kept",
        TreeSnapshot.files(withoutPrivate).keySet(), equalTo(TreeSnapshot.files(withPrivate).keySet()));

    Path outWith = tmp.resolve("out-with-private");
    Path outWithout = tmp.resolve("out-without-private");
    NightlySummary with = Runs.nightly(T, withPrivate, outWith);
    NightlySummary without = Runs.nightly(T, withoutPrivate, outWithout);

    // Both first runs read every partition from the first day, so they see every private record of the sample.
    assertThat("private plays counted", with.total(RunStats.PRIVATE), equalTo(removed));
    assertThat(without.total(RunStats.PRIVATE), equalTo(0L));
    assertThat(without.total(RunStats.RECORDS), equalTo(with.total(RunStats.RECORDS) - removed));
    assertThat(without.total(RunStats.ACCEPTED), equalTo(with.total(RunStats.ACCEPTED)));
    assertThat(without.total(RunStats.DUPLICATES), equalTo(with.total(RunStats.DUPLICATES)));
    assertThat(without.total(RunStats.REJECTED), equalTo(with.total(RunStats.REJECTED)));

    try (DuckDb db = DuckDb.open()) {
      for (String dataset : DATASETS) {
        assertSameRows(db, dataset, "*", outWith, outWithout);
      }
      // source_file and position legitimately differ: the private records before a rejection are gone.
      assertSameRows(db, "rejected", "dt, reason, field, original", outWith, outWithout);
    }
  }

  /** The two outputs hold the same multiset of rows of {@code dataset} (projected on {@code columns}). */
  static void assertSameRows(DuckDb db, String dataset, String columns, Path a, Path b) {
    String rowsA = "SELECT " + columns + " FROM " + DuckDb.readDataset(a, dataset);
    String rowsB = "SELECT " + columns + " FROM " + DuckDb.readDataset(b, dataset);
    long count = db.longValue("SELECT count(*) FROM (" + rowsA + ")");
    assertThat(dataset + " rows", count, greaterThan(0L));
    assertThat(dataset + " rows", db.longValue("SELECT count(*) FROM (" + rowsB + ")"), equalTo(count));
    List<List<Object>> onlyA = db.rows("(" + rowsA + ") EXCEPT ALL (" + rowsB + ") LIMIT 3");
    List<List<Object>> onlyB = db.rows("(" + rowsB + ") EXCEPT ALL (" + rowsA + ") LIMIT 3");
    assertThat(dataset + ": rows only with private plays in the input", onlyA, equalTo(List.of()));
    assertThat(dataset + ": rows only without private plays in the input", onlyB, equalTo(List.of()));
  }

  /**
   * Rewrites every Avro file under {@code logs} without its private records (same writer schema and codec);
   * returns how many records were removed.
   */
  static long removePrivateRecords(Path logs) throws IOException {
    List<Path> files;
    try (Stream<Path> paths = Files.walk(logs)) {
      files = paths.filter(p -> p.getFileName().toString().endsWith(".avro")).sorted().toList();
    }
    long removed = 0;
    for (Path file : files) {
      Schema schema;
      String codec;
      List<GenericRecord> kept = new ArrayList<>();
      try (DataFileReader<GenericRecord> reader =
          new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
        schema = reader.getSchema();
        codec = reader.getMetaString(DataFileConstants.CODEC);
        for (GenericRecord r : reader) {
          if (Boolean.TRUE.equals(r.get("incognito_mode"))) {
            removed++;
          } else {
            kept.add(r);
          }
        }
      }
      try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
        writer.setCodec(codec == null ? CodecFactory.nullCodec() : CodecFactory.fromString(codec));
        writer.create(schema, file.toFile());
        for (GenericRecord r : kept) {
          writer.append(r);
        }
      }
    }
    return removed;
  }
}
