package dev.encore.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.nightly.OutputDataset;
import dev.encore.nightly.Outputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The compatibility rules of the published dataset schemas: what a reader of a released version may rely on, and
 * the release bookkeeping ({@code versions.json}, {@code CHANGELOG.md}, {@code released/<dataset>.v<N>.avsc}) that
 * a breaking change needs.
 */
public final class SchemaGuard {
  private static final Pattern ENTRY = Pattern.compile("(?m)^##\\s+`?([a-z_]+)`?\\s+v(\\d+)\\b");

  private SchemaGuard() {}

  /** Every dataset of a registry with its committed schema file: the guard's input. */
  public static Map<String, String> schemaFiles(Outputs outputs) {
    Map<String, String> files = new LinkedHashMap<>();
    for (OutputDataset<?> o : outputs) {
      files.put(o.name(), o.schemaFile());
    }
    return files;
  }

  /**
   * The changes from {@code released} to {@code current} that break a reader of the released version (empty when
   * compatible). Breaking: a field removed; a field's type changed, including its nullability, its logical type and
   * a list's element type; a field added that is not nullable (older partitions lack it, so readers would see
   * nulls). Compatible: a nullable field added, a doc or a default edited, union branches reordered.
   */
  static List<String> breakingChanges(Schema released, Schema current) {
    List<String> problems = new ArrayList<>();
    for (Schema.Field old : released.getFields()) {
      Schema.Field now = current.getField(old.name());
      if (now == null) {
        problems.add("field " + old.name() + " was removed");
      } else if (!shape(old.schema()).equals(shape(now.schema()))) {
        problems.add("field " + old.name() + " changed type from " + shape(old.schema()) + " to "
            + shape(now.schema()));
      }
    }
    for (Schema.Field now : current.getFields()) {
      if (released.getField(now.name()) == null && !nullable(now.schema())) {
        problems.add("field " + now.name() + " was added as " + shape(now.schema())
            + ", not nullable (partitions written before it have no value)");
      }
    }
    // Avro's own verdict: can a reader built on the released schema read what is written now? It catches what the
    // field-by-field check would miss in nested types; it allows removals and promotions we do not, hence both.
    SchemaCompatibility.SchemaPairCompatibility avro =
        SchemaCompatibility.checkReaderWriterCompatibility(released, current);
    if (avro.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE && problems.isEmpty()) {
      problems.add("Avro finds it incompatible for readers of the released schema: " + avro.getDescription());
    }
    return problems;
  }

  /** The type of a field as readers see it: doc, defaults, names of records and union order do not count. */
  static String shape(Schema schema) {
    switch (schema.getType()) {
      case UNION:
        return schema.getTypes().stream().map(SchemaGuard::shape).sorted().collect(Collectors.joining("|", "(", ")"));
      case ARRAY:
        return "array<" + shape(schema.getElementType()) + ">";
      case MAP:
        return "map<" + shape(schema.getValueType()) + ">";
      case RECORD:
        return schema.getFields().stream().map(f -> f.name() + ":" + shape(f.schema()))
            .collect(Collectors.joining(",", "record{", "}"));
      case ENUM:
        return "enum" + schema.getEnumSymbols();
      case FIXED:
        return "fixed(" + schema.getFixedSize() + ")" + logical(schema);
      default:
        return schema.getType().getName() + logical(schema);
    }
  }

  private static String logical(Schema schema) {
    return schema.getLogicalType() == null ? "" : "/" + schema.getLogicalType().getName();
  }

  static boolean nullable(Schema schema) {
    return schema.getType() == Schema.Type.NULL
        || (schema.getType() == Schema.Type.UNION
            && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL));
  }

  /**
   * Every problem of the schemas folder {@code dir} (holding {@code versions.json}, {@code CHANGELOG.md} and
   * {@code released/}) for the published datasets, given as dataset name to schema file name. Empty when every
   * current schema is compatible with the snapshot of its dataset's current version and the bookkeeping is complete.
   */
  public static List<String> check(Path dir, Map<String, String> datasets) {
    List<String> problems = new ArrayList<>();
    JsonNode versions = readJson(dir.resolve("versions.json"));
    Set<String> changelog = changelogEntries(read(dir.resolve("CHANGELOG.md")));
    for (Map.Entry<String, String> d : datasets.entrySet()) {
      String name = d.getKey();
      JsonNode v = versions.get(name);
      if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
        problems.add(name + ": versions.json has no version (a positive integer) for it");
        continue;
      }
      int version = v.asInt();
      for (int n = 1; n <= version; n++) {
        if (!changelog.contains(name + " v" + n)) {
          problems.add(name + ": CHANGELOG.md has no entry \"## " + name + " v" + n + " (YYYY-MM-DD)\"");
        }
      }
      Path snapshot = dir.resolve("released").resolve(name + ".v" + version + ".avsc");
      if (!Files.exists(snapshot)) {
        problems.add(name + ": version " + version + " has no released snapshot " + snapshot
            + "; copy " + dir.resolve(d.getValue()) + " there");
        continue;
      }
      Schema released = new Schema.Parser().parse(read(snapshot));
      Schema current = new Schema.Parser().parse(read(dir.resolve(d.getValue())));
      List<String> breaking = breakingChanges(released, current);
      if (!breaking.isEmpty()) {
        int next = version + 1;
        problems.add(name + ": " + d.getValue() + " breaks readers of released version " + version + " ("
            + String.join("; ", breaking) + "). If this is intended, release version " + next + ": set \"" + name
            + "\": " + next + " in versions.json, add \"## " + name + " v" + next
            + " (YYYY-MM-DD)\" to CHANGELOG.md saying what readers must change, and copy " + d.getValue()
            + " to released/" + name + ".v" + next + ".avsc");
      }
    }
    for (var it = versions.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!datasets.containsKey(name)) {
        problems.add(name + ": in versions.json but not a published dataset");
      }
    }
    return problems;
  }

  /** "dataset vN" for every {@code ## dataset vN} heading. */
  static Set<String> changelogEntries(String changelog) {
    Set<String> entries = new HashSet<>();
    Matcher m = ENTRY.matcher(changelog);
    while (m.find()) {
      entries.add(m.group(1) + " v" + Integer.parseInt(m.group(2)));
    }
    return entries;
  }

  private static JsonNode readJson(Path file) {
    try {
      return new ObjectMapper().readTree(read(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
