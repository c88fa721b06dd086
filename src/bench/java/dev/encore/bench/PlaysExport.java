package dev.encore.bench;

import dev.encore.avro.ListeningEvent;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.InputPartition;
import dev.encore.ingest.ListeningLogReader;
import dev.encore.publish.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * The listening logs as Parquet, for the benchmark's DuckDB reference (DuckDB has no Avro reader offline): every
 * record of every arrival partition, private and invalid ones included, as read with the input contract's schema
 * (bytes that are not UTF-8 become U+FFFD, as the pipeline sees them), plus where it came from: {@code arrival}
 * (DATE), {@code file_index} (the file's number in (arrival day, path) order, as the pipeline numbers the files
 * of a run that reads every partition) and {@code position} in the file. {@code ts} is epoch milliseconds.
 * Written to {@code <target>/dt=YYYY-MM-DD/part-00000.parquet}, then {@code <target>/_SUCCESS}.
 */
public final class PlaysExport {
  /** Marker of a complete export. */
  public static final String SUCCESS = "_SUCCESS";

  static final Schema SCHEMA = schema();

  private PlaysExport() {}

  /** Whether {@code target} holds a complete export. */
  public static boolean complete(Path target) {
    return Files.exists(target.resolve(SUCCESS));
  }

  /**
   * Exports every arrival partition under {@code logs} to {@code target} (replaced).
   *
   * @return the number of records written
   */
  public static long export(Path logs, Path target) throws IOException {
    Path root = logs.toAbsolutePath().normalize();
    BenchFiles.deleteTree(target);
    ArrivalPartitions.Found found =
        ArrivalPartitions.resolve(root.toString(), ArrivalPartitions.firstDay(root.toString()), lastDay(root), false);
    long records = 0;
    int fileIndex = 0;
    for (InputPartition partition : found.partitions()) {
      Path file = target.resolve("dt=" + partition.day()).resolve("part-00000.parquet");
      Files.createDirectories(file.getParent());
      int arrival = (int) partition.day().toEpochDay();
      try (ParquetWriter<GenericRecord> writer = ParquetFiles.open(file.toString(), SCHEMA, GenericData.get())) {
        records += ListeningLogReader.readPartition(partition, fileIndex,
            (event, path, index, position) -> writer.write(row(event, arrival, index, position)));
      }
      fileIndex += partition.files().size();
    }
    Files.createFile(target.resolve(SUCCESS));
    return records;
  }

  private static GenericRecord row(ListeningEvent e, int arrival, int fileIndex, long position) {
    GenericRecord r = new GenericData.Record(SCHEMA);
    for (Schema.Field f : ListeningEvent.getClassSchema().getFields()) {
      Object value = e.get(f.pos());
      if (value instanceof java.time.Instant instant) {
        value = instant.toEpochMilli();
      } else if (value instanceof CharSequence text) {
        value = text.toString();
      }
      r.put(f.name(), value);
    }
    r.put("arrival", arrival);
    r.put("file_index", fileIndex);
    r.put("position", position);
    return r;
  }

  /** The newest {@code dt=} partition under the logs. */
  static LocalDate lastDay(Path logs) throws IOException {
    try (Stream<Path> dirs = Files.list(logs)) {
      return dirs.map(d -> d.getFileName().toString())
          .filter(n -> n.matches("dt=\\d{4}-\\d{2}-\\d{2}"))
          .map(n -> LocalDate.parse(n.substring(3)))
          .max(LocalDate::compareTo)
          .orElseThrow(() -> new IOException("no dt=YYYY-MM-DD partition under " + logs));
    }
  }

  /** The input contract's fields with plain types (ts as a long), then arrival, file_index and position. */
  private static Schema schema() {
    SchemaBuilder.FieldAssembler<Schema> f =
        SchemaBuilder.record("ExportedPlay").namespace("dev.encore.bench").fields();
    for (Schema.Field field : ListeningEvent.getClassSchema().getFields()) {
      Schema type = field.schema();
      if (type.getLogicalType() != null) {
        type = Schema.create(type.getType());
      }
      f.name(field.name()).type(type).noDefault();
    }
    f.name("arrival").type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).noDefault();
    f.name("file_index").type().intType().noDefault();
    f.name("position").type().longType().noDefault();
    return f.endRecord();
  }

  /** The columns, for SQL that reads the export. */
  static List<String> columns() {
    return SCHEMA.getFields().stream().map(Schema.Field::name).toList();
  }
}
