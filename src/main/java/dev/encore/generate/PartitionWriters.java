package dev.encore.generate;

import dev.encore.avro.ListeningEvent;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The open Avro files of one file number (part-0000K) across all arrival days.
 *
 * <p>Each file number is written by one thread only, users in a fixed order, so the files are the same
 * whatever the thread scheduling. Avro normally picks a random sync marker per file; here it is derived from
 * the seed and the file's name, so the same options give byte-identical files.
 */
final class PartitionWriters implements Closeable {
  /** Deflate: readable by every Avro implementation (no native library needed), and compact. */
  private static final int DEFLATE_LEVEL = 6;

  private final DataFileWriter<ListeningEvent>[] writers;

  @SuppressWarnings({"unchecked", "rawtypes"})
  PartitionWriters(Path output, LocalDate from, int days, int fileIndex, long seed) throws IOException {
    writers = new DataFileWriter[days];
    try {
      for (int d = 0; d < days; d++) {
        String relative = partitionDir(from.plusDays(d)) + "/" + fileName(fileIndex);
        OutputStream out = Files.newOutputStream(output.resolve(relative));
        DataFileWriter<ListeningEvent> writer =
            new DataFileWriter<>(new SpecificDatumWriter<>(ListeningEvent.class));
        writer.setCodec(CodecFactory.deflateCodec(DEFLATE_LEVEL));
        writers[d] = writer.create(ListeningEvent.getClassSchema(), out, syncMarker(seed, relative));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  static String partitionDir(LocalDate day) {
    return "dt=" + day;
  }

  static String fileName(int fileIndex) {
    return String.format("part-%05d.avro", fileIndex);
  }

  private static byte[] syncMarker(long seed, String relativePath) {
    long h = seed;
    for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
      h = Rng.mix(h * 31 + b);
    }
    return ByteBuffer.allocate(16).putLong(Rng.mix(h)).putLong(Rng.mix(h ^ 0x5DEECE66DL)).array();
  }

  void append(int dayIndex, ListeningEvent event) throws IOException {
    writers[dayIndex].append(event);
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (DataFileWriter<ListeningEvent> w : writers) {
      if (w != null) {
        try {
          w.close();
        } catch (IOException e) {
          failure = failure == null ? e : failure;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
