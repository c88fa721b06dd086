package dev.encore.testing;

import dev.encore.avro.ListeningEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/** Writes small listening-log partitions for tests, exactly as the upstream contract lays them out. */
public final class LogsFixture {
  private LogsFixture() {}

  /** Writes {@code events} to {@code <logs>/dt=<day>/<file>} and seals the partition with {@code _SUCCESS}. */
  public static Path writePartition(Path logs, LocalDate day, String file, List<ListeningEvent> events)
      throws IOException {
    Path dir = logs.resolve("dt=" + day);
    Files.createDirectories(dir);
    Path path = dir.resolve(file);
    try (DataFileWriter<ListeningEvent> w =
        new DataFileWriter<>(new SpecificDatumWriter<>(ListeningEvent.class))) {
      w.create(ListeningEvent.getClassSchema(), path.toFile());
      for (ListeningEvent e : events) {
        w.append(e);
      }
    }
    seal(logs, day);
    return path;
  }

  /** Creates {@code _SUCCESS} in the partition of {@code day}. */
  public static void seal(Path logs, LocalDate day) throws IOException {
    Path dir = logs.resolve("dt=" + day);
    Files.createDirectories(dir);
    if (!Files.exists(dir.resolve("_SUCCESS"))) {
      Files.createFile(dir.resolve("_SUCCESS"));
    }
  }

  /** Seals empty partitions for every day from {@code from} to {@code to} that has none yet. */
  public static void sealDays(Path logs, LocalDate from, LocalDate to) throws IOException {
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      seal(logs, d);
    }
  }
}
