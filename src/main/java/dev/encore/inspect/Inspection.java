package dev.encore.inspect;

import dev.encore.ingest.ListeningLogReader;
import dev.encore.inspect.InspectTarget.Part;
import dev.encore.publish.ParquetFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.api.Binary;

/**
 * What inspect found in the files of a target: the schema, row counts, per column null count and min/max, and the
 * first rows. Parquet is read from the footers (rows only for the preview); Avro files are read row by row. Files
 * are read through Beam's file systems, so from any store.
 */
final class Inspection {
  static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";

  /** The null count and min/max of one top-level column, as text ({@code -} where none is shown). */
  record Range(String nulls, String min, String max) {}

  /** A data file could not be read; the message names it. */
  static final class Unreadable extends Exception {
    static Unreadable file(String file, Throwable cause) {
      return new Unreadable("cannot read " + file + ": " + cause, cause);
    }

    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  Schema schema;
  String schemaSource;
  final List<String> notes = new ArrayList<>();
  long rows;
  final Map<Part, Long> rowsPerPart = new LinkedHashMap<>();
  final Map<String, Range> ranges = new LinkedHashMap<>();
  String rangeSource;
  final List<GenericRecord> firstRows = new ArrayList<>();

  static Inspection of(InspectTarget target, int wanted) throws Unreadable {
    Inspection i = new Inspection();
    if (target.format() == InspectTarget.Format.PARQUET) {
      i.readParquet(target, wanted);
    } else {
      i.readAvro(target, wanted);
    }
    return i;
  }

  // ---------------------------------------------------------------- Parquet

  private void readParquet(InspectTarget target, int wanted) throws Unreadable {
    Map<String, Statistics<?>> stats = new LinkedHashMap<>();
    Set<String> incomplete = new HashSet<>();
    int otherSchemas = 0;
    for (Part part : target.parts()) {
      long partRows = 0;
      for (String file : part.files()) {
        ParquetMetadata footer;
        try (ParquetFileReader reader = ParquetFileReader.open(ParquetFiles.inputFile(file))) {
          footer = reader.getFooter();
        } catch (IOException | RuntimeException e) {
          throw Unreadable.file(file, e);
        }
        Schema fileSchema = avroSchema(footer);
        if (schema == null) {
          schema = fileSchema;
          schemaSource = footer.getFileMetaData().getKeyValueMetaData().containsKey(AVRO_SCHEMA_KEY)
              ? "the Avro schema in the Parquet footer (" + AVRO_SCHEMA_KEY + ")"
              : "converted from the Parquet schema (the footer holds no Avro schema, so no docs)";
        } else if (!schema.equals(fileSchema)) {
          otherSchemas++;
        }
        for (BlockMetaData block : footer.getBlocks()) {
          partRows += block.getRowCount();
          for (ColumnChunkMetaData column : block.getColumns()) {
            String[] path = column.getPath().toArray();
            if (path.length != 1) {
              continue; // a leaf inside a list or record: no range is shown for those
            }
            merge(stats, incomplete, path[0], column);
          }
        }
      }
      rowsPerPart.put(part, partRows);
      rows += partRows;
    }
    if (otherSchemas > 0) {
      notes.add(otherSchemas + " file(s) carry a different schema; shown: the first file's");
    }
    rangeSource = "min/max and nulls from the Parquet footer statistics";
    for (Schema.Field f : schema.getFields()) {
      Statistics<?> s = stats.get(f.name());
      if (!Values.hasRange(f.schema())) {
        ranges.put(f.name(), new Range("-", "-", "-"));
      } else if (rows == 0) {
        ranges.put(f.name(), new Range("0", "-", "-"));
      } else if (s == null || incomplete.contains(f.name())) {
        ranges.put(f.name(), new Range("?", "?", "?"));
      } else {
        String nulls = s.isNumNullsSet() ? Long.toString(s.getNumNulls()) : "?";
        if (!s.hasNonNullValue()) {
          ranges.put(f.name(), new Range(nulls, "null", "null"));
        } else {
          Schema type = Values.nonNull(f.schema());
          ranges.put(f.name(), new Range(nulls, statValue(s.genericGetMin(), type), statValue(s.genericGetMax(), type)));
        }
      }
    }
    readParquetRows(target, wanted);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void merge(
      Map<String, Statistics<?>> stats, Set<String> incomplete, String name, ColumnChunkMetaData column) {
    Statistics chunk = column.getStatistics();
    if (chunk == null || chunk.isEmpty()) {
      incomplete.add(name);
      return;
    }
    try {
      Statistics acc = stats.computeIfAbsent(name, k -> Statistics.createStats(column.getPrimitiveType()));
      acc.mergeStatistics(chunk);
    } catch (RuntimeException e) {
      incomplete.add(name); // the files disagree on the column's type
    }
  }

  private static String statValue(Object v, Schema type) {
    if (v instanceof Binary b) {
      return switch (type.getType()) {
        case STRING, ENUM -> Values.text(b.toStringUsingUTF8());
        default -> "0x" + java.util.HexFormat.of().formatHex(b.getBytes());
      };
    }
    return Values.format(v, type);
  }

  private static Schema avroSchema(ParquetMetadata footer) {
    String text = footer.getFileMetaData().getKeyValueMetaData().get(AVRO_SCHEMA_KEY);
    if (text != null) {
      return new Schema.Parser().parse(text);
    }
    return new AvroSchemaConverter(new Configuration(false)).convert(footer.getFileMetaData().getSchema());
  }

  private void readParquetRows(InspectTarget target, int wanted) throws Unreadable {
    for (String file : target.files()) {
      if (firstRows.size() >= wanted) {
        return;
      }
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(ParquetFiles.inputFile(file))
          .withDataModel(GenericData.get())
          .build()) {
        for (GenericRecord r = reader.read(); r != null && firstRows.size() < wanted; r = reader.read()) {
          firstRows.add(r);
        }
      } catch (IOException | RuntimeException e) {
        throw Unreadable.file(file, e);
      }
    }
  }

