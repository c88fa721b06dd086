package dev.encore.nightly;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.avro.Session;
import dev.encore.config.JobDefinition;
import dev.encore.docs.DatasetReference;
import dev.encore.docs.SchemaGuard;
import dev.encore.publish.Dataset;
import dev.encore.publish.PartitionLayout;
import dev.encore.publish.Publisher;
import dev.encore.report.RunReport;
import dev.encore.rewards.RewardSpec;
import dev.encore.testing.DuckDb;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding a dataset takes its schema, its registry entry and the transform that produces its rows, and nothing
 * else: a toy dataset declared only here is staged, published with {@code _SUCCESS} and {@code _run.json}, and
 * appears in the run summary, the run metadata, the report's row counts, {@code docs/datasets.md} and the schema
 * guard. A dataset whose rows fall on days it does not declare fails the run, naming the partition.
 */
class AddADatasetTest {
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  static final LocalDate DATE = LocalDate.parse("2024-03-30");

  /** 1. The schema. */
  static final String TOY_SCHEMA = """
      {"type": "record", "name": "ToyRow", "namespace": "dev.encore.test",
       "doc": "Dataset toy: one row per (user, day) with the number of sessions the user started that day.",
       "fields": [
         {"name": "user_id", "type": "string", "doc": "Listener. First sort key."},
         {"name": "sessions", "type": "long", "doc": "Sessions the user started on the day, >= 1."}
       ]}""";

  static final Dataset<GenericRecord> TOY = Dataset.of("toy", new Schema.Parser().parse(TOY_SCHEMA), "user_id");

  /** 2. The registry entry: written on the session days, from the sessions. */
  static final OutputDataset<GenericRecord> TOY_ENTRY = OutputDataset.of(TOY)
      .describedAs("user with a session starting on a day", List.of("user_id"), "the UTC day the sessions start")
      .writtenOn(run -> run.plan().sessionDays())
      .rows(stages -> stages.sessions().apply("CountToySessions", new SessionsPerUserDay()));

  @TempDir static Path tmp;
  static Path out;
  static Outputs outputs;
  static NightlySummary summary;

  @BeforeAll
  static void runWithTheToyDataset() {
    out = tmp.resolve("out");
    summary = NightlyJob.run(options(DATE, out), spec -> Outputs.standard(spec).with(TOY_ENTRY));
    outputs = Outputs.standard(RewardSpec.of(JobDefinition.builtIn())).with(TOY_ENTRY);
  }

