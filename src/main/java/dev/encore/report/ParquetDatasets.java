package dev.encore.report;

import dev.encore.publish.ParquetFiles;
import dev.encore.publish.PartitionLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads the published partitions of an output root's datasets with parquet-avro (no DuckDB at run time), on any
 * store: only published versions are read ({@code _SUCCESS} folders, or on object stores the files a
 * {@code manifest} lists); logical types stay raw: dates are epoch days ({@code int}), timestamps epoch
 * milliseconds ({@code long}), strings {@link CharSequence}.
 */
final class ParquetDatasets {
  private ParquetDatasets() {}

  /** The published partition days of a dataset, oldest first; empty when the dataset does not exist. */
  static List<LocalDate> partitions(PartitionLayout root, String dataset) {
    List<LocalDate> days = new ArrayList<>();
    for (String day : root.publishedDays(dataset)) {
      try {
        days.add(LocalDate.parse(day));
      } catch (RuntimeException e) {
        // not a partition Encore wrote: ignored
      }
    }
    days.sort(null);
    return days;
  }

  /** The published version of one partition; it was listed as published, so its absence is an error. */
  static PartitionLayout.Published partition(PartitionLayout root, String dataset, LocalDate day) {
    try {
      PartitionLayout.Published published = root.current(dataset, day.toString());
      if (published == null) {
        throw new IOException(root.partition(dataset, day.toString()) + " is no longer published");
      }
      return published;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + root.partition(dataset, day.toString()) + ": " + e.getMessage(),
          e);
    }
  }

  /** Calls {@code rows} with every row of one partition. */
  static void read(PartitionLayout root, String dataset, LocalDate day, Consumer<GenericRecord> rows) {
    for (String f : partition(root, dataset, day).files()) {
      try {
        ParquetFiles.read(f, rows);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + f + ": " + e.getMessage(), e);
      }
    }
  }

  /** Calls {@code rows} with every row of every published partition of a dataset. */
  static void readAll(PartitionLayout root, String dataset, Consumer<GenericRecord> rows) {
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
