package dev.encore.publish;

import dev.encore.records.RecordCoder;
import java.io.Serializable;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One published dataset: its name under the output root, its row type and schema, and its key, which orders the
 * rows within every file (and whose first field keeps a key's rows in one file).
 *
 * @param name folder under the output root, e.g. sessions
 * @param coder the rows' coder; its schema is the dataset's schema
 * @param key the key fields, in sort order
 */
public record Dataset<T extends GenericRecord>(String name, RecordCoder<T> coder, List<String> key)
    implements Serializable {

  /** A dataset of generated Avro classes. */
  public static <T extends SpecificRecordBase> Dataset<T> of(String name, Class<T> type, String... key) {
    return new Dataset<>(name, RecordCoder.of(type), List.of(key));
  }

  /** A dataset whose schema is built at run time (from the reward definitions). */
  public static Dataset<GenericRecord> of(String name, Schema schema, String... key) {
    return new Dataset<>(name, RecordCoder.of(schema), List.of(key));
  }

  public Schema schema() {
    return coder.getSchema();
  }

  /**
   * The data model parquet-avro writes with: a generated class's own (it knows its logical-type conversions),
   * or the plain generic one, whose rows carry logical types as raw ints and longs.
   */
  public GenericData model() {
    Class<T> type = coder.getType();
    return SpecificRecord.class.isAssignableFrom(type) ? SpecificData.getForClass(type) : GenericData.get();
  }

  /** Orders two rows by the key fields. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public int compare(T a, T b) {
    for (String field : key) {
      Object x = a.get(field);
      Object y = b.get(field);
      int c;
      if (x == null || y == null) {
        c = x == null ? (y == null ? 0 : -1) : 1;
      } else if (x instanceof CharSequence) {
        c = x.toString().compareTo(y.toString());
      } else {
        c = ((Comparable) x).compareTo(y);
      }
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** The value that decides a row's file within its partition: its first key field. */
  public String shardKey(T row) {
    return String.valueOf(row.get(key.get(0)));
  }
}
