package dev.encore.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.avro.ListeningEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader of listening-log files, on the committed sample and on a damaged copy of one of its files. */
class ListeningLogReaderTest {
  static final Path PARTITION = Path.of("testdata/logs/dt=2024-03-30");

  @TempDir Path tmp;

  static InputPartition partition() {
    return new InputPartition(LocalDate.parse("2024-03-30"), PARTITION.toString(), List.of(
        PARTITION.resolve("part-00000.avro").toString(), PARTITION.resolve("part-00001.avro").toString()));
  }

  @Test
  void aPartitionIsReadFileByFileWithRunWideFileNumbersAndPositions() throws Exception {
    List<String> seen = new ArrayList<>();
    long records = ListeningLogReader.readPartition(partition(), 7, (event, path, fileIndex, position) -> {
      if (position == 0) {
        seen.add(Path.of(path).getFileName() + "#" + fileIndex);
      }
    });
    // 153 records in dt=2024-03-30 (testdata/logs/_generator.json).
    assertThat(records, equalTo(153L));
    assertThat(seen, equalTo(List.of("part-00000.avro#7", "part-00001.avro#8")));
  }

  @Test
  void asWrittenGivesTheFilesSchemaAndTheSameRecords() throws Exception {
    String file = PARTITION.resolve("part-00000.avro").toString();
    List<Schema> schemas = new ArrayList<>();
    List<Object> ids = new ArrayList<>();
    long n = ListeningLogReader.readAsWritten(file, new ListeningLogReader.Handler<>() {
      @Override
      public void start(Schema writerSchema) {
        schemas.add(writerSchema);
      }

      @Override
      public void record(GenericRecord r, long position) {
        ids.add(String.valueOf(r.get("event_id")));
      }
    });
    List<Object> contractIds = new ArrayList<>();
    long m = ListeningLogReader.readEvents(file, (ListeningEvent e, long position) -> contractIds.add(e.getEventId()));
    assertThat(n, equalTo(m));
    assertThat(ids, equalTo(contractIds));
    assertThat(schemas.size(), equalTo(1));
    assertThat(schemas.get(0).getFullName(), equalTo("dev.encore.avro.ListeningEvent"));
  }

  @Test
  void aTruncatedFileIsNamedWithWhereReadingStopped() throws Exception {
    Path file = tmp.resolve("part-00000.avro");
    Files.copy(PARTITION.resolve("part-00000.avro"), file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    ListeningLogReader.UnreadableFileException e = assertThrows(ListeningLogReader.UnreadableFileException.class,
        () -> ListeningLogReader.readEvents(file.toString(), (event, position) -> {}));
    assertThat(e.getMessage(), containsString("Cannot read input file " + file + " ("));
    assertThat(e.problem(), containsString("record"));
  }

  @Test
  void aFileThatIsNotAvroIsNamed() throws Exception {
    Path file = tmp.resolve("part-00000.avro");
    Files.writeString(file, "not avro");
    ListeningLogReader.UnreadableFileException e = assertThrows(ListeningLogReader.UnreadableFileException.class,
        () -> ListeningLogReader.readAsWritten(file.toString(), (record, position) -> {}));
    assertThat(e.getMessage(), containsString("Cannot read input file " + file + " (at record 0): "));
  }

  @Test
  void whatTheHandlerThrowsIsNotBlamedOnTheFile() {
    String file = PARTITION.resolve("part-00000.avro").toString();
    IOException e = assertThrows(IOException.class,
        () -> ListeningLogReader.readEvents(file, (event, position) -> {
          throw new IOException("disk full");
        }));
    assertThat(e.getMessage(), equalTo("disk full"));
  }
}
