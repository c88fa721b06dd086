package dev.encore.inspect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/** How inspect writes Avro types and values: one line each, the same on every machine. */
final class Values {
  static final int MAX_WIDTH = 40;

  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter LOCAL_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

  private Values() {}

  /** The schema without its null branch when it is a two-branch union with null; otherwise the schema. */
  static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION && s.getTypes().size() == 2) {
      for (Schema branch : s.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL) ? branch : s;
        }
      }
    }
    return s;
  }

  static boolean nullable(Schema s) {
    return s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL);
  }

  /** A top-level field whose min/max inspect shows: a primitive (possibly with a logical type), maybe nullable. */
  static boolean hasRange(Schema s) {
    Schema t = nonNull(s);
    return switch (t.getType()) {
      case STRING, ENUM, INT, LONG, FLOAT, DOUBLE, BOOLEAN -> true;
      default -> false;
    };
  }

  /**
   * A type as people say it: logical types by name ({@code timestamp-millis}, {@code date}), arrays as
   * {@code list<...>}, and {@code ?} after a type that may be null.
   */
  static String type(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      Schema t = nonNull(s);
      if (t != s) {
        return type(t) + "?";
      }
      List<String> branches = new ArrayList<>();
      for (Schema b : s.getTypes()) {
        branches.add(type(b));
      }
      return "union<" + String.join(", ", branches) + ">";
    }
    LogicalType logical = s.getLogicalType();
    if (logical instanceof LogicalTypes.Decimal d) {
      return "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
    }
    if (logical != null) {
      return logical.getName();
    }
    return switch (s.getType()) {
      case ARRAY -> "list<" + type(s.getElementType()) + ">";
      case MAP -> "map<string, " + type(s.getValueType()) + ">";
      case RECORD -> "record " + s.getName();
      case ENUM -> "enum " + s.getName();
      case FIXED -> "fixed(" + s.getFixedSize() + ")";
      default -> s.getType().getName();
    };
  }

  /** A value of schema {@code s} on one line, untruncated. */
  static String format(Object v, Schema s) {
    if (v == null) {
      return "null";
    }
    if (s.getType() == Schema.Type.UNION) {
      return format(v, s.getTypes().get(GenericData.get().resolveUnion(s, v)));
    }
    LogicalType logical = s.getLogicalType();
    if (logical != null) {
      String done = formatLogical(v, s, logical);
      if (done != null) {
        return done;
      }
    }
    switch (s.getType()) {
      case ARRAY: {
        List<String> items = new ArrayList<>();
        for (Object item : (Iterable<?>) v) {
          items.add(format(item, s.getElementType()));
        }
        return "[" + String.join(", ", items) + "]";
      }
      case MAP: {
        List<String> items = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          items.add(oneLine(String.valueOf(e.getKey())) + ": " + format(e.getValue(), s.getValueType()));
        }
        return "{" + String.join(", ", items) + "}";
      }
      case RECORD: {
        GenericRecord r = (GenericRecord) v;
        List<String> items = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
          items.add(f.name() + "=" + format(r.get(f.pos()), f.schema()));
        }
        return "{" + String.join(", ", items) + "}";
      }
      case BYTES:
        return "0x" + HexFormat.of().formatHex(bytes((ByteBuffer) v));
      case FIXED:
        return "0x" + HexFormat.of().formatHex(((GenericFixed) v).bytes());
      default:
        return text(v.toString());
    }
  }

  /** A string on one line; the empty string as {@code ""}, so it is never an invisible cell. */
  static String text(String s) {
    return s.isEmpty() ? "\"\"" : oneLine(s);
  }

  private static String formatLogical(Object v, Schema s, LogicalType logical) {
    switch (logical.getName()) {
      case "timestamp-millis":
        return v instanceof Long ms ? MILLIS.format(Instant.ofEpochMilli(ms)) : null;
      case "timestamp-micros":
        return v instanceof Long us ? MICROS.format(Instant.EPOCH.plus(us, ChronoUnit.MICROS)) : null;
      case "local-timestamp-millis":
        return v instanceof Long ms
            ? LOCAL_MILLIS.format(Instant.ofEpochMilli(ms).atOffset(ZoneOffset.UTC).toLocalDateTime())
            : null;
      case "date":
        return v instanceof Integer d ? LocalDate.ofEpochDay(d).toString() : null;
      case "time-millis":
        return v instanceof Integer ms ? LocalTime.ofNanoOfDay(ms * 1_000_000L).toString() : null;
      case "decimal": {
        int scale = ((LogicalTypes.Decimal) logical).getScale();
        if (v instanceof ByteBuffer b) {
          return new BigDecimal(new BigInteger(bytes(b)), scale).toPlainString();
        }
        if (v instanceof GenericFixed f) {
          return new BigDecimal(new BigInteger(f.bytes()), scale).toPlainString();
        }
        return null;
      }
      default:
        return null;
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer copy = b.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  /** Line breaks, tabs and other control characters escaped, so a value never breaks a line. */
  static String oneLine(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (out == null) {
          out = new StringBuilder(s.substring(0, i));
        }
        switch (c) {
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> out.append(String.format("\\u%04x", (int) c));
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  /** At most {@link #MAX_WIDTH} characters; a longer text ends in {@code ...}. */
  static String truncate(String s) {
    if (s.length() <= MAX_WIDTH) {
      return s;
    }
    int keep = MAX_WIDTH - 3;
    if (Character.isHighSurrogate(s.charAt(keep - 1))) {
      keep--;
    }
    return s.substring(0, keep) + "...";
  }
}
