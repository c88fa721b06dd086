package dev.encore.publish;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** Writes one Parquet file of Avro records, the way every Encore dataset is written. */
public final class ParquetFiles {
  private ParquetFiles() {}

  /**
   * Writes {@code records}, in the order given, to a new Parquet file at {@code path} (any Beam file system).
   * Logical types (timestamp-millis, date) become real Parquet logical types; lists use the standard 3-level
   * LIST structure.
   *
   * @return the number of records written
   */
  public static <T extends SpecificRecord> long write(
      String path, Class<T> type, Iterable<? extends T> records) throws IOException {
    Schema schema = SpecificData.get().getSchema(type);
    ParquetIO.Sink sink =
        ParquetIO.sink(schema)
            .withAvroDataModel(SpecificData.getForClass(type))
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withConfiguration(java.util.Map.of("parquet.avro.write-old-list-structure", "false"));
    ResourceId file = FileSystems.matchNewResource(path, false);
    long n = 0;
    try (WritableByteChannel channel = FileSystems.create(file, MimeTypes.BINARY)) {
      sink.open(channel);
      for (T record : records) {
        sink.write((GenericRecord) record);
        n++;
      }
      sink.flush();
    }
    return n;
  }
}
