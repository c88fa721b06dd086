package dev.encore.inspect;

import dev.encore.EncoreException;
import dev.encore.inspect.InspectTarget.Part;
import dev.encore.publish.PartitionLayout;
import dev.encore.store.StoreArgs;
import dev.encore.store.StoreFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code encore inspect PATH [--rows=N] [store options]}: what a dataset folder, a partition, a Parquet file or an
 * Avro input partition or file holds, on any store: the schema with each field's type and doc, the row count, per
 * column null count and min/max, the partitions with the run metadata Encore wrote beside them, and the first
 * rows. A partition published on an object store is found through its manifest.
 *
 * <p>Parquet is read from the footers (the Avro schema Encore stores under {@code parquet.avro.schema}, row
 * counts, column statistics); only the previewed rows are read. Avro files are read row by row. The output is
 * plain text and depends on the files only, so it is the same on every machine.
 *
 * <p>Exit codes: 0 done; 2 bad command line; 3 the path is not something inspect reads, or a file is unreadable.
 */
public final class InspectCommand {
  static final int DEFAULT_ROWS = 5;

  static final String USAGE =
      """
      Usage: java -jar encore.jar inspect PATH [--rows=N] [store options]

      Prints the schema (each field's type and doc), the row count, per column nulls and min/max, the partitions
      with their run metadata (_run.json) and the first N rows (default 5) of PATH, which is one of:
        a dataset folder holding dt=YYYY-MM-DD partitions   <output>/sessions, or the logs root
        one partition folder                                <output>/sessions/dt=2024-03-29, <logs>/dt=2024-03-30
        a single .parquet or .avro file
      PATH is a local path, or on hdfs://, s3:// or gs://. The store options are those of nightly:
      --endpoint=, --awsRegion=, --awsCredentialsProvider=, --s3PathStyleAccess=true for S3;
      --hdfsConfiguration= for HDFS; the GCP options for GCS.
      """;

  private InspectCommand() {}

