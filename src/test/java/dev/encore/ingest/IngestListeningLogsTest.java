package dev.encore.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.EncoreException;
import dev.encore.avro.ListeningEvent;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.internal.Play;
import dev.encore.config.FaultPoint;
import dev.encore.config.PlayRules;
import dev.encore.testing.ListeningLogs;
import dev.encore.testing.LogsFixture;
import dev.encore.testing.TestPipelines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link IngestListeningLogs} on real Avro files: the accepted plays, the rejected records with their reason and
 * field, and the per-file counts, all worked out by hand from the input rules (SPEC.md, {@link PlayValidator}'s
 * order) with the default rules: 30 s / 60 s stream thresholds, 3 days of lateness.
 *
 * <p>The input: arrival 2024-03-09 with one file from an older writer (only the six required fields), and arrival
 * 2024-03-10 with two files. File indices follow the partition list: 0 = 09/older.avro, 1 = 10/part-0.avro,
 * 2 = 10/part-1.avro.
 */
class IngestListeningLogsTest {
  private static final LocalDate DAY9 = LocalDate.parse("2024-03-09");
  private static final LocalDate DAY10 = LocalDate.parse("2024-03-10");

  @TempDir Path logs;

  @ParameterizedTest(name = "fileGroups={0}")
  @ValueSource(ints = {0, 2})
  void acceptsRejectsAndCountsEveryRecordOfEveryFile(int fileGroups) throws Exception {
    String older = writeOlderWriterFile();
    String part0 = LogsFixture.writePartition(logs, DAY10, "part-0.avro", List.of(
        // pos 0: valid; 40 s >= 30 s, a stream.
        event("e1", "u1", "2024-03-10T10:00:00Z", 40_000, "TRACK", "t1")
            .setArtistId("a1").setAlbumId("al1").setContextType("search").setReasonStart("clickrow").build(),
        // pos 1: private: only counted, although valid.
        event("p1", "u1", "2024-03-10T10:05:00Z", 50_000, "TRACK", "t2").setIncognitoMode(true).build(),
        // pos 2: empty user_id.
        event("m1", "", "2024-03-10T10:10:00Z", 40_000, "TRACK", "t3").build(),
        // pos 3: neither TRACK nor EPISODE.
        event("c1", "u1", "2024-03-10T10:15:00Z", 40_000, "VIDEO", "t4").build(),
        // pos 4: valid; a 20 s episode is no stream (60 s), and ended with fwdbtn before it qualified: a skip.
        event("e2", "u3", "2024-03-10T11:00:00Z", 20_000, "EPISODE", "ep1")
            .setShowId("s1").setReasonEnd("fwdbtn").build())).toString();
    String part1 = LogsFixture.writePartition(logs, DAY10, "part-1.avro", List.of(
        // pos 0: negative.
        event("n1", "u1", "2024-03-10T12:00:00Z", -5, "TRACK", "t5").build(),
        // pos 1: 7 days + 1 ms.
        event("a1", "u1", "2024-03-10T12:00:00Z", 604_800_001L, "TRACK", "t5").build(),
        // pos 2: 1 ms past the end of the arrival day (2024-03-11T00:00) + 1 hour.
        event("f1", "u1", "2024-03-11T01:00:00.001Z", 40_000, "TRACK", "t5").build(),
        // pos 3: exactly end of day + 1 hour: valid; exactly 30 s: a stream; the client's own skip flag wins.
        event("f0", "u1", "2024-03-11T01:00:00Z", 30_000, "TRACK", "t6").setSkipped(true).build(),
        // pos 4: ts day 2024-03-06 is 4 days before the arrival: too late.
        event("l1", "u1", "2024-03-06T23:59:59.999Z", 40_000, "TRACK", "t7").build(),
        // pos 5: ts day 2024-03-07, exactly 3 days late: valid.
        event("l0", "u1", "2024-03-07T00:00:00Z", 40_000, "TRACK", "t7").build(),
        // pos 6: e1 delivered again: still a valid play here (deduplication is Sessionize's).
        event("e1", "u1", "2024-03-10T10:00:00Z", 40_000, "TRACK", "t1")
            .setArtistId("a1").setAlbumId("al1").setContextType("search").setReasonStart("clickrow").build()))
        .toString();
    List<InputPartition> partitions = List.of(
        new InputPartition(DAY9, logs.resolve("dt=" + DAY9).toString(), List.of(older)),
        new InputPartition(DAY10, logs.resolve("dt=" + DAY10).toString(), List.of(part0, part1)));

    TestPipeline p = TestPipelines.create();
    PCollectionTuple out = p.apply("Ingest",
        new IngestListeningLogs(partitions, PlayRules.DEFAULTS, FaultPoint.NONE, false, fileGroups));

    // Start = ts - ms_played; arrival day, file index and position say where the play was read.
    PAssert.that(out.get(IngestListeningLogs.PLAYS)).containsInAnyOrder(
        play("u2", "o1", "2024-03-08T11:56:40Z", "2024-03-08T12:00:00Z", 200_000, false, "t9", true, false)
            .setArrivalDay(epochDay(DAY9)).setFileIndex(0).setPosition(0).build(),
        play("u1", "e1", "2024-03-10T09:59:20Z", "2024-03-10T10:00:00Z", 40_000, false, "t1", true, false)
            .setArtistId("a1").setAlbumId("al1").setContextType("search").setReasonStart("clickrow")
            .setArrivalDay(epochDay(DAY10)).setFileIndex(1).setPosition(0).build(),
        play("u3", "e2", "2024-03-10T10:59:40Z", "2024-03-10T11:00:00Z", 20_000, true, "ep1", false, true)
            .setShowId("s1").setArrivalDay(epochDay(DAY10)).setFileIndex(1).setPosition(4).build(),
        play("u1", "f0", "2024-03-11T00:59:30Z", "2024-03-11T01:00:00Z", 30_000, false, "t6", true, true)
            .setArrivalDay(epochDay(DAY10)).setFileIndex(2).setPosition(3).build(),
        play("u1", "l0", "2024-03-06T23:59:20Z", "2024-03-07T00:00:00Z", 40_000, false, "t7", true, false)
            .setArrivalDay(epochDay(DAY10)).setFileIndex(2).setPosition(5).build(),
        play("u1", "e1", "2024-03-10T09:59:20Z", "2024-03-10T10:00:00Z", 40_000, false, "t1", true, false)
            .setArtistId("a1").setAlbumId("al1").setContextType("search").setReasonStart("clickrow")
            .setArrivalDay(epochDay(DAY10)).setFileIndex(2).setPosition(6).build());

    // Each rejection keyed by its arrival day, with the original record in Avro's JSON encoding (every optional
    // field at its default, as none of these records sets one).
    PAssert.that(out.get(IngestListeningLogs.REJECTED)).containsInAnyOrder(
        rejected(DAY9, older, 1, "invalid_utf8", "item_id", "item_id holds bytes that are not UTF-8",
            json("o2", "u2", "2024-03-09T08:00:00Z", 1_000, "TRACK", "t\uFFFD")),
        rejected(DAY10, part0, 2, "missing_field", "user_id", "user_id is empty; every play needs one",
            json("m1", "", "2024-03-10T10:10:00Z", 40_000, "TRACK", "t3")),
        rejected(DAY10, part0, 3, "unknown_content_type", "content_type",
            "content_type 'VIDEO' is not TRACK or EPISODE",
            json("c1", "u1", "2024-03-10T10:15:00Z", 40_000, "VIDEO", "t4")),
        rejected(DAY10, part1, 0, "negative_ms_played", "ms_played", "ms_played -5 is negative",
            json("n1", "u1", "2024-03-10T12:00:00Z", -5, "TRACK", "t5")),
        rejected(DAY10, part1, 1, "absurd_ms_played", "ms_played",
            "ms_played 604800001 is more than 7 days (604800000 ms)",
            json("a1", "u1", "2024-03-10T12:00:00Z", 604_800_001L, "TRACK", "t5")),
        rejected(DAY10, part1, 2, "future_timestamp", "ts",
            "ts 2024-03-11T01:00:00.001Z is more than 1 hour after the end of arrival day 2024-03-10",
            json("f1", "u1", "2024-03-11T01:00:00.001Z", 40_000, "TRACK", "t5")),
        rejected(DAY10, part1, 4, "too_late", "ts",
            "ts day 2024-03-06 is more than 3 days before arrival day 2024-03-10",
            json("l1", "u1", "2024-03-06T23:59:59.999Z", 40_000, "TRACK", "t7")));

    // One set of counts per file (summed per key later, by WriteRunStats); a count that is zero is not emitted.
    PAssert.that(out.get(IngestListeningLogs.STATS)).containsInAnyOrder(
        // older.avro: o1 valid, o2 invalid_utf8.
        KV.of("input/2024-03-09/records", 2L),
        KV.of("input/2024-03-09/files", 1L),
        KV.of("input/2024-03-09/valid", 1L),
        KV.of("input/2024-03-09/rejected/invalid_utf8", 1L),
        // part-0.avro: e1, e2 valid; p1 private; m1, c1 rejected.
        KV.of("input/2024-03-10/records", 5L),
        KV.of("input/2024-03-10/files", 1L),
        KV.of("input/2024-03-10/valid", 2L),
        KV.of("input/2024-03-10/private", 1L),
        KV.of("input/2024-03-10/rejected/missing_field", 1L),
        KV.of("input/2024-03-10/rejected/unknown_content_type", 1L),
        // part-1.avro: f0, l0, e1 valid; four rejected.
        KV.of("input/2024-03-10/records", 7L),
        KV.of("input/2024-03-10/files", 1L),
        KV.of("input/2024-03-10/valid", 3L),
        KV.of("input/2024-03-10/rejected/negative_ms_played", 1L),
        KV.of("input/2024-03-10/rejected/absurd_ms_played", 1L),
        KV.of("input/2024-03-10/rejected/future_timestamp", 1L),
        KV.of("input/2024-03-10/rejected/too_late", 1L));

    p.run().waitUntilFinish();
  }

