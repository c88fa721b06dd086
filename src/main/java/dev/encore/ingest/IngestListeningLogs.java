package dev.encore.ingest;

import dev.encore.EncoreException;
import dev.encore.avro.ListeningEvent;
import dev.encore.avro.RejectedRecord;
import dev.encore.avro.internal.Play;
import dev.encore.config.FaultPoint;
import dev.encore.config.PlayRules;
import dev.encore.progress.RunProgress;
import dev.encore.publish.RunStats;
import dev.encore.records.RecordCoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

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
  private final boolean skipCorruptFiles;
  private final int fileGroups;

  /**
   * @param skipCorruptFiles leave unreadable files out (counted and listed) instead of failing the run
   * @param fileGroups 0 to spread the files one by one over the workers; N > 0 to read them in N groups (for the
   *     DirectRunner, where each group is one bundle of plays, see {@code Sessionize})
   */
  public IngestListeningLogs(
      List<InputPartition> partitions, PlayRules rules, FaultPoint failAt, boolean skipCorruptFiles,
      int fileGroups) {
    this.fileGroups = fileGroups;
    this.partitions = partitions;
    this.rules = rules;
    this.failAt = failAt;
    this.skipCorruptFiles = skipCorruptFiles;
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    // (path, index) of every input file; the index orders files by (arrival day, path), the partitions and their
    // files being sorted so, and is what a play carries instead of its path.
    List<KV<String, Integer>> files = new ArrayList<>();
    List<Integer> fileDays = new ArrayList<>();
    for (InputPartition p : partitions) {
      for (String f : p.files()) {
        files.add(KV.of(f, files.size()));
        fileDays.add((int) p.day().toEpochDay());
      }
    }
    PCollectionTuple out =
        input
            .apply("ListInputFiles", Create.of(files).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
            // One file is one unit of work: spread the files over the workers.
            .apply("SpreadFiles", fileGroups == 0 ? Reshuffle.viaRandomKey() : new SpreadInGroups(fileGroups))
            .apply(
                "ReadAndValidateRecords",
                ParDo.of(new ReadAndValidateFn(rules, failAt, skipCorruptFiles, fileDays))
                    .withOutputTags(PLAYS, TupleTagList.of(REJECTED).and(STATS)));
    out.get(PLAYS).setCoder(RecordCoder.of(Play.class));
    out.get(REJECTED).setCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(RejectedRecord.class)));
    out.get(STATS).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** Spreads the (path, index) of the files in {@code groups} groups by index, each group one bundle downstream. */
  static class SpreadInGroups extends PTransform<PCollection<KV<String, Integer>>, PCollection<KV<String, Integer>>> {
    private final int groups;

    SpreadInGroups(int groups) {
      this.groups = groups;
    }

    @Override
    public PCollection<KV<String, Integer>> expand(PCollection<KV<String, Integer>> files) {
      int n = groups;
      return files
          .apply("KeyByGroup", WithKeys.of((KV<String, Integer> f) -> f.getValue() % n)
              .withKeyType(TypeDescriptors.integers()))
          .apply("GroupFiles", GroupByKey.create())
          .apply("Files", Values.create())
          .apply("EachFile", Flatten.iterables());
    }
  }

  /** Reads one Avro file, given as (path, index), and judges each of its records; counts once per file. */
  static class ReadAndValidateFn extends DoFn<KV<String, Integer>, Play> {
    private static final SpecificData EVENT_MODEL = RecordCoder.fastModel(ListeningEvent.class);
    private final Counter recordsRead = Metrics.counter("ingest", "records_read");
    private final PlayValidator validator;
    private final FaultPoint failAt;
    private final boolean skipCorruptFiles;
    private final List<Integer> fileDays;

    ReadAndValidateFn(
        PlayRules rules, FaultPoint failAt, boolean skipCorruptFiles, List<Integer> fileDays) {
      this.validator = new PlayValidator(rules);
      this.failAt = failAt;
      this.skipCorruptFiles = skipCorruptFiles;
      this.fileDays = fileDays;
    }

    @ProcessElement
    public void process(@Element KV<String, Integer> file, MultiOutputReceiver out) {
      String path = file.getKey();
      int index = file.getValue();
      LocalDate day = LocalDate.ofEpochDay(fileDays.get(index));
      String dt = day.toString();
      failAt.failIf(FaultPoint.READING);
      if (skipCorruptFiles) {
        // A first pass decodes the whole file, so nothing of a file that turns out corrupt is used.
        String problem = readAll(path, index, day, null, new TreeMap<>());
        if (problem != null) {
          out.get(STATS).output(KV.of(RunStats.inputKey(dt, RunStats.CORRUPT_FILES), 1L));
          out.get(STATS).output(KV.of(RunStats.skippedFileKey(path), 1L));
          return;
        }
      }
      TreeMap<String, Long> counts = new TreeMap<>();
      String problem = readAll(path, index, day, out, counts);
      if (problem != null) {
        throw new EncoreException(
            EncoreException.INPUT,
            "Cannot read input file " + path + " " + problem + ". The file is corrupt, truncated or does not"
                + " match the listening_event contract; ask its producer to rewrite it, or pass"
                + " --skipCorruptFiles=true to leave it out (recorded in the run metadata).");
      }
      counts.forEach((name, n) -> out.get(STATS).output(KV.of(RunStats.inputKey(dt, name), n)));
    }

    /**
     * Reads and judges every record of one file, emitting to {@code out} unless it is null (a dry pass).
     *
     * @return null when the whole file was read, else what went wrong and where (never record content)
     */
    private String readAll(
        String path, int index, LocalDate day, MultiOutputReceiver out, Map<String, Long> counts) {
      String dt = day.toString();
      long position = 0;
      try (SeekableChannelInput in = SeekableChannelInput.open(path);
          DataFileReader<ListeningEvent> reader =
              new DataFileReader<>(in, new SpecificDatumReader<>(
                  ListeningEvent.getClassSchema(), ListeningEvent.getClassSchema(), EVENT_MODEL))) {
        ListeningEvent event = null;
        while (true) {
          // Only decoding is guarded: a garbled block can fail in many ways (even an index out of bounds), and
          // is a bad file; what happens downstream of an output is not.
          try {
            if (!reader.hasNext()) {
              break;
            }
            event = reader.next(event);
          } catch (RuntimeException e) {
            return "(at record " + position + "): " + e;
          }
          if (out != null) {
            Verdict verdict = validator.judge(event, day, index, position);
            if (verdict instanceof Verdict.Accepted accepted) {
              out.get(PLAYS).output(accepted.play());
              // The play keeps no reference to the event, so the event object can be reused.
              counts.merge(RunStats.VALID, 1L, Long::sum);
            } else if (verdict instanceof Verdict.Private) {
              counts.merge(RunStats.PRIVATE, 1L, Long::sum);
            } else {
              Verdict.Rejected r = (Verdict.Rejected) verdict;
              out.get(REJECTED).output(KV.of(dt, rejectedRecord(event, r, path, position)));
              counts.merge(RunStats.REJECTED + "/" + r.reason(), 1L, Long::sum);
              event = null;
            }
          }
          position++;
          if (out != null && (position & 4095) == 0) {
            RunProgress.recordsRead(4096);
          }
        }
        // Avro stops quietly when a file ends inside a block header: whatever follows the last complete block
        // must be nothing, or the file was truncated.
        long trailing = in.length() - reader.previousSync();
        if (trailing != 0) {
          return "(after record " + position + "): the file is truncated, its last " + trailing
              + " bytes are not a complete block";
        }
      } catch (IOException | AvroRuntimeException e) {
        // Avro's messages name schema fields and sync problems, not record values.
        return "(at record " + position + "): " + e.getMessage();
      }
      if (out != null) {
        recordsRead.inc(position);
        RunProgress.recordsRead(position & 4095);
        RunProgress.fileRead();
      }
      counts.put(RunStats.RECORDS, position);
      counts.put(RunStats.FILES, 1L);
      return null;
    }
  }

  /** The row of the rejected dataset for a record: where it was, why, and the original record as JSON. */
  public static RejectedRecord rejectedRecord(
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
