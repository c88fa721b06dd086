package dev.encore.operations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertAll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.testing.DuckDb;
import dev.encore.testing.TreeSnapshot;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's console output (what a scheduler keeps in its logs) and the run's log file (the engines' log,
 * with stack traces) never hold record values: not those of rejected records, not those of accepted or private
 * ones, neither on success nor when a file is corrupt.
 */
class NoRawRecordsInLogsIT {
  static final Path JAR = Path.of("target/encore.jar");
  static final Path LOGS = Path.of("testdata/logs");
  static final String T = "2024-03-30";
  /** Id fields of the input contract: opaque identifiers (12 to 22 characters in the sample). */
  static final List<String> ID_FIELDS =
      List.of("event_id", "user_id", "item_id", "artist_id", "album_id", "show_id");
  /** Shorter values could occur in a log line by chance. */
  static final int MIN_LENGTH = 8;

  @TempDir Path tmp;

  record Result(int code, String output) {
    /** The log file a failed run names ({@code encore nightly: full log: PATH}). */
    Path logFile() {
      String prefix = "encore nightly: full log: ";
      return Path.of(output.lines().filter(l -> l.startsWith(prefix)).findFirst()
          .orElseThrow(() -> new AssertionError("no log file named:\n" + output)).substring(prefix.length()));
    }
  }

  /**
   * Runs the jar; stdout and stderr go to one capture, interleaved as a scheduler's log file gets them. The child's
   * temporary folder is {@code dir/tmp}.
   */
  static Result encore(Path dir, String... args) throws IOException, InterruptedException {
    Path childTmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + childTmp, "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Path log = dir.resolve("console.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("encore " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  @Test
  void aSuccessfulRunPrintsNoRecordValues() throws Exception {
    // An Encore output root (as its first run leaves it), so that the run keeps its log file there.
    Path out = tmp.resolve("out");
    Files.createDirectories(out.resolve("_encore"));
    Files.writeString(out.resolve("_encore/ROOT"), "This folder is an Encore output root.\n");
    Result r = encore(tmp, "nightly", "--date=" + T, "--logs=" + LOGS, "--output=" + out);
    assertThat(r.output(), r.code(), equalTo(0));
    assertThat(r.output(), containsString("encore nightly " + T + ": done"));
    String log = onlyLogFile(out.resolve("_encore/logs"));

    Set<String> rejected = rejectedValues(out);
    // The sample's 2024-03-30 arrival holds rejections, so this is not vacuous.
    assertThat(rejected.size(), greaterThan(0));
    Set<String> input = inputValues(LOGS.resolve("dt=" + T));
    assertThat(input.size(), greaterThan(100));
    assertThat("rejected record values in the console output", leaked(r.output(), rejected), empty());
    assertThat("input record values in the console output", leaked(r.output(), input), empty());
    assertThat("rejected record values in the log file", leaked(log, rejected), empty());
    assertThat("input record values in the log file", leaked(log, input), empty());
  }

  /** The text of the one log file in {@code dir}. */
  static String onlyLogFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> logs = files.toList();
      assertThat(logs.toString(), logs.size(), equalTo(1));
      return Files.readString(logs.get(0), StandardCharsets.UTF_8);
    }
  }

  /** A part file cut to half its size, as a copy that died half-way leaves it. */
  @Test
  void aTruncatedFileFailsTheRunNamingItButNoRecordValues() throws Exception {
    corruptFileFailsTheRunNamingItButNoRecordValues(file -> {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(f.length() / 2);
      }
    });
  }

  /** A part file with 64 bytes in its middle overwritten (the file keeps its size). */
  @Test
  void aGarbledFileFailsTheRunNamingItButNoRecordValues() throws Exception {
    corruptFileFailsTheRunNamingItButNoRecordValues(file -> {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.seek(f.length() / 2);
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0xA5);
        f.write(garbage);
      }
    });
  }

  interface Corruption {
    void apply(Path file) throws IOException;
  }

  void corruptFileFailsTheRunNamingItButNoRecordValues(Corruption corruption) throws Exception {
    Path logs = TreeSnapshot.copy(LOGS, tmp.resolve("logs"));
    Path corrupt = logs.resolve("dt=" + T).resolve("part-00001.avro");
    Set<String> values = inputValues(logs.resolve("dt=" + T));
    corruption.apply(corrupt);
    Path out = tmp.resolve("out");
    Result r = encore(tmp, "nightly", "--date=" + T, "--logs=" + logs, "--output=" + out);

    // Every facet is checked, so a failure report shows all that is wrong at once.
    assertAll(
        // Exit code 3: "input missing, not sealed, unreadable or not matching the contract".
        () -> assertThat("exit code; console output:\n" + r.output(), r.code(), equalTo(3)),
        () -> assertThat("the corrupt file is named", r.output(),
            containsString(corrupt.toAbsolutePath().toString())),
        () -> assertThat("record values in the console output", leaked(r.output(), values), empty()),
        () -> assertThat("nothing published", Files.exists(out.resolve("sessions")), equalTo(false)),
        () -> {
          String log = Files.readString(r.logFile(), StandardCharsets.UTF_8);
          // The engine's stack trace is there (not vacuous), and no record value.
          assertThat(log, containsString("\tat org.apache.flink."));
          assertThat("record values in the log file", leaked(log, values), empty());
        });
  }

  /** The values among {@code values} that occur in {@code text}. */
  static List<String> leaked(String text, Set<String> values) {
    return values.stream().filter(text::contains).toList();
  }

  /** Id values of the rejected records Encore published (read back from their original JSON). */
  static Set<String> rejectedValues(Path out) {
    ObjectMapper json = new ObjectMapper();
    Set<String> values = new TreeSet<>();
    for (List<Object> row : DuckDb.query(
        "SELECT original FROM " + DuckDb.readDataset(out, "rejected") + " WHERE original IS NOT NULL")) {
      try {
        JsonNode record = json.readTree((String) row.get(0));
        for (String field : ID_FIELDS) {
          JsonNode v = record.get(field);
          if (v != null && v.isObject()) {
            v = v.get("string"); // Avro's JSON encoding of a union branch
          }
          if (v != null && v.isTextual()) {
            add(values, v.asText());
          }
        }
      } catch (IOException e) {
        throw new AssertionError("rejected.original is not JSON", e);
      }
    }
    return values;
  }

  /** Id values of every record (accepted, private or invalid) of one arrival partition. */
  static Set<String> inputValues(Path partition) throws IOException {
    Set<String> values = new TreeSet<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(partition)) {
      files = list.filter(f -> f.toString().endsWith(".avro")).sorted().toList();
    }
    for (Path file : files) {
      try (DataFileReader<GenericRecord> reader =
          new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
        for (GenericRecord record : reader) {
          for (String field : ID_FIELDS) {
            Object v = record.get(field);
            if (v != null) {
              add(values, v.toString());
            }
          }
        }
      }
    }
    return values;
  }

  private static void add(Set<String> values, String value) {
    if (value.length() >= MIN_LENGTH) {
      values.add(value);
    }
  }
}