  // ---------------------------------------------------------------- Avro

  /** Running null count and min/max of one column over Avro rows. */
  private static final class Tally {
    final Schema type;
    long nulls;
    Object min;
    Object max;
    boolean broken;

    Tally(Schema type) {
      this.type = type;
    }

    void add(Object v) {
      if (v == null) {
        nulls++;
        return;
      }
      try {
        if (min == null || GenericData.get().compare(v, min, type) < 0) {
          min = v;
        }
        if (max == null || GenericData.get().compare(v, max, type) > 0) {
          max = v;
        }
      } catch (RuntimeException e) {
        broken = true; // a file whose column has another type
      }
    }
  }

  /** Takes the rows of the Avro files one file after the other: the first file's schema, tallies, first rows. */
  private final class AvroRows implements ListeningLogReader.Handler<GenericRecord> {
    final Map<String, Tally> tallies = new LinkedHashMap<>();
    final int wanted;
    int otherSchemas;
    /** The tallies and the position of their column in the current file. */
    final Map<Tally, Integer> positions = new LinkedHashMap<>();

    AvroRows(int wanted) {
      this.wanted = wanted;
    }

    @Override
    public void start(Schema fileSchema) {
      if (schema == null) {
        schema = fileSchema;
        schemaSource = "the writer schema in the Avro file header";
        for (Schema.Field f : schema.getFields()) {
          if (Values.hasRange(f.schema())) {
            tallies.put(f.name(), new Tally(Values.nonNull(f.schema())));
          }
        }
      } else if (!schema.equals(fileSchema)) {
        otherSchemas++;
      }
      positions.clear();
      for (Map.Entry<String, Tally> e : tallies.entrySet()) {
        Schema.Field f = fileSchema.getField(e.getKey());
        if (f == null) {
          e.getValue().broken = true;
        } else {
          positions.put(e.getValue(), f.pos());
        }
      }
    }

    @Override
    public void record(GenericRecord r, long position) {
      // readAsWritten gives a new record each time, so the min/max kept are not overwritten in place.
      for (Map.Entry<Tally, Integer> e : positions.entrySet()) {
        e.getKey().add(r.get(e.getValue()));
      }
      if (firstRows.size() < wanted) {
        firstRows.add(r);
      }
    }
  }

  private void readAvro(InspectTarget target, int wanted) throws Unreadable {
    AvroRows avro = new AvroRows(wanted);
    for (Part part : target.parts()) {
      long partRows = 0;
      for (String file : part.files()) {
        try {
          partRows += ListeningLogReader.readAsWritten(file, avro);
        } catch (ListeningLogReader.UnreadableFileException e) {
          throw new Unreadable(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
          throw Unreadable.file(file, e);
        }
      }
      rowsPerPart.put(part, partRows);
      rows += partRows;
    }
    Map<String, Tally> tallies = avro.tallies;
    int otherSchemas = avro.otherSchemas;
    if (otherSchemas > 0) {
      notes.add(otherSchemas + " file(s) carry a different writer schema; shown: the first file's");
    }
    rangeSource = "min/max and nulls computed by reading every row";
    for (Schema.Field f : schema.getFields()) {
      Tally t = tallies.get(f.name());
      if (t == null) {
        ranges.put(f.name(), new Range("-", "-", "-"));
      } else if (t.broken) {
        ranges.put(f.name(), new Range("?", "?", "?"));
      } else if (rows == 0) {
        ranges.put(f.name(), new Range("0", "-", "-"));
      } else {
        ranges.put(f.name(), new Range(Long.toString(t.nulls),
            t.min == null ? "null" : Values.format(t.min, t.type),
            t.max == null ? "null" : Values.format(t.max, t.type)));
      }
    }
  }
}
