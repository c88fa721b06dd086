package dev.encore.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * Generator output read back with plain Avro (GenericDatumReader, no generated class, no generator code), in
 * delivery order: partitions by day, files by name, records by position.
 */
final class WrittenLogs {
  static final long DAY = 86_400_000L;
  static final long HOUR = 3_600_000L;

  /** One record with where it was found. */
  record Row(LocalDate arrival, String file, long position, GenericRecord record) {
    long arrivalDay() {
      return arrival.toEpochDay();
    }

    String str(String field) {
      Object v = record.get(field);
      return v == null ? null : v.toString();
    }

    long ts() {
      return (Long) record.get("ts");
    }

    long tsDay() {
      return Math.floorDiv(ts(), DAY);
    }

    long msPlayed() {
      return (Long) record.get("ms_played");
    }

    boolean flag(String field) {
      return Boolean.TRUE.equals(record.get(field));
    }
  }

  final List<LocalDate> partitions = new ArrayList<>();
  final List<Row> rows = new ArrayList<>();
  final JsonNode manifest;

  WrittenLogs(Path output) throws IOException {
    try (Stream<Path> dirs = Files.list(output)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        LocalDate day = LocalDate.parse(dir.getFileName().toString().substring("dt=".length()));
        partitions.add(day);
        try (Stream<Path> files = Files.list(dir)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".avro")).sorted().toList()) {
            try (DataFileReader<GenericRecord> reader =
                new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
              long position = 0;
              for (GenericRecord r : reader) {
                rows.add(new Row(day, dir.getFileName() + "/" + file.getFileName(), position++, r));
              }
            }
          }
        }
      }
    }
    manifest = new ObjectMapper().readTree(output.resolve("_generator.json").toFile());
  }

  /**
   * The faults of a record by the input rules of SPEC.md, given the arrival day and allowed lateness; a valid
   * record has none.
   */
  static List<String> faults(Row row, int allowedLatenessDays) {
    List<String> faults = new ArrayList<>();
    if ("".equals(row.str("event_id")) || "".equals(row.str("user_id")) || "".equals(row.str("item_id"))) {
      faults.add("missing_field");
    }
    String type = row.str("content_type");
    if (!"TRACK".equals(type) && !"EPISODE".equals(type)) {
      faults.add("unknown_content_type");
    }
    if (row.msPlayed() < 0) {
      faults.add("negative_ms_played");
    }
    if (row.ts() > (row.arrivalDay() + 1) * DAY + HOUR) {
      faults.add("future_timestamp");
    }
    if (row.tsDay() < row.arrivalDay() - allowedLatenessDays) {
      faults.add("too_late");
    }
    return faults;
  }
}
