package dev.encore.ingest;

import dev.encore.avro.ListeningEvent;
import dev.encore.records.RecordCoder;
import java.io.IOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * The one reader of the listening logs' Avro files, for the pipeline's ingest, inspect and the benchmark's
 * references: opened through Beam's file systems, decoded by Avro's fast reader, each record handed over with its
 * position in the file; a file that cannot be read to its end (not Avro, garbled, truncated) is an
 * {@link UnreadableFileException} that names the file and where reading stopped, never record content.
 */
public final class ListeningLogReader {
  private static final SpecificData EVENT_MODEL = RecordCoder.fastModel(ListeningEvent.class);

  private ListeningLogReader() {}

  /**
   * Receives the records of one file.
   *
   * @param <T> the record type
   */
  @FunctionalInterface
  public interface Handler<T> {
    /** Called once before the first record, with the schema the file was written with. */
    default void start(Schema writerSchema) throws IOException {}

    /** One record and its position (0, 1, …) in the file. */
    void record(T record, long position) throws IOException;
  }

  /** Receives the records of a partition's files, with the file and its number in the run. */
  @FunctionalInterface
  public interface PartitionHandler {
    /** One record of file {@code path}, numbered {@code fileIndex}, at {@code position} in it. */
    void record(ListeningEvent event, String path, int fileIndex, long position) throws IOException;
  }

  /** A file could not be read to its end; the message names it and says where and why. */
  public static final class UnreadableFileException extends IOException {
    private final String problem;

    UnreadableFileException(String path, String problem) {
      super("Cannot read input file " + path + " " + problem);
      this.problem = problem;
    }

    /** Where reading stopped and why, e.g. {@code (at record 12): ...}. */
    public String problem() {
      return problem;
    }
  }

  /**
   * Reads every record of a file as the input contract's {@link ListeningEvent} (Avro schema resolution, so older
   * and newer writers both read). The event object is reused for the next record: a handler keeps what it needs,
   * not the event.
   *
   * @return the number of records
   * @throws UnreadableFileException when the file cannot be read to its end; any other exception comes from the
   *     handler
   */
  public static long readEvents(String path, Handler<ListeningEvent> handler) throws IOException {
    Schema contract = ListeningEvent.getClassSchema();
    return read(path, new SpecificDatumReader<>(contract, contract, EVENT_MODEL), true, handler);
  }

  /**
   * Reads every record of a file as written (its own schema, generic records), a new object per record: for looking
   * at a file as it is rather than as the pipeline reads it.
   *
   * @return the number of records
   * @throws UnreadableFileException when the file cannot be read to its end
   */
  public static long readAsWritten(String path, Handler<GenericRecord> handler) throws IOException {
    GenericData model = new GenericData().setFastReaderEnabled(true);
    return read(path, new GenericDatumReader<>(null, null, model), false, handler);
  }

  /**
   * Reads the files of an arrival partition in order ({@link #readEvents}).
   *
   * @param firstFileIndex the number of the partition's first file in the run; the others follow
   * @return the number of records
   */
  public static long readPartition(InputPartition partition, int firstFileIndex, PartitionHandler handler)
      throws IOException {
    long records = 0;
    int fileIndex = firstFileIndex;
    for (String path : partition.files()) {
      int index = fileIndex++;
      records += readEvents(path, (event, position) -> handler.record(event, path, index, position));
    }
    return records;
  }

  private static <T> long read(String path, DatumReader<T> datumReader, boolean reuse, Handler<T> handler)
      throws IOException {
    SeekableChannelInput in = null;
    DataFileReader<T> reader;
    long length;
    try {
      in = SeekableChannelInput.open(path);
      length = in.length();
      reader = new DataFileReader<>(in, datumReader);
    } catch (IOException | AvroRuntimeException e) {
      // Avro's messages name schema fields and sync problems, not record values.
      UnreadableFileException unreadable = new UnreadableFileException(path, "(at record 0): " + e.getMessage());
      if (in != null) {
        try {
          in.close();
        } catch (IOException closing) {
          unreadable.addSuppressed(closing);
        }
      }
      throw unreadable;
    }
    long position = 0;
    try (reader) {
      handler.start(reader.getSchema());
      T record = null;
      while (true) {
        // Only decoding is guarded: a garbled block can fail in many ways (even an index out of bounds), and is a
        // bad file; what the handler does with a record is not.
        try {
          if (!reader.hasNext()) {
            break;
          }
          record = reader.next(reuse ? record : null);
        } catch (RuntimeException e) {
          throw new UnreadableFileException(path, "(at record " + position + "): " + e);
        }
        handler.record(record, position);
        position++;
      }
      // Avro stops quietly when a file ends inside a block header: whatever follows the last complete block must
      // be nothing, or the file was truncated.
      long trailing = length - reader.previousSync();
      if (trailing != 0) {
        throw new UnreadableFileException(path, "(after record " + position + "): the file is truncated, its last "
            + trailing + " bytes are not a complete block");
      }
    }
    return position;
  }
}
