package dev.encore.inspect;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.nightly.NightlyJob;
import dev.encore.nightly.NightlyOptions;
import dev.encore.publish.Publisher;
import dev.encore.testing.DuckDb;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} on real pipeline output (the committed sample through nightly) and on the sample's Avro logs. */
class InspectCommandTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  static final String DAY = "2024-03-29";

  @TempDir static Path tmp;
  static Path out;

  record Result(int code, String stdout, String stderr) {}

  @BeforeAll
  static void runNightly() {
    out = tmp.resolve("out");
    NightlyOptions options = PipelineOptionsFactory.fromArgs(
            "--date=2024-03-30", "--logs=" + LOGS, "--output=" + out)
        .as(NightlyOptions.class);
    options.setRunner(FlinkRunner.class);
    NightlyJob.run(options);
  }

  static Result inspect(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = InspectCommand.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  static Result inspectOk(String... args) {
    Result r = inspect(args);
    assertThat(r.stderr() + r.stdout(), r.code(), equalTo(0));
    return r;
  }

  static long rows(String text) {
    Matcher m = Pattern.compile("(?m)^rows: (\\d+) ").matcher(text);
    assertThat(text, m.find(), equalTo(true));
    return Long.parseLong(m.group(1));
  }

  /** nulls, min, max of a column, from the columns section. */
  static List<String> range(String text, String column) {
    String section = text.substring(text.indexOf("\ncolumns ("), text.indexOf("\npartitions ("));
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(column) + " +(\\S+) +(\\S+) +(\\S+)$").matcher(section);
    assertThat(section, m.find(), equalTo(true));
    return List.of(m.group(1), m.group(2), m.group(3));
  }

  static String fieldDoc(Path avsc, String field) throws Exception {
    return new Schema.Parser().parse(avsc.toFile()).getField(field).doc();
  }

  @Test
  void sessionPartitionShowsFooterCountRangesDocsTypesAndRunMetadata() throws Exception {
    Path partition = out.resolve("sessions/dt=" + DAY);
    String glob = "read_parquet(" + DuckDb.quote(partition + "/*.parquet") + ")";
    Result r = inspectOk(partition.toString());
    System.out.println(r.stdout());

    long count = DuckDb.queryLong("SELECT count(*) FROM " + glob);
    assertThat(count, greaterThan(0L));
    assertThat(rows(r.stdout()), equalTo(count));

    List<List<Object>> minMax = DuckDb.query("SELECT strftime(min(session_start), '%Y-%m-%dT%H:%M:%S.%gZ'),"
        + " strftime(max(session_start), '%Y-%m-%dT%H:%M:%S.%gZ'), min(user_id), max(user_id),"
        + " min(streams), max(streams) FROM " + glob);
    List<Object> mm = minMax.get(0);
    assertThat(range(r.stdout(), "session_start"), equalTo(List.of("0", mm.get(0), mm.get(1))));
    assertThat(range(r.stdout(), "user_id"), equalTo(List.of("0", mm.get(2), mm.get(3))));
    assertThat(range(r.stdout(), "streams"), equalTo(List.of("0", mm.get(4).toString(), mm.get(5).toString())));

    Path avsc = Path.of("schemas/session.avsc");
    assertThat(r.stdout(), containsString(fieldDoc(avsc, "streams")));
    assertThat(r.stdout(), containsString(fieldDoc(avsc, "session_start")));
    assertThat(r.stdout(), containsString("parquet.avro.schema"));
    assertThat(r.stdout(), Pattern.compile("(?m)^  session_start +timestamp-millis +Start of").matcher(r.stdout()).find(),
        equalTo(true));

    Map<String, Object> meta = Publisher.readMetadata(partition);
    assertThat(r.stdout(), containsString("dt=" + DAY));
    Matcher part = Pattern.compile("(?m)^  dt=" + DAY + " +1 +(\\d+) +yes +(\\S+) +(\\S+) +(\\d+)$").matcher(r.stdout());
    assertThat(r.stdout(), part.find(), equalTo(true));
    assertThat(List.of(part.group(1), part.group(2), part.group(3), part.group(4)),
        equalTo(List.of(Long.toString(count), meta.get("run_id"), "2024-03-30", meta.get("rows").toString())));

    assertThat(r.stdout(), containsString("first 5 of " + count + " rows"));
    String preview = r.stdout().substring(r.stdout().indexOf("\nfirst 5 of"));
    assertThat(preview.strip().split("\n").length, equalTo(1 + 1 + 5));
    for (String line : preview.strip().split("\n")) {
      if (line.startsWith("first ")) {
        continue;
      }
      for (String value : line.strip().split(" {2,}")) {
        assertThat(line, value.length() <= 40, equalTo(true));
      }
    }
  }

  @Test
  void datasetFolderSumsThePartitionsAndIsStable() {
    Path dataset = out.resolve("sessions");
    Result r = inspectOk(dataset.toString(), "--rows=2");
    long count = DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "sessions"));
    assertThat(rows(r.stdout()), equalTo(count));
    long partitions = DuckDb.queryLong("SELECT count(DISTINCT dt) FROM " + DuckDb.readDataset(out, "sessions"));
    assertThat(r.stdout(), containsString("Parquet dataset " + dataset + " (" + partitions + " partitions"));
    assertThat(r.stdout(), containsString("first 2 of " + count + " rows"));
    assertThat(inspectOk(dataset.toString(), "--rows=2").stdout(), equalTo(r.stdout()));
  }

  @Test
  void listsAndDatesShowTheirLogicalTypesAndNoRange() throws Exception {
    Result r = inspectOk(out.resolve("user_entity_rewards").toString(), "--rows=1");
    assertThat(r.stdout(), Pattern.compile("(?m)^  trace +list<boolean\\?> +List of 59").matcher(r.stdout()).find(),
        equalTo(true));
    assertThat(r.stdout(), Pattern.compile("(?m)^  discovery_date +date ").matcher(r.stdout()).find(),
        equalTo(true));
    assertThat(range(r.stdout(), "trace"), equalTo(List.of("-", "-", "-")));
    String glob = DuckDb.readDataset(out, "user_entity_rewards");
    List<Object> mm = DuckDb.query("SELECT min(discovery_date)::VARCHAR, max(discovery_date)::VARCHAR FROM " + glob)
        .get(0);
    assertThat(range(r.stdout(), "discovery_date").subList(1, 3), equalTo(List.of(mm.get(0), mm.get(1))));
  }

  @Test
  void singleParquetFile() throws Exception {
    Path partition = out.resolve("sessions/dt=" + DAY);
    Path file = Publisher.parquetFiles(partition).get(0);
    Result r = inspectOk(file.toString(), "--rows=0");
    assertThat(r.stdout(), containsString("Parquet file " + file));
    assertThat(rows(r.stdout()),
        equalTo(DuckDb.queryLong("SELECT count(*) FROM read_parquet(" + DuckDb.quote(file.toString()) + ")")));
    assertThat(r.stdout(), containsString("rows preview: none"));
  }

  @Test
  void avroInputPartitionCountsTheRecordsTheGeneratorWrote() throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(LOGS.resolve("_generator.json").toFile());
    long records = manifest.get("partitions").get("dt=2024-03-30").get("records").asLong();
    assertThat(records, equalTo(153L));
    Result r = inspectOk(LOGS.resolve("dt=2024-03-30").toString());
    assertThat(rows(r.stdout()), equalTo(records));
    assertThat(r.stdout(), containsString("schema dev.encore.avro.ListeningEvent, from the writer schema"));
    Path avsc = Path.of("schemas/listening_event.avsc");
    for (String field : List.of("event_id", "ts", "incognito_mode", "skipped")) {
      assertThat(r.stdout(), containsString(fieldDoc(avsc, field)));
    }
    assertThat(r.stdout(), Pattern.compile("(?m)^  ts +timestamp-millis ").matcher(r.stdout()).find(),
        equalTo(true));
    assertThat(r.stdout(), Pattern.compile("(?m)^  skipped +boolean\\? ").matcher(r.stdout()).find(),
        equalTo(true));
    assertThat(r.stdout(), Pattern.compile("(?m)^  dt=2024-03-30 +2 +153 +yes +- +- +-$").matcher(r.stdout()).find(),
        equalTo(true));
    List<String> ts = range(r.stdout(), "ts");
    assertThat(ts.get(1).compareTo(ts.get(2)) <= 0, equalTo(true));
    assertThat(ts.get(1), Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z").asMatchPredicate()
        .test(ts.get(1)) ? ts.get(1) : "not a timestamp: " + ts.get(1), equalTo(ts.get(1)));
    Result file = inspectOk(LOGS.resolve("dt=2024-03-30/part-00000.avro").toString(), "--rows=1");
    assertThat(rows(file.stdout()), greaterThan(0L));
    assertThat(rows(file.stdout()) < records, equalTo(true));
  }

  @Test
  void badPathsExitThree() {
    Path missing = tmp.resolve("no-such-thing");
    Result r = inspect(missing.toString());
    assertThat(r.code(), equalTo(3));
    assertThat(r.stderr(), containsString(missing + " does not exist"));
    assertThat(r.stderr(), containsString("inspect accepts a dataset folder"));

    Result root = inspect(out.toString());
    assertThat(root.code(), equalTo(3));
    assertThat(root.stderr(), containsString("sessions"));
    assertThat(root.stderr(), containsString("inspect one of them"));

    Result json = inspect(out.resolve("sessions/dt=" + DAY + "/_run.json").toString());
    assertThat(json.code(), equalTo(3));
    assertThat(json.stdout(), equalTo(""));
  }

  @Test
  void damagedFileExitsThreeNamingIt() throws Exception {
    Path bad = tmp.resolve("bad/part-00000.parquet");
    Files.createDirectories(bad.getParent());
    Files.writeString(bad, "not parquet");
    Result r = inspect(bad.getParent().toString());
    assertThat(r.code(), equalTo(3));
    assertThat(r.stderr(), containsString("cannot read " + bad));
  }

  @Test
  void badCommandLinesExitTwo() {
    assertThat(inspect(out.toString(), "--bogus=1").code(), equalTo(2));
    assertThat(inspect(out.toString(), "--rows=x").code(), equalTo(2));
    assertThat(inspect(out.toString(), "--rows=-1").code(), equalTo(2));
    assertThat(inspect().code(), equalTo(2));
    assertThat(inspect("a", "b").code(), equalTo(2));
    Result help = inspect("--help");
    assertThat(help.code(), equalTo(0));
    assertThat(help.stdout(), not(equalTo("")));
  }
}
