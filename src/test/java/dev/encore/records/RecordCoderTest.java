package dev.encore.records;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.avro.Activity;
import dev.encore.avro.internal.Play;
import dev.encore.config.JobDefinition;
import dev.encore.rewards.RewardSchemas;
import dev.encore.rewards.RewardSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

class RecordCoderTest {
  static Play play(String artist) {
    return Play.newBuilder().setUserId("u1").setEventId("e1").setStartMs(1_000).setEndMs(61_000).setMsPlayed(60_000)
        .setEpisode(false).setItemId("t1").setArtistId(artist).setAlbumId(null).setShowId(null)
        .setContextType("playlist").setReasonStart(null).setQualifying(true).setSkip(false).setArrivalDay(19_800)
        .setFileIndex(3).setPosition(123_456_789_012L).build();
  }

  @Test
  void generatedRecordsRoundTripWithNullsAndLogicalTypes() throws Exception {
    RecordCoder<Play> plays = RecordCoder.of(Play.class);
    for (Play p : List.of(play("a1"), play(null))) {
      assertThat(CoderUtils.decodeFromByteArray(plays, CoderUtils.encodeToByteArray(plays, p)), equalTo(p));
    }
    Activity a = Activity.newBuilder().setUserId("u1").setEntityLevel("artist").setEntityId("a1")
        .setActivityDate(LocalDate.parse("2024-03-01")).setStreams(4).setStreamMs(240_000L)
        .setFirstStartMs(1_709_280_000_000L).setFirstItemId("t1").setFirstPlatform(null).setFirstContextType(null).setFirstReasonStart("clickrow").build();
    RecordCoder<Activity> activity = RecordCoder.of(Activity.class);
    assertThat(CoderUtils.decodeFromByteArray(activity, CoderUtils.encodeToByteArray(activity, a)), equalTo(a));
  }

  @Test
  void theBlockHoldsExactlyAvrosBytesOfTheRecord() throws Exception {
    Play p = play("a1");
    byte[] ours = CoderUtils.encodeToByteArray(RecordCoder.of(Play.class), p);
    byte[] avro = CoderUtils.encodeToByteArray(AvroCoder.of(Play.class), p);
    // One length byte (the record is shorter than 128 bytes), then Avro's own encoding.
    assertThat(ours[0] & 0xff, equalTo(avro.length));
    assertThat(Arrays.copyOfRange(ours, 1, ours.length), equalTo(avro));
  }

  @Test
  void readsNoFurtherThanItsRecordInsideALargerStream() throws Exception {
    // As inside a KV or an iterable: each decode must stop at the end of its own record.
    KvCoder<String, Play> kv = KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(Play.class));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    kv.encode(KV.of("x", play("a1")), bytes);
    kv.encode(KV.of("y", play(null)), bytes);
    InputStream in = new ByteArrayInputStream(bytes.toByteArray());
    assertThat(kv.decode(in), equalTo(KV.of("x", play("a1"))));
    assertThat(kv.decode(in), equalTo(KV.of("y", play(null))));
    assertThat(in.read(), equalTo(-1));
  }

  @Test
  void genericRowsOfARuntimeSchemaRoundTripAfterTheCoderIsSerialized() throws Exception {
    Schema schema = RewardSchemas.entityRewards(RewardSpec.of(JobDefinition.builtIn()));
    GenericRecord r = new GenericData.Record(schema);
    for (Schema.Field f : schema.getFields()) {
      r.put(f.name(), GenericData.get().deepCopy(f.schema(), example(f.schema())));
    }
    Coder<GenericRecord> coder = SerializableUtils.clone(RecordCoder.of(schema));
    GenericRecord back = CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, r));
    assertThat(back.toString(), equalTo(r.toString()));
    assertThat(coder, equalTo(RecordCoder.of(schema)));
  }

  /** A value of each type the reward schemas use. */
  private static Object example(Schema s) {
    return switch (s.getType()) {
      case UNION -> example(s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().get());
      case STRING -> "x";
      case INT -> 19_800;
      case LONG -> 7L;
      case DOUBLE -> 0.25;
      case BOOLEAN -> true;
      case ARRAY -> s.getElementType().isNullable()
          ? Arrays.asList(example(s.getElementType()), null)
          : List.of(example(s.getElementType()));
      default -> throw new IllegalArgumentException(s.toString());
    };
  }
}
