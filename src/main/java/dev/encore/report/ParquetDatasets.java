package dev.encore.report;

import dev.encore.publish.Publisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Reads the published partitions of an output root's datasets with parquet-avro (no DuckDB at run time). Only
 * complete partitions ({@code _SUCCESS}) are read; logical types stay raw: dates are epoch days ({@code int}),
 * timestamps epoch milliseconds ({@code long}), strings {@link CharSequence}.
 */
final class ParquetDatasets {
  private ParquetDatasets() {}

  /** The published partition days of a dataset, oldest first; empty when the dataset does not exist. */
  static List<LocalDate> partitions(Path root, String dataset) {
    Path dir = root.resolve(dataset);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<LocalDate> days = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith("dt=") && Files.exists(p.resolve(Publisher.SUCCESS))) {
          try {
            days.add(LocalDate.parse(name.substring(3)));
          } catch (RuntimeException e) {
            // not a partition Encore wrote: ignored
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
    days.sort(null);
    return days;
  }

  /** The folder of one partition. */
  static Path partition(Path root, String dataset, LocalDate day) {
    return root.resolve(dataset).resolve("dt=" + day);
  }

  /** Calls {@code rows} with every row of one partition. */
  static void read(Path root, String dataset, LocalDate day, Consumer<GenericRecord> rows) {
    Path dir = partition(root, dataset, day);
    try {
      for (Path f : Publisher.parquetFiles(dir)) {
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()), new Configuration(false)))
            .withDataModel(GenericData.get())
            .build()) {
          for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
            rows.accept(r);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + dir, e);
    }
  }

  /** Calls {@code rows} with every row of every published partition of a dataset. */
  static void readAll(Path root, String dataset, Consumer<GenericRecord> rows) {
    for (LocalDate day : partitions(root, dataset)) {
      read(root, dataset, day, rows);
    }
  }

  static String string(GenericRecord r, String field) {
    Object v = r.get(field);
    return v == null ? null : v.toString();
  }

  static long number(GenericRecord r, String field) {
    return ((Number) r.get(field)).longValue();
  }
}