  @Test
  void toyPartitionsArePublishedWithTheirRows() throws Exception {
    List<Path> partitions;
    try (Stream<Path> s = Files.list(out.resolve("toy"))) {
      partitions = s.sorted().toList();
    }
    // Session days of run T with L = 3: T-4 .. T-1.
    assertThat(partitions.stream().map(p -> p.getFileName().toString()).toList(), equalTo(List.of(
        "dt=2024-03-26", "dt=2024-03-27", "dt=2024-03-28", "dt=2024-03-29")));
    for (Path p : partitions) {
      assertThat(p + "/_SUCCESS", Files.exists(p.resolve(Publisher.SUCCESS)), equalTo(true));
      Map<String, Object> meta = Publisher.readMetadata(p);
      assertThat(meta.get("dataset"), equalTo("toy"));
      String dt = p.getFileName().toString().substring(3);
      // The rows the run staged, as its exact counts say, are the rows published.
      long rows = summary.rows("toy").get(dt);
      assertThat(((Number) meta.get("rows")).longValue(), equalTo(rows));
      assertThat(DuckDb.queryLong("SELECT count(*) FROM read_parquet('" + p + "/*.parquet')"), equalTo(rows));
    }
    // The rows, against an independent count over the published sessions.
    String toy = DuckDb.readDataset(out, "toy");
    String sessions = DuckDb.readDataset(out, "sessions");
    assertThat(DuckDb.queryLong("SELECT count(*) FROM (SELECT dt, user_id, sessions FROM " + toy
        + " EXCEPT ALL SELECT dt, user_id, count(*) FROM " + sessions + " GROUP BY dt, user_id)"), equalTo(0L));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM (SELECT dt, user_id, count(*) FROM " + sessions
        + " GROUP BY dt, user_id EXCEPT ALL SELECT dt, user_id, sessions FROM " + toy + ")"), equalTo(0L));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + toy), greaterThan(50L));
  }

  @Test
  void toyIsInTheSummaryAndTheRunMetadata() throws Exception {
    long total = summary.rows("toy").values().stream().mapToLong(Long::longValue).sum();
    assertThat(summary.render(), containsString("toy written: " + total + " rows"));
    assertThat(summary.published(), hasItem("toy/dt=2024-03-29"));
    Map<?, ?> record = new ObjectMapper().readValue(
        new java.io.File(NightlyPlanner.runRecord(
            PartitionLayout.of(out.toString(), PipelineOptionsFactory.create()), DATE)), Map.class);
    Map<?, ?> toyRows = (Map<?, ?>) ((Map<?, ?>) record.get("outputs")).get("toy");
    assertThat(((Number) toyRows.get("2024-03-29")).longValue(), equalTo(summary.rows("toy").get("2024-03-29")));
    Map<?, ?> inPartition = (Map<?, ?>) Publisher.readMetadata(out.resolve("sessions/dt=2024-03-29")).get("outputs");
    assertThat(inPartition.containsKey("toy"), equalTo(true));
  }

  @Test
  void toyIsInTheReportsRowCounts() throws Exception {
    Path html = RunReport.write(out, outputs.names());
    long total = DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "toy"));
    // Partitions, first and last dt, rows.
    assertThat(Files.readString(html), matchesPattern("(?s).*<tr><td>toy</td><td class=\"n\">4</td><td>[^<]*"
        + "</td><td>[^<]*</td><td class=\"n\">" + total + "</td></tr>.*"));
  }

  @Test
  void toyIsDocumented() {
    String page = DatasetReference.render(outputs);
    assertThat(page, containsString("\n## toy\n"));
    assertThat(page, containsString("| `sessions` | BIGINT | no | Sessions the user started on the day, >= 1. |"));
    assertThat(page, containsString("| [`toy`](#toy) | user with a session starting on a day | `user_id` |"));
    assertThat(DatasetReference.render(), not(containsString("## toy")));
  }

  @Test
  void theSchemaGuardAsksForTheToysReleaseThenAcceptsIt() throws Exception {
    Path schemas = tmp.resolve("schemas");
    TreeSnapshot.copy(Path.of("schemas"), schemas);
    Files.writeString(schemas.resolve("toy.avsc"), TOY_SCHEMA);
    List<String> problems = SchemaGuard.check(schemas, SchemaGuard.schemaFiles(outputs));
    assertThat(problems, equalTo(List.of("toy: versions.json has no version (a positive integer) for it")));

    String versions = Files.readString(schemas.resolve("versions.json"));
    Files.writeString(schemas.resolve("versions.json"), versions.replaceFirst("\\{", "{\n  \"toy\": 1,"));
    Files.writeString(schemas.resolve("CHANGELOG.md"),
        Files.readString(schemas.resolve("CHANGELOG.md")) + "\n## toy v1 (2026-11-30)\n\ninitial\n");
    Files.writeString(schemas.resolve("released/toy.v1.avsc"), TOY_SCHEMA);
    assertThat(SchemaGuard.check(schemas, SchemaGuard.schemaFiles(outputs)), empty());
  }

  @Test
  void rowsOnUndeclaredDaysFailTheRunNamingThePartition() {
    // The same transform, but the entry says it writes only the last session day.
    OutputDataset<GenericRecord> tooFewDays =
        TOY_ENTRY.writtenOn(run -> List.of(run.plan().date().minusDays(1)));
    Path root = tmp.resolve("orphans");
    EncoreException e = assertThrows(EncoreException.class, () -> NightlyJob.run(
        options(LocalDate.parse("2024-01-10"), root), spec -> Outputs.standard(spec).with(tooFewDays)));
    assertThat(e.getMessage(), containsString("toy/dt=2024-01-08"));
    assertThat(e.getMessage(), not(containsString("toy/dt=2024-01-09")));
    assertThat(e.exitCode(), equalTo(EncoreException.PIPELINE));
    assertThat("nothing published", Files.exists(root.resolve("sessions")), equalTo(false));
    assertThat("staging cleaned", hasFiles(root.resolve("_encore/staging")), equalTo(false));
  }

  /** 3. The transform: sessions per (user, start day), keyed by the day. */
  static class SessionsPerUserDay
      extends org.apache.beam.sdk.transforms.PTransform<PCollection<KV<String, Session>>,
          PCollection<KV<String, GenericRecord>>> {
    @Override
    public PCollection<KV<String, GenericRecord>> expand(PCollection<KV<String, Session>> sessions) {
      return sessions
          .apply("KeyByDayAndUser", MapElements.into(TypeDescriptors.strings())
              .via((KV<String, Session> s) -> s.getKey() + "|" + s.getValue().getUserId()))
          .apply("CountPerDayAndUser", Count.perElement())
          .apply("ToRows", ParDo.of(new ToRowFn()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), TOY.coder()));
    }
  }

  static class ToRowFn extends DoFn<KV<String, Long>, KV<String, GenericRecord>> {
    @ProcessElement
    public void process(@Element KV<String, Long> count, OutputReceiver<KV<String, GenericRecord>> out) {
      String[] dayAndUser = count.getKey().split("\\|", 2);
      GenericRecord row = new GenericData.Record(TOY.schema());
      row.put("user_id", dayAndUser[1]);
      row.put("sessions", count.getValue());
      out.output(KV.of(dayAndUser[0], row));
    }
  }

  private static NightlyOptions options(LocalDate date, Path output) {
    NightlyOptions o = PipelineOptionsFactory.fromArgs(
        "--date=" + date, "--logs=" + LOGS, "--output=" + output).as(NightlyOptions.class);
    o.setRunner(FlinkRunner.class);
    return o;
  }

  private static boolean hasFiles(Path dir) {
    if (!Files.exists(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.anyMatch(Files::isRegularFile);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
