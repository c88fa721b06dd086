package dev.encore.publish;

import dev.encore.config.FaultPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes a dataset's rows, keyed by their {@code dt} partition, as Parquet files sorted by the dataset's key into
 * {@code <stagingRoot>/<dataset>/dt=<dt>/part-NNNNN.parquet}. Nothing is visible to readers until the run
 * publishes the staged partitions. Emits the row count of every partition written.
 *
 * <p>Rows are spread over {@code shards} files per partition by a hash of their first key field (the user, say),
 * so a key's rows stay in one file; each file is sorted in memory before it is written.
 */
public class WritePartitionedParquet<T extends GenericRecord>
    extends PTransform<PCollection<KV<String, T>>, PCollection<KV<String, Long>>> {
  private final Dataset<T> dataset;
  private final String stagingRoot;
  private final int shards;
  private final FaultPoint failAt;

  public WritePartitionedParquet(Dataset<T> dataset, String stagingRoot, int shards) {
    this(dataset, stagingRoot, shards, FaultPoint.NONE);
  }

  /** As above, failing on purpose after the first file when {@code failAt} is WRITING (failure drills). */
  public WritePartitionedParquet(Dataset<T> dataset, String stagingRoot, int shards, FaultPoint failAt) {
    this.dataset = dataset;
    this.stagingRoot = stagingRoot;
    this.shards = shards;
    this.failAt = failAt;
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<KV<String, T>> rows) {
    return rows.apply("AssignFiles", ParDo.of(new AssignFileFn<>(dataset, shards)))
        .setCoder(KvCoder.of(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()), dataset.coder()))
        .apply("GroupByFile", GroupByKey.create())
        .apply("SortAndWriteFiles", ParDo.of(new WriteFileFn<>(dataset, stagingRoot, failAt)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
  }

  /** Keys a row by (partition, file number). */
  static class AssignFileFn<T extends GenericRecord> extends DoFn<KV<String, T>, KV<KV<String, Integer>, T>> {
    private final Dataset<T> dataset;
    private final int shards;

    AssignFileFn(Dataset<T> dataset, int shards) {
      this.dataset = dataset;
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element KV<String, T> row, OutputReceiver<KV<KV<String, Integer>, T>> out) {
      int shard = Math.floorMod(dataset.shardKey(row.getValue()).hashCode(), shards);
      out.output(KV.of(KV.of(row.getKey(), shard), row.getValue()));
    }
  }

  /** Sorts one file's rows and writes them. */
  static class WriteFileFn<T extends GenericRecord>
      extends DoFn<KV<KV<String, Integer>, Iterable<T>>, KV<String, Long>> {
    private final Dataset<T> dataset;
    private final String stagingRoot;
    private final FaultPoint failAt;

    WriteFileFn(Dataset<T> dataset, String stagingRoot, FaultPoint failAt) {
      this.dataset = dataset;
      this.stagingRoot = stagingRoot;
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(
        @Element KV<KV<String, Integer>, Iterable<T>> file, OutputReceiver<KV<String, Long>> out) {
      String dt = file.getKey().getKey();
      List<T> rows = new ArrayList<>();
      file.getValue().forEach(rows::add);
      rows.sort(dataset::compare);
      String path =
          partitionDir(stagingRoot, dataset.name(), dt) + "/" + fileName(file.getKey().getValue());
      try {
        long n = ParquetFiles.write(path, dataset.schema(), dataset.model(), rows);
        failAt.failIf(FaultPoint.WRITING);
        out.output(KV.of(RunStats.outputKey(dataset.name(), dt), n));
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
