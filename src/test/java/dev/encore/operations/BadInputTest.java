package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.EncoreException;
import dev.encore.avro.ListeningEvent;
import dev.encore.nightly.NightlySummary;
import dev.encore.publish.Publisher;
import dev.encore.testing.DuckDb;
import dev.encore.testing.ListeningLogs;
import dev.encore.testing.LogsFixture;
import dev.encore.testing.Runs;
import dev.encore.testing.TreeSnapshot;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: each case gets a clear message naming the file and the cause, or goes to rejected. */
class BadInputTest {
  static final LocalDate T = LocalDate.parse("2024-03-30");

  @TempDir Path tmp;
  Path logs;
  Path out;

  /** The last 7 arrival partitions of the sample: a run for T reads exactly these. */
  @BeforeEach
  void copyLogs() throws Exception {
    logs = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs"));
    try (Stream<Path> dirs = Files.list(logs)) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith("dt=")).toList()) {
        if (LocalDate.parse(d.getFileName().toString().substring(3)).isBefore(T.minusDays(6))) {
          dev.encore.store.StoreFiles.deleteTree(d.toString());
        }
      }
    }
    out = tmp.resolve("out");
  }

  NightlySummary nightly(String... extra) {
    return Runs.nightly(T, logs, out, extra);
  }

  private Path partFile() {
    return logs.resolve("dt=" + T).resolve("part-00000.avro");
  }

  @Test
  void truncatedFileFailsNamingItOrIsSkippedAndRecordedWhenAllowed() throws Exception {
    Path file = partFile();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    EncoreException e = assertThrows(EncoreException.class, this::nightly);
    assertThat(e.exitCode(), equalTo(EncoreException.INPUT));
    assertThat(e.getMessage(), containsString(file.toString()));
    assertThat(e.getMessage(), containsString("--skipCorruptFiles=true"));
    assertThat(Files.exists(out.resolve("sessions")), equalTo(false));

    NightlySummary s = nightly("--skipCorruptFiles=true");
    Map<String, Object> meta = Publisher.readMetadata(out.resolve("rejected/dt=" + T));
    assertThat(meta.get("skipped_files"), equalTo(List.of(file.toString())));
    @SuppressWarnings("unchecked")
    Map<String, Object> today = ((List<Map<String, Object>>) meta.get("input_partitions")).get(6);
    assertThat(((Number) today.get("corrupt_files")).longValue(), equalTo(1L));
    assertThat(((Number) today.get("files")).longValue(), equalTo(1L)); // the other file of the partition
    assertThat(s.published().isEmpty(), equalTo(false));
  }

  @Test
  void fileWithoutARequiredFieldFailsNamingFileAndField() throws Exception {
    Schema older = SchemaBuilder.record("ListeningEvent").namespace("dev.encore.avro").fields()
        .requiredString("event_id").requiredLong("ts").requiredLong("ms_played")
        .requiredString("content_type").requiredString("item_id").endRecord();
    GenericRecord r = new GenericData.Record(older);
    r.put("event_id", "e");
    r.put("ts", Instant.parse("2024-03-30T10:00:00Z").toEpochMilli());
    r.put("ms_played", 1000L);
    r.put("content_type", "TRACK");
    r.put("item_id", "i");
    Path file = logs.resolve("dt=" + T).resolve("part-nouser.avro");
    ListeningLogs.write(file, older, List.of(r));
    EncoreException e = assertThrows(EncoreException.class, this::nightly);
    assertThat(e.getMessage(), containsString(file.toString()));
    assertThat(e.getMessage(), containsString("user_id"));
  }

  @Test
  void emptyPartitionIsReadAsNoRecords() throws Exception {
    Files.delete(partFile());
    Files.delete(logs.resolve("dt=" + T).resolve("part-00001.avro"));
    nightly();
    @SuppressWarnings("unchecked")
    Map<String, Object> today = ((List<Map<String, Object>>) Publisher.readMetadata(
        out.resolve("rejected/dt=" + T)).get("input_partitions")).get(6);
    assertThat(today.get("dt"), equalTo(T.toString()));
    assertThat(((Number) today.get("files")).longValue(), equalTo(0L));
    assertThat(((Number) today.get("records")).longValue(), equalTo(0L));
  }

  @Test
  void aDayOfOnlyInvalidRecordsPublishesTheRejectionsThenFails() throws Exception {
    Files.delete(partFile());
    Files.delete(logs.resolve("dt=" + T).resolve("part-00001.avro"));
    List<ListeningEvent> invalid = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      invalid.add(ListeningEvent.newBuilder().setEventId("bad-" + i).setUserId("u").setItemId("i")
          .setTs(Instant.parse("2024-03-30T10:00:00Z")).setMsPlayed(-1).setContentType("TRACK").build());
    }
    LogsFixture.writePartition(logs, T, "part-bad.avro", invalid);
    EncoreException e = assertThrows(EncoreException.class, this::nightly);
    assertThat(e.exitCode(), equalTo(EncoreException.INPUT));
    assertThat(e.getMessage(), containsString("50 of the 50 records"));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + out + "/rejected/dt=" + T
        + "/*.parquet') WHERE reason = 'negative_ms_played'"), equalTo(50L));
    assertThat(Files.exists(out.resolve("sessions")), equalTo(false));
  }

  @Test
  void absurdValuesAndBytesThatAreNotUtf8AreRejectedWithTheirReason() throws Exception {
    Schema schema = ListeningLogs.schema();
    List<GenericRecord> records = new ArrayList<>();
    String[][] cases = {
        {"years", "2024-03-30T10:00:00Z", String.valueOf(10L * 365 * 86_400_000L)},
        {"old", "1970-01-01T00:00:00Z", "1000"},
        {"future", "2100-01-01T00:00:00Z", "1000"},
        {"utf8", "2024-03-30T10:00:00Z", "1000"}};
    for (String[] c : cases) {
      GenericRecord r = new GenericData.Record(schema);
      for (Schema.Field f : schema.getFields()) {
        r.put(f.name(), f.hasDefaultValue() ? GenericData.get().getDefaultValue(f) : null);
      }
      r.put("event_id", "absurd-" + c[0]);
      r.put("user_id", "u-absurd");
      r.put("ts", Instant.parse(c[1]).toEpochMilli());
      r.put("ms_played", Long.parseLong(c[2]));
      r.put("content_type", "TRACK");
      r.put("item_id", "i");
      if (c[0].equals("utf8")) {
        r.put("artist_id", new Utf8(new byte[] {'a', (byte) 0xC3, (byte) 0x28}));
      }
      records.add(r);
    }
    Path file = logs.resolve("dt=" + T).resolve("part-absurd.avro");
    ListeningLogs.write(file, schema, records);
    nightly();
    List<List<Object>> rows = DuckDb.query("SELECT position, reason, field FROM read_parquet('" + out
        + "/rejected/dt=" + T + "/*.parquet') WHERE source_file = '" + file + "' ORDER BY position");
    assertThat(rows, equalTo(List.of(
        List.of(0L, "absurd_ms_played", "ms_played"),
        List.of(1L, "too_late", "ts"),
        List.of(2L, "future_timestamp", "ts"),
        List.of(3L, "invalid_utf8", "artist_id"))));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "sessions")
        + " WHERE user_id = 'u-absurd'"), equalTo(0L));
    assertThat(Files.readString(out.resolve("rejected/dt=" + T + "/_run.json")), not(containsString("u-absurd")));
  }
}
