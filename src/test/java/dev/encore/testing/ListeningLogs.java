package dev.encore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/** Test helpers to write listening-log partitions as plain Avro, without the generated classes. */
public final class ListeningLogs {
  /** Reader schema of the input contract, relative to the repository root (Maven's working directory). */
  public static final Path SCHEMA_FILE = Path.of("schemas", "listening_event.avsc");

  private static Schema schema;

  private ListeningLogs() {}

  /** The project's listening_event.avsc, parsed once; fails clearly when the tests run elsewhere. */
  public static synchronized Schema schema() {
    if (schema == null) {
      Path file = SCHEMA_FILE.toAbsolutePath();
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException(
            "listening_event.avsc not found at " + file + "; run the tests from the repository root");
      }
      try {
        schema = new Schema.Parser().parse(file.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return schema;
  }

  /** The directory of one arrival partition: {@code <logs>/dt=YYYY-MM-DD}. */
  public static Path partitionDir(Path logsRoot, LocalDate dt) {
    return logsRoot.resolve("dt=" + dt);
  }

  /** Writes records to one Avro container file (parent directories created); no records gives a header-only file. */
  public static void write(Path file, Schema writerSchema, List<GenericRecord> records) {
    try {
      Files.createDirectories(file.getParent());
      try (DataFileWriter<GenericRecord> writer =
          new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(writerSchema))) {
        writer.create(writerSchema, file.toFile());
        for (GenericRecord record : records) {
          writer.append(record);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Marks an arrival partition complete with an empty {@code _SUCCESS} file. */
  public static void markSuccess(Path partitionDir) {
    try {
      Files.createDirectories(partitionDir);
      Files.write(partitionDir.resolve("_SUCCESS"), new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