  /**
   * Runs the command; {@code args} are the words after {@code inspect}. Returns the exit code, never exits the
   * JVM.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String path = null;
    int rows = DEFAULT_ROWS;
    List<String> storeArgs = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(USAGE);
        return 0;
      } else if (arg.startsWith("--rows=")) {
        String value = arg.substring("--rows=".length());
        try {
          rows = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          rows = -1;
        }
        if (rows < 0) {
          return usage(err, "--rows must be a whole number >= 0, not '" + value + "'");
        }
      } else if (arg.startsWith("--")) {
        storeArgs.add(arg);
      } else if (arg.startsWith("-")) {
        return usage(err, "unknown option " + arg + " (inspect takes --rows=N and the store options)");
      } else if (path != null) {
        return usage(err, "one PATH only, got '" + path + "' and '" + arg + "'");
      } else {
        path = arg;
      }
    }
    if (path == null) {
      return usage(err, "PATH is missing");
    }
    PipelineOptions options;
    try {
      options = StoreArgs.parse(storeArgs);
    } catch (IllegalArgumentException e) {
      // Beam's parser names the unknown or malformed option.
      return usage(err, e.getMessage());
    } catch (EncoreException e) {
      return usage(err, e.getMessage());
    }
    InspectTarget target;
    Inspection inspection;
    try {
      target = InspectTarget.resolve(path, options);
      inspection = Inspection.of(target, rows);
    } catch (InspectTarget.BadPath e) {
      err.println("encore inspect: error: " + e.getMessage() + ". " + InspectTarget.ACCEPTS + ".");
      return EncoreException.INPUT;
    } catch (Inspection.Unreadable | IOException | java.io.UncheckedIOException e) {
      err.println("encore inspect: error: " + e.getMessage()
          + ". The file may be damaged or still being written.");
      return EncoreException.INPUT;
    }
    render(target, inspection, rows, out);
    return 0;
  }

  private static int usage(PrintStream err, String message) {
    err.println("encore inspect: error: " + message + ".");
    err.print(USAGE);
    return EncoreException.USAGE;
  }

  // ---------------------------------------------------------------- output

  static void render(InspectTarget target, Inspection in, int wanted, PrintStream out) {
    int files = target.files().size();
    StringBuilder head = new StringBuilder();
    head.append(target.format().label).append(' ').append(target.kind().label).append(' ').append(target.path());
    if (target.kind() == InspectTarget.Kind.DATASET) {
      head.append(" (").append(plural(target.parts().size(), "partition")).append(", ")
          .append(plural(files, "file")).append(')');
    } else if (target.kind() == InspectTarget.Kind.PARTITION) {
      head.append(" (").append(plural(files, "file")).append(')');
    }
    out.println(head);
    out.println("rows: " + in.rows + (target.format() == InspectTarget.Format.PARQUET
        ? " (from the Parquet footers)" : " (counted by reading the Avro files)"));
    for (String note : in.notes) {
      out.println("note: " + note);
    }

    Schema schema = in.schema;
    out.println();
    out.println("schema " + schema.getFullName() + ", from " + in.schemaSource + ":");
    if (schema.getDoc() != null) {
      out.println("  " + Values.oneLine(schema.getDoc()));
    }
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"field", "type", "doc"});
    addFields(fields, "", schema);
    table(out, fields, false);
    out.println("  (type? = may be null)");

    out.println();
    out.println("columns (" + in.rangeSource + "; top-level primitive columns only):");
    List<String[]> columns = new ArrayList<>();
    columns.add(new String[] {"column", "nulls", "min", "max"});
    for (Map.Entry<String, Inspection.Range> e : in.ranges.entrySet()) {
      Inspection.Range r = e.getValue();
      columns.add(new String[] {e.getKey(), r.nulls(), Values.truncate(r.min()), Values.truncate(r.max())});
    }
    table(out, columns, true);

    out.println();
    out.println("partitions (run metadata from each partition's _run.json, where Encore wrote one):");
    List<String[]> parts = new ArrayList<>();
    // On object stores a manifest publishes a partition where a folder has _SUCCESS: shown in its place.
    boolean manifests = target.manifests();
    parts.add(new String[] {"partition", "files", "rows", manifests ? PartitionLayout.MANIFEST : PartitionLayout.SUCCESS,
        "run_id", "date", "run rows"});
    for (Part p : target.parts()) {
      String[] meta = runMetadata(p.dir());
      parts.add(new String[] {
          p.name() == null ? "(not a dt= partition: " + StoreFiles.name(p.dir()) + ")" : p.name(),
          Integer.toString(p.files().size()),
          Long.toString(in.rowsPerPart.getOrDefault(p, 0L)),
          p.manifest() != null ? p.manifest() : p.success() ? "yes" : "no",
          meta[0], meta[1], meta[2]});
    }
    table(out, parts, true);

    out.println();
    if (wanted == 0) {
      out.println("rows preview: none (--rows=0)");
      return;
    }
    out.println("first " + in.firstRows.size() + " of " + in.rows + " rows (values cut at "
        + Values.MAX_WIDTH + " characters):");
    if (in.firstRows.isEmpty()) {
      return;
    }
    List<String[]> rows = new ArrayList<>();
    List<Schema.Field> top = schema.getFields();
    rows.add(top.stream().map(Schema.Field::name).toArray(String[]::new));
    for (GenericRecord r : in.firstRows) {
      String[] line = new String[top.size()];
      for (int i = 0; i < top.size(); i++) {
        Schema.Field f = top.get(i);
        Object v = r.getSchema().getField(f.name()) == null ? null : r.get(f.name());
        line[i] = Values.truncate(Values.format(v, f.schema()));
      }
      rows.add(line);
    }
    table(out, rows, false);
  }

  /** Fields and their docs; the fields of nested records follow as {@code parent.child} ({@code parent[].child} in lists). */
  private static void addFields(List<String[]> out, String prefix, Schema record) {
    for (Schema.Field f : record.getFields()) {
      String name = prefix + f.name();
      out.add(new String[] {name, Values.type(f.schema()), f.doc() == null ? "" : Values.oneLine(f.doc())});
      Schema t = Values.nonNull(f.schema());
      if (t.getType() == Schema.Type.RECORD) {
        addFields(out, name + ".", t);
      } else if (t.getType() == Schema.Type.ARRAY && Values.nonNull(t.getElementType()).getType() == Schema.Type.RECORD) {
        addFields(out, name + "[].", Values.nonNull(t.getElementType()));
      }
    }
  }

  /** run_id, date and rows of a partition's _run.json, or dashes when there is none. */
  private static String[] runMetadata(String dir) {
    PartitionLayout.Published files = new PartitionLayout.Published(dir, List.of());
    if (!StoreFiles.exists(files.metadataPath())) {
      return new String[] {"-", "-", "-"};
    }
    try {
      Map<String, Object> meta = files.metadata();
      return new String[] {text(meta.get("run_id")), text(meta.get("date")), text(meta.get("rows"))};
    } catch (IOException | RuntimeException e) {
      return new String[] {"(unreadable _run.json)", "-", "-"};
    }
  }

  private static String text(Object o) {
    return o == null ? "-" : Values.oneLine(o.toString());
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  /**
   * Prints rows as columns, two spaces apart, indented by two; the first row is the header. Columns after the
   * first are right-aligned when {@code numbersRight} and their values are numbers (or a dash or ?).
   */
  private static void table(PrintStream out, List<String[]> rows, boolean numbersRight) {
    int n = rows.get(0).length;
    int[] width = new int[n];
    boolean[] right = new boolean[n];
    for (int c = 0; c < n; c++) {
      boolean numbers = false;
      boolean others = false;
      for (int r = 0; r < rows.size(); r++) {
        String v = rows.get(r)[c];
        width[c] = Math.max(width[c], v.length());
        if (r > 0 && v.matches("-?[0-9]+")) {
          numbers = true;
        } else if (r > 0 && !v.matches("-|\\?")) {
          others = true;
        }
      }
      right[c] = numbersRight && c > 0 && numbers && !others;
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < n; c++) {
        String v = row[c];
        String pad = " ".repeat(width[c] - v.length());
        line.append(right[c] ? pad + v : v + (c < n - 1 ? pad : ""));
        if (c < n - 1) {
          line.append("  ");
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
