package dev.encore.records;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.avro.Conversion;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * The coder every Avro record uses between pipeline stages: Avro's binary encoding of the record, written as one
 * length-prefixed block. Beam's AvroCoder hands the runner one byte at a time (a direct encoder), which is where
 * most of a shuffle's time went on Flink; this writes and reads whole blocks, lets generated classes use the
 * encoders Avro generates for them, and reads with Avro's fast reader (no per-field grammar interpretation). The
 * bytes inside the block are exactly Avro's, so a row's encoding is as deterministic as Avro's.
 */
public final class RecordCoder<T extends IndexedRecord> extends CustomCoder<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final String schemaJson;
  private transient Schema schema;
  private transient ThreadLocal<Codec<T>> codecs;

  private RecordCoder(Class<T> type, Schema schema) {
    this.type = type;
    this.schema = schema;
    this.schemaJson = schema.toString();
    this.codecs = ThreadLocal.withInitial(this::newCodec);
  }

  /** The coder of a generated Avro class (its logical-type conversions included). */
  public static <T extends SpecificRecord> RecordCoder<T> of(Class<T> type) {
    return new RecordCoder<>(type, SpecificData.getForClass(type).getSchema(type));
  }

  /** The coder of generic records of a schema built at run time; logical types travel as raw ints and longs. */
  public static RecordCoder<GenericRecord> of(Schema schema) {
    return new RecordCoder<>(GenericRecord.class, schema);
  }

  /** The class of the rows: a generated class, or {@link GenericRecord}. */
  public Class<T> getType() {
    return type;
  }

  public Schema getSchema() {
    return schema;
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    Codec<T> codec = codecs.get();
    codec.buffer.reset();
    codec.encoder = EncoderFactory.get().binaryEncoder(codec.buffer, codec.encoder);
    codec.writer.write(value, codec.encoder);
    codec.encoder.flush();
    VarInt.encode(codec.buffer.size(), out);
    codec.buffer.writeTo(out);
  }

  @Override
  public T decode(InputStream in) throws IOException {
    Codec<T> codec = codecs.get();
    int length = VarInt.decodeInt(in);
    if (codec.block.length < length) {
      codec.block = new byte[Math.max(length, 2 * codec.block.length)];
    }
    int read = 0;
    while (read < length) {
      int n = in.read(codec.block, read, length - read);
      if (n < 0) {
        throw new IOException("A " + schema.getName() + " record ends after " + read + " of " + length + " bytes.");
      }
      read += n;
    }
    codec.decoder = DecoderFactory.get().binaryDecoder(codec.block, 0, length, codec.decoder);
    return codec.reader.read(null, codec.decoder);
  }

  @Override
  public void verifyDeterministic() {
    // Avro's binary encoding of a record is a function of its field values (our schemas hold no maps).
  }

  @Override
  public boolean consistentWithEquals() {
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordCoder<?> other && type.equals(other.type) && schemaJson.equals(other.schemaJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, schemaJson);
  }

  @Override
  public String toString() {
    return "RecordCoder(" + schema.getFullName() + ")";
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    schema = new Schema.Parser().parse(schemaJson);
    codecs = ThreadLocal.withInitial(this::newCodec);
  }

  @SuppressWarnings("unchecked")
  private Codec<T> newCodec() {
    if (SpecificRecord.class.isAssignableFrom(type)) {
      SpecificData model = fastModel(type);
      return new Codec<>(
          new SpecificDatumWriter<>(schema, model), new SpecificDatumReader<>(schema, schema, model));
    }
    GenericData model = new GenericData().setFastReaderEnabled(true);
    return new Codec<>(
        (DatumWriter<T>) new GenericDatumWriter<GenericRecord>(schema, model),
        (DatumReader<T>) new GenericDatumReader<GenericRecord>(schema, schema, model));
  }

  /**
   * A data model for a generated class with its logical-type conversions, Avro's generated encoders and its fast
   * reader turned on: a model of our own, so that the class's shared one is left as it is.
   */
  public static SpecificData fastModel(Class<?> type) {
    SpecificData model = new SpecificData(type.getClassLoader());
    for (Conversion<?> c : SpecificData.getForClass(type).getConversions()) {
      model.addLogicalTypeConversion(c);
    }
    model.setCustomCoders(true);
    model.setFastReaderEnabled(true);
    return model;
  }

  /** One thread's writer, reader and buffers (Avro's readers and writers are not shared between threads). */
  private static final class Codec<T> {
    final DatumWriter<T> writer;
    final DatumReader<T> reader;
    final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    BinaryEncoder encoder;
    BinaryDecoder decoder;
    byte[] block = new byte[256];

    Codec(DatumWriter<T> writer, DatumReader<T> reader) {
      this.writer = writer;
      this.reader = reader;
    }
  }
}
