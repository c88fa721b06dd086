package dev.encore.nightly;

import dev.encore.publish.Dataset;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * One entry of the output registry ({@link Outputs}): everything Encore knows about a published dataset, declared
 * once. The writers, the publisher, the run summary and metadata, the report, {@code docs/datasets.md} and the
 * schema guard all iterate these entries.
 *
 * @param dataset name, row schema (fixed, or built from the definition) and sort key
 * @param rowIs one line: what one row is, e.g. "listening session"
 * @param uniqueKey the columns that identify a row (the sort key may hold more)
 * @param dtMeans what the {@code dt} partition of a row is, e.g. "the anchor day `anchor_date`"
 * @param schemaFile the committed schema under {@code schemas/}, e.g. session.avsc
 * @param days the partitions a run writes, from its plan
 * @param shards Parquet files per partition
 * @param rows the transform that produces the rows, keyed by {@code dt}, from the run's stages
 * @param finalDaysOnly a partition is published only when its day is final (docs/rewards.md); one whose day is not
 *     is withheld
 */
public record OutputDataset<T extends GenericRecord>(
    Dataset<T> dataset,
    String rowIs,
    List<String> uniqueKey,
    String dtMeans,
    String schemaFile,
    Function<NightlyRun, List<LocalDate>> days,
    ToIntFunction<NightlyConfig> shards,
    Function<Stages, PCollection<KV<String, T>>> rows,
    boolean finalDaysOnly) {

  /**
   * Starts an entry for {@code dataset}: the unique key defaults to the sort key, one file per partition, no
   * days and no rows until they are declared.
   */
  public static <T extends GenericRecord> OutputDataset<T> of(Dataset<T> dataset) {
    return new OutputDataset<>(dataset, dataset.name(), dataset.key(), "", dataset.name() + ".avsc",
        run -> List.of(), config -> 1, stages -> {
          throw new IllegalStateException("dataset " + dataset.name() + " declares no rows");
        }, false);
  }

  public String name() {
    return dataset.name();
  }

  /** With the docs' description: what a row is, its unique key, what {@code dt} means. */
  public OutputDataset<T> describedAs(String rowIs, List<String> uniqueKey, String dtMeans) {
    return new OutputDataset<>(
        dataset, rowIs, List.copyOf(uniqueKey), dtMeans, schemaFile, days, shards, rows, finalDaysOnly);
  }

  /** With the committed schema file under {@code schemas/}. */
  public OutputDataset<T> schemaFile(String file) {
    return new OutputDataset<>(dataset, rowIs, uniqueKey, dtMeans, file, days, shards, rows, finalDaysOnly);
  }

  /** With the partitions a run writes. */
  public OutputDataset<T> writtenOn(Function<NightlyRun, List<LocalDate>> partitions) {
    return new OutputDataset<>(
        dataset, rowIs, uniqueKey, dtMeans, schemaFile, partitions, shards, rows, finalDaysOnly);
  }

  /** With the number of files per partition. */
  public OutputDataset<T> shards(ToIntFunction<NightlyConfig> files) {
    return new OutputDataset<>(dataset, rowIs, uniqueKey, dtMeans, schemaFile, days, files, rows, finalDaysOnly);
  }

  /** Published only on final days: a partition whose day is not final is withheld. */
  public OutputDataset<T> onFinalDaysOnly() {
    return new OutputDataset<>(dataset, rowIs, uniqueKey, dtMeans, schemaFile, days, shards, rows, true);
  }

  /** With the transform that produces the rows. */
  public OutputDataset<T> rows(Function<Stages, PCollection<KV<String, T>>> producer) {
    return new OutputDataset<>(
        dataset, rowIs, uniqueKey, dtMeans, schemaFile, days, shards, producer, finalDaysOnly);
  }
}
