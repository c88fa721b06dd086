package dev.encore.rewards;

import dev.encore.avro.Activity;
import dev.encore.records.RecordCoder;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Reads published partitions of the activity dataset back, so a run never re-reads old raw logs. */
public class ReadActivity extends PTransform<PBegin, PCollection<Activity>> {
  private final List<String> files;

  /** Reads these Parquet files of published activity partitions (on any store Beam's file systems reach). */
  public ReadActivity(List<String> files) {
    this.files = List.copyOf(files);
  }

  @Override
  public PCollection<Activity> expand(PBegin input) {
    return input
        .apply("ListActivityFiles", Create.of(files).withCoder(StringUtf8Coder.of()))
        // Every file was listed by the planner: one gone now means damage, not "no activity".
        .apply("MatchActivityFiles", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("OpenActivityFiles", FileIO.readMatches())
        .apply("ReadActivityRows", ParquetIO.readFiles(Activity.getClassSchema()))
        .apply("ToActivity", MapElements.into(TypeDescriptor.of(Activity.class)).via(ReadActivity::toActivity))
        .setCoder(RecordCoder.of(Activity.class));
  }

  /**
   * A Parquet row as the generated class. ParquetIO builds rows with the data model it finds for the schema, so
   * they may already be {@link Activity} objects; generic rows carry the date as a raw epoch day.
   */
  static Activity toActivity(GenericRecord r) {
    if (r instanceof Activity a) {
      return a;
    }
    Object date = r.get("activity_date");
    return Activity.newBuilder()
        .setUserId(r.get("user_id").toString())
        .setEntityLevel(r.get("entity_level").toString())
        .setEntityId(str(r.get("entity_id")))
        .setActivityDate(date instanceof LocalDate d ? d : LocalDate.ofEpochDay((Integer) date))
        .setStreams((Integer) r.get("streams"))
        .setStreamMs((Long) r.get("stream_ms"))
        .setFirstContextType(str(r.get("first_context_type")))
        .setFirstReasonStart(str(r.get("first_reason_start")))
        .build();
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
