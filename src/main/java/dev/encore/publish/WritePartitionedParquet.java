package dev.encore.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableComparator;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a dataset's rows, keyed by their {@code dt} partition, as Parquet files sorted by the dataset's key into
 * {@code <stagingRoot>/<dataset>/dt=<dt>/part-NNNNN.parquet}. Nothing is visible to readers until the run
 * publishes the staged partitions. Emits the row count of every partition written.
 *
 * <p>Rows are spread over {@code shards} files per partition by a hash of their shard key (the user, say), so a
 * key's rows stay in one file; each file is sorted in memory before it is written.
 */
public class WritePartitionedParquet<T extends SpecificRecord>
    extends PTransform<PCollection<KV<String, T>>, PCollection<KV<String, Long>>> {
  private final String dataset;
  private final Class<T> type;
  private final String stagingRoot;
  private final SerializableFunction<T, String> shardKey;
  private final SerializableComparator<T> order;
  private final int shards;

  public WritePartitionedParquet(
      String dataset,
      Class<T> type,
      String stagingRoot,
      SerializableFunction<T, String> shardKey,
      SerializableComparator<T> order,
      int shards) {
    this.dataset = dataset;
    this.type = type;
    this.stagingRoot = stagingRoot;
    this.shardKey = shardKey;
    this.order = order;
    this.shards = shards;
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<KV<String, T>> rows) {
    SerializableFunction<T, String> key = shardKey;
    int n = shards;
    return rows.apply(
            "AssignFiles",
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.integers()),
                        new org.apache.beam.sdk.values.TypeDescriptor<T>(type) {}))
                .via(
                    (KV<String, T> kv) ->
                        KV.of(
                            KV.of(kv.getKey(), Math.floorMod(key.apply(kv.getValue()).hashCode(), n)),
                            kv.getValue())))
        .setCoder(
            KvCoder.of(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()), AvroCoder.of(type)))
        .apply("GroupByFile", GroupByKey.create())
        .apply("SortAndWriteFiles", ParDo.of(new WriteFileFn<>(dataset, type, stagingRoot, order)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
  }

  /** Sorts one file's rows and writes them. */
  static class WriteFileFn<T extends SpecificRecord>
      extends DoFn<KV<KV<String, Integer>, Iterable<T>>, KV<String, Long>> {
    private final String dataset;
    private final Class<T> type;
    private final String stagingRoot;
    private final Comparator<T> order;

    WriteFileFn(String dataset, Class<T> type, String stagingRoot, Comparator<T> order) {
      this.dataset = dataset;
      this.type = type;
      this.stagingRoot = stagingRoot;
      this.order = order;
    }

    @ProcessElement
    public void process(
        @Element KV<KV<String, Integer>, Iterable<T>> file, OutputReceiver<KV<String, Long>> out) {
      String dt = file.getKey().getKey();
      List<T> rows = new ArrayList<>();
      file.getValue().forEach(rows::add);
      rows.sort(order);
      String path = partitionDir(stagingRoot, dataset, dt) + "/" + fileName(file.getKey().getValue());
      try {
        out.output(KV.of(RunStats.outputKey(dataset, dt), ParquetFiles.write(path, type, rows)));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write " + path, e);
      }
    }
  }

  /** {@code <root>/<dataset>/dt=<dt>}. */
  public static String partitionDir(String root, String dataset, String dt) {
    return root + "/" + dataset + "/dt=" + dt;
  }

  /** Name of the shard's file within its partition. */
  public static String fileName(int shard) {
    return String.format("part-%05d.parquet", shard);
  }
}