  @Test
  void skipsACorruptFileWholeAndListsIt() throws Exception {
    String good = LogsFixture.writePartition(logs, DAY10, "part-0.avro", List.of(
        event("e1", "u1", "2024-03-10T10:00:00Z", 40_000, "TRACK", "t1").build())).toString();
    String corrupt = corruptFile(DAY10, "part-1.avro");
    List<InputPartition> partitions = List.of(
        new InputPartition(DAY10, logs.resolve("dt=" + DAY10).toString(), List.of(good, corrupt)));

    TestPipeline p = TestPipelines.create();
    PCollectionTuple out = p.apply("Ingest",
        new IngestListeningLogs(partitions, PlayRules.DEFAULTS, FaultPoint.NONE, true, 0));

    PAssert.that(out.get(IngestListeningLogs.PLAYS)).containsInAnyOrder(
        play("u1", "e1", "2024-03-10T09:59:20Z", "2024-03-10T10:00:00Z", 40_000, false, "t1", true, false)
            .setArrivalDay(epochDay(DAY10)).setFileIndex(0).setPosition(0).build());
    PAssert.that(out.get(IngestListeningLogs.REJECTED)).empty();
    // The corrupt file adds nothing but its own two entries: no records, no files.
    PAssert.that(out.get(IngestListeningLogs.STATS)).containsInAnyOrder(
        KV.of("input/2024-03-10/records", 1L),
        KV.of("input/2024-03-10/files", 1L),
        KV.of("input/2024-03-10/valid", 1L),
        KV.of("input/2024-03-10/corrupt_files", 1L),
        KV.of("skipped_file/" + corrupt, 1L));

    p.run().waitUntilFinish();
  }

