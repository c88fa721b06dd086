package dev.encore.ingest;

import dev.encore.EncoreException;
import dev.encore.avro.ListeningEvent;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.internal.Play;
import dev.encore.config.PlayRules;
import dev.encore.config.FaultPoint;
import dev.encore.publish.RunStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Stage 1: reads the arrival partitions' Avro files with the input contract as reader schema (Avro schema
 * resolution, so older and newer writers both read), and validates every record. Emits the accepted plays, the
 * rejected records (with reason, source file, position and the original record) and per-partition counts.
 * Private plays are dropped here and only counted.
 */
public class IngestListeningLogs extends PTransform<PBegin, PCollectionTuple> {
  /** Valid, non-private plays, duplicates still included. */
  public static final TupleTag<Play> PLAYS = new TupleTag<>() {};
  /** Rejected records, keyed by their arrival day (yyyy-MM-dd). */
  public static final TupleTag<KV<String, RejectedRecord>> REJECTED = new TupleTag<>() {};
  /** Counts per arrival partition, see {@link RunStats}. */
  public static final TupleTag<KV<String, Long>> STATS = new TupleTag<>() {};

  private final List<InputPartition> partitions;
  private final PlayRules rules;
  private final FaultPoint failAt;

  public IngestListeningLogs(List<InputPartition> partitions, PlayRules rules, FaultPoint failAt) {
    this.partitions = partitions;
    this.rules = rules;
    this.failAt = failAt;
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    List<KV<String, Integer>> files = new ArrayList<>();
    for (InputPartition p : partitions) {
      for (String f : p.files()) {
        files.add(KV.of(f, (int) p.day().toEpochDay()));
      }
    }
    PCollectionTuple out =
        input
            .apply("ListInputFiles", Create.of(files).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
            // One file is one unit of work: spread the files over the workers.
            .apply("SpreadFiles", Reshuffle.viaRandomKey())
            .apply(
                "ReadAndValidateRecords",
                ParDo.of(new ReadAndValidateFn(rules, failAt))
                    .withOutputTags(PLAYS, TupleTagList.of(REJECTED).and(STATS)));
    out.get(PLAYS).setCoder(AvroCoder.of(Play.class));
    out.get(REJECTED).setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(RejectedRecord.class)));
    out.get(STATS).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** Reads one Avro file and judges each of its records; counts are emitted once per file. */
  static class ReadAndValidateFn extends DoFn<KV<String, Integer>, Play> {
    private final Counter recordsRead = Metrics.counter("ingest", "records_read");
    private final PlayValidator validator;
    private final FaultPoint failAt;

    ReadAndValidateFn(PlayRules rules, FaultPoint failAt) {
      this.validator = new PlayValidator(rules);
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(@Element KV<String, Integer> file, MultiOutputReceiver out) {
      String path = file.getKey();
      LocalDate day = LocalDate.ofEpochDay(file.getValue());
      String dt = day.toString();
      TreeMap<String, Long> counts = new TreeMap<>();
      long position = 0;
      failAt.failIf(FaultPoint.READING);
      try (InputStream in =
              Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)));
          DataFileStream<ListeningEvent> reader =
              new DataFileStream<>(in, new SpecificDatumReader<>(ListeningEvent.class))) {
        ListeningEvent event = null;
        while (reader.hasNext()) {
          event = reader.next(event);
          Verdict verdict = validator.judge(event, day, path, position);
          if (verdict instanceof Verdict.Accepted accepted) {
            out.get(PLAYS).output(accepted.play());
            // The play keeps no reference to the event, so the event object can be reused.
            counts.merge(RunStats.VALID, 1L, Long::sum);
          } else if (verdict instanceof Verdict.Private) {
            counts.merge(RunStats.PRIVATE, 1L, Long::sum);
          } else {
            Verdict.Rejected r = (Verdict.Rejected) verdict;
            out.get(REJECTED).output(KV.of(dt, rejected(event, r, path, position)));
            counts.merge(RunStats.REJECTED + "/" + r.reason(), 1L, Long::sum);
            event = null;
          }
          position++;
        }
      } catch (IOException | AvroRuntimeException e) {
        throw new EncoreException(
            EncoreException.INPUT,
            "Cannot read input file " + path + " (record " + position + "): " + e.getMessage()
                + ". The file is corrupt, truncated or does not match the listening_event contract;"
                + " ask its producer to rewrite it.",
            e);
      }
      recordsRead.inc(position);
      counts.put(RunStats.RECORDS, position);
      counts.put(RunStats.FILES, 1L);
      counts.forEach((name, n) -> out.get(STATS).output(KV.of(RunStats.inputKey(dt, name), n)));
    }

    private static RejectedRecord rejected(
        ListeningEvent event, Verdict.Rejected r, String path, long position) {
      return RejectedRecord.newBuilder()
          .setSourceFile(path)
          .setPosition(position)
          .setReason(r.reason())
          .setField(r.field())
          .setDetail(r.detail())
          .setStage("validate")
          .setOriginal(toJson(event))
          .build();
    }

    private static String toJson(ListeningEvent event) {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonEncoder encoder = EncoderFactory.get().jsonEncoder(ListeningEvent.getClassSchema(), bytes);
        new SpecificDatumWriter<>(ListeningEvent.class).write(event, encoder);
        encoder.flush();
        return bytes.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        return null;
      }
    }
  }
}
