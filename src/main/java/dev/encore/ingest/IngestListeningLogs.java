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
import java.util.TreeMap;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
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
      if (skipCorruptFiles && !readable(path)) {
        out.get(STATS).output(KV.of(RunStats.inputKey(dt, RunStats.CORRUPT_FILES), 1L));
        out.get(STATS).output(KV.of(RunStats.skippedFileKey(path), 1L));
        return;
      }
      TreeMap<String, Long> counts = new TreeMap<>();
      long records;
      try {
        records = ListeningLogReader.readEvents(path, (event, position) -> {
          Verdict verdict = validator.judge(event, day, index, position);
          if (verdict instanceof Verdict.Accepted accepted) {
            // The play keeps no reference to the event, which the reader reuses.
            out.get(PLAYS).output(accepted.play());
            counts.merge(RunStats.VALID, 1L, Long::sum);
          } else if (verdict instanceof Verdict.Private) {
            counts.merge(RunStats.PRIVATE, 1L, Long::sum);
          } else {
            Verdict.Rejected r = (Verdict.Rejected) verdict;
            out.get(REJECTED).output(KV.of(dt, rejectedRecord(event, r, path, position)));
            counts.merge(RunStats.REJECTED + "/" + r.reason(), 1L, Long::sum);
          }
          if (((position + 1) & 4095) == 0) {
            RunProgress.recordsRead(4096);
          }
        });
      } catch (IOException e) {
        throw unreadable(path, e);
      }
      recordsRead.inc(records);
      RunProgress.recordsRead(records & 4095);
      RunProgress.fileRead();
      counts.put(RunStats.RECORDS, records);
      counts.put(RunStats.FILES, 1L);
      counts.forEach((name, n) -> out.get(STATS).output(KV.of(RunStats.inputKey(dt, name), n)));
    }

    /** Whether the whole file decodes: a dry pass, so nothing of a file that turns out corrupt is used. */
    private static boolean readable(String path) {
      try {
        ListeningLogReader.readEvents(path, (event, position) -> {});
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** The run's failure for a file that cannot be read (the handlers here throw nothing checked). */
    private static EncoreException unreadable(String path, IOException e) {
      String problem = e instanceof ListeningLogReader.UnreadableFileException u
          ? u.problem()
          : "(closing it): " + e.getMessage();
      // Avro's own messages may end with a full stop already.
      String sentence = problem.endsWith(".") ? problem : problem + ".";
      return new EncoreException(
          EncoreException.INPUT,
          "Cannot read input file " + path + " " + sentence + " The file is corrupt, truncated or does not"
              + " match the listening_event contract; ask its producer to rewrite it, or pass"
              + " --skipCorruptFiles=true to leave it out (recorded in the run metadata).");
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