  @Test
  void aCorruptFileFailsTheRunNamingTheFile() throws Exception {
    String corrupt = corruptFile(DAY10, "part-0.avro");
    List<InputPartition> partitions = List.of(
        new InputPartition(DAY10, logs.resolve("dt=" + DAY10).toString(), List.of(corrupt)));

    TestPipeline p = TestPipelines.create();
    p.apply("Ingest", new IngestListeningLogs(partitions, PlayRules.DEFAULTS, FaultPoint.NONE, false, 0));

    RuntimeException e = assertThrows(RuntimeException.class, () -> p.run().waitUntilFinish());
    assertThat(e.getCause(), instanceOf(EncoreException.class));
    assertThat(e.getCause().getMessage(), containsString("Cannot read input file " + corrupt));
  }

  /**
   * dt=2024-03-09/older.avro, written with only the six required fields (an older writer): o1 is valid and gets
   * every other field's default; o2's item_id holds a byte that is not UTF-8 (0xFF), which reads as U+FFFD.
   */
  private String writeOlderWriterFile() {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : ListeningLogs.schema().getFields().subList(0, 6)) {
      fields.add(new Schema.Field(f.name(), f.schema(), f.doc()));
    }
    Schema olderWriter = Schema.createRecord("ListeningEvent", null, "dev.encore.avro", false, fields);
    GenericRecord o1 = new GenericData.Record(olderWriter);
    o1.put("event_id", "o1");
    o1.put("user_id", "u2");
    o1.put("ts", Instant.parse("2024-03-08T12:00:00Z").toEpochMilli());
    o1.put("ms_played", 200_000L);
    o1.put("content_type", "TRACK");
    o1.put("item_id", "t9");
    GenericRecord o2 = new GenericData.Record(olderWriter);
    o2.put("event_id", "o2");
    o2.put("user_id", "u2");
    o2.put("ts", Instant.parse("2024-03-09T08:00:00Z").toEpochMilli());
    o2.put("ms_played", 1_000L);
    o2.put("content_type", "TRACK");
    o2.put("item_id", new Utf8(new byte[] {'t', (byte) 0xFF}));
    Path file = ListeningLogs.partitionDir(logs, DAY9).resolve("older.avro");
    ListeningLogs.write(file, olderWriter, List.of(o1, o2));
    ListeningLogs.markSuccess(file.getParent());
    return file.toString();
  }

  private String corruptFile(LocalDate day, String name) throws Exception {
    Path file = ListeningLogs.partitionDir(logs, day).resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, "not an Avro file".getBytes(StandardCharsets.UTF_8));
    return file.toString();
  }

  private static ListeningEvent.Builder event(
      String id, String user, String ts, long ms, String type, String item) {
    return ListeningEvent.newBuilder()
        .setEventId(id).setUserId(user).setTs(Instant.parse(ts)).setMsPlayed(ms).setContentType(type)
        .setItemId(item);
  }

  private static Play.Builder play(
      String user, String event, String start, String end, long ms, boolean episode, String item,
      boolean qualifying, boolean skip) {
    return Play.newBuilder()
        .setUserId(user).setEventId(event)
        .setStartMs(Instant.parse(start).toEpochMilli()).setEndMs(Instant.parse(end).toEpochMilli())
        .setMsPlayed(ms).setEpisode(episode).setItemId(item).setQualifying(qualifying).setSkip(skip);
  }

  private static KV<String, RejectedRecord> rejected(
      LocalDate dt, String file, long position, String reason, String field, String detail, String original) {
    return KV.of(dt.toString(), RejectedRecord.newBuilder()
        .setSourceFile(file).setPosition(position).setReason(reason).setField(field).setDetail(detail)
        .setStage("validate").setOriginal(original).build());
  }

  /** Avro's JSON encoding of a listening_event with only the required fields set (the rest at their defaults). */
  private static String json(String id, String user, String ts, long ms, String type, String item) {
    return "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"ts\":" + Instant.parse(ts).toEpochMilli()
        + ",\"ms_played\":" + ms + ",\"content_type\":\"" + type + "\",\"item_id\":\"" + item + "\""
        + ",\"artist_id\":null,\"album_id\":null,\"show_id\":null,\"duration_ms\":null,\"context_type\":null"
        + ",\"reason_start\":null,\"reason_end\":null,\"shuffle\":false,\"skipped\":null,\"offline\":false"
        + ",\"incognito_mode\":false,\"platform\":null,\"country\":null}";
  }

  private static int epochDay(LocalDate day) {
    return (int) day.toEpochDay();
  }
}
