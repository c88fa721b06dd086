package dev.encore.publish;

import dev.encore.store.StoreFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopCodecs;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes one Parquet file of Avro records, the way every Encore dataset is written: parquet-avro with the
 * dataset's data model (see {@link Dataset#model()}), so logical types (timestamp-millis, date) become real Parquet logical types, and the
 * standard 3-level LIST structure. (ParquetIO's sink re-creates the data model from its class and so loses the
 * generated classes' logical-type conversions; this writes through Beam's file systems the same way it does.)
 */
public final class ParquetFiles {
  private ParquetFiles() {}

  /**
   * Writes {@code records}, in the order given, to a new Parquet file at {@code path} (any Beam file system).
   *
   * @return the number of records written
   */
  public static long write(
      String path, Schema schema, GenericData model, Iterable<? extends GenericRecord> records)
      throws IOException {
    long n = 0;
    try (ParquetWriter<GenericRecord> writer = open(path, schema, model)) {
      for (GenericRecord record : records) {
        writer.write(record);
        n++;
      }
    }
    return n;
  }

  /**
   * Opens a new Parquet file at {@code path} (any Beam file system) for records written one by one, in order;
   * the file is complete once the writer is closed. {@link #write} in pieces, for writers that stream rows.
   */
  public static ParquetWriter<GenericRecord> open(String path, Schema schema, GenericData model)
      throws IOException {
    Configuration conf = new Configuration(false);
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    ResourceId file = FileSystems.matchNewResource(path, false);
    return AvroParquetWriter.<GenericRecord>builder(new ChannelOutputFile(file))
        .withSchema(schema)
        .withDataModel(model)
        .withConf(conf)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  /**
   * Hadoop settings for reading: empty, so Parquet's and parquet-avro's defaults apply. Parquet's reader builder
   * makes a {@code new Configuration()} per file instead, which parses Hadoop's default XML files (core-, mapred-,
   * yarn-default, about 450 kB) every time: that was two thirds of publishing's and the report's time.
   */
  private static final Configuration READ_CONF = new Configuration(false);

  /** Reads every record of Parquet file {@code path} (any Beam file system), in file order, as generic records. */
  public static void read(String path, Consumer<GenericRecord> records) throws IOException {
    // Fetched whole, in one read: Encore's files are small, and on an object store every seek of a channel is a
    // request of its own. Read row group by row group as ParquetReader does, with READ_CONF.
    ParquetReadOptions options =
        ParquetReadOptions.builder().withCodecFactory(HadoopCodecs.newFactory(READ_CONF, 0)).build();
    try (ParquetFileReader reader = ParquetFileReader.open(new BytesInputFile(StoreFiles.read(path)), options)) {
      FileMetaData meta = reader.getFooter().getFileMetaData();
      MessageType fileSchema = meta.getSchema();
      Map<String, Set<String>> keyValues = new HashMap<>();
      meta.getKeyValueMetaData().forEach((k, v) -> keyValues.put(k, Collections.singleton(v))); // v may be null
      AvroReadSupport<GenericRecord> support = new AvroReadSupport<>(GenericData.get());
      ReadSupport.ReadContext context = support.init(new InitContext(READ_CONF, keyValues, fileSchema));
      RecordMaterializer<GenericRecord> materializer =
          support.prepareForRead(READ_CONF, meta.getKeyValueMetaData(), fileSchema, context);
      MessageColumnIO columns =
          new ColumnIOFactory(meta.getCreatedBy()).getColumnIO(context.getRequestedSchema(), fileSchema, true);
      reader.setRequestedSchema(context.getRequestedSchema());
      for (PageReadStore rowGroup = reader.readNextRowGroup(); rowGroup != null;
          rowGroup = reader.readNextRowGroup()) {
        RecordReader<GenericRecord> rows = columns.getRecordReader(rowGroup, materializer, FilterCompat.NOOP);
        for (long i = 0; i < rowGroup.getRowCount(); i++) {
          records.accept(rows.read());
        }
      }
    }
  }

  /** Parquet file {@code path} (any Beam file system) as Parquet's input file, e.g. to read its footer. */
  public static InputFile inputFile(String path) {
    return new ChannelInputFile(FileSystems.matchNewResource(path, false));
  }

  /** A Parquet input file held in memory. */
  private record BytesInputFile(byte[] bytes) implements InputFile {
    @Override
    public long getLength() {
      return bytes.length;
    }

    @Override
    public SeekableInputStream newStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(bytes);
      return new DelegatingSeekableInputStream(in) {
        @Override
        public long getPos() {
          return bytes.length - in.available();
        }

        @Override
        public void seek(long newPos) {
          in.reset();
          in.skip(newPos);
        }
      };
    }
  }

  /** A Parquet input file backed by a Beam file system channel (seekable on every file system Beam has). */
  private static final class ChannelInputFile implements InputFile {
    private final ResourceId file;

    ChannelInputFile(ResourceId file) {
      this.file = file;
    }

    @Override
    public long getLength() throws IOException {
      return FileSystems.matchSingleFileSpec(file.toString()).sizeBytes();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      SeekableByteChannel channel = (SeekableByteChannel) FileSystems.open(file);
      return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
        @Override
        public long getPos() throws IOException {
          return channel.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
          channel.position(newPos);
        }
      };
    }
  }

  /** A Parquet output file backed by a Beam file system channel. */
  private static final class ChannelOutputFile implements OutputFile {
    private final ResourceId file;

    ChannelOutputFile(ResourceId file) {
      this.file = file;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      return createOrOverwrite(blockSizeHint);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      OutputStream out = Channels.newOutputStream(FileSystems.create(file, MimeTypes.BINARY));
      return new PositionOutputStream() {
        private long position;

        @Override
        public long getPos() {
          return position;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          position += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }
}
