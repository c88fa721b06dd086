package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.InputPartition;
import dev.encore.nightly.NightlyConfig;
import dev.encore.nightly.NightlyOptions;
import dev.encore.nightly.NightlyPipeline;
import dev.encore.nightly.NightlyPlan;
import dev.encore.nightly.NightlyPlanner;
import dev.encore.nightly.NightlyRun;
import dev.encore.nightly.Outputs;
import dev.encore.publish.OutputRoot;
import dev.encore.publish.PartitionLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.util.DataflowTemplateJob;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.SnappyInputStream;

/**
 * The real nightly graph ({@link NightlyPipeline#build}) translated by Beam's Dataflow runner into a Dataflow job
 * file, without network: the runner writes the job to {@code --templateLocation} and returns instead of submitting;
 * credentials and path checks are Beam's no-op ones; the runner's own staging goes to a local folder. Every HTTP
 * connection the JVM tries meanwhile is recorded (and sent to a closed port): there must be none.
 *
 * <p>The run is planned from the local {@code testdata/} and then pointed at {@code gs://} logs. The output root is
 * local here, because claiming a {@code gs://} root (its marker and lock objects) needs GCS itself; the graph's
 * staging path comes from the root the same way on every store (checked on S3 and HDFS by the store tests).
 */
class DataflowJobFileTest {
  private static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();
  private static final String GS_LOGS = "gs://encore-example-logs/listening";
  private static final String PROJECT = "encore-example";
  private static final String REGION = "europe-west1";
  private static final String TEMP = "gs://encore-example-dataflow/temp";
  /** The bytes 0x82 "SNAPPY", the header of Snappy's framed format, in base64. */
  private static final String SNAPPY_BASE64 = "glNOQVBQWQ";

  private final List<URI> connections = Collections.synchronizedList(new ArrayList<>());
  private ProxySelector previous;

  @BeforeEach
  void recordEveryConnection() {
    previous = ProxySelector.getDefault();
    ProxySelector.setDefault(new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        connections.add(uri);
        // Not an IOException, which Google's clients would retry for minutes: the attempt fails at once.
        throw new IllegalStateException("This test allows no network; something tried " + uri);
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
    });
  }

  @AfterEach
  void restore() {
    ProxySelector.setDefault(previous);
  }

  @Test
  void theNightlyGraphOnGcsTranslatesIntoADataflowJobFileWithoutNetwork(@TempDir Path tmp) throws IOException {
    Path jobFile = tmp.resolve("nightly-job.json");
    Path out = tmp.resolve("out");
    NightlyOptions options = PipelineOptionsFactory.fromArgs(
        "--date=2024-05-29",
        "--logs=" + LOGS,
        "--output=" + out,
        "--runner=DataflowRunner",
        "--project=" + PROJECT,
        "--region=" + REGION,
        "--tempLocation=" + TEMP,
        // Given, not derived from tempLocation: deriving it looks up the bucket's soft delete policy on GCS.
        "--gcpTempLocation=" + TEMP,
        "--jobName=encore-nightly-2024-05-29",
        "--templateLocation=" + jobFile,
        "--stagingLocation=" + tmp.resolve("dataflow-staging"),
        "--filesToStage=" + smallJar(tmp.resolve("encore-stand-in.jar")),
        "--pathValidatorClass=" + NoopPathValidator.class.getName(),
        "--credentialFactoryClass=" + NoopCredentialFactory.class.getName())
        .as(NightlyOptions.class);

    NightlyConfig config = NightlyConfig.from(options);
    NightlyPlanner planner = new NightlyPlanner(config, PartitionLayout.of(config.output(), options));
    NightlyPlan plan = planner.plan();
    ArrivalPartitions.Found input = planner.input(plan);
    PipelineResult result;
    try (OutputRoot root = OutputRoot.claim(config.output(), config.logs(), options)) {
      NightlyRun local = planner.prepare(plan, input, root, Outputs.standard(config.rewardSpec()), Instant.now(),
          DataflowRunner.class.getSimpleName());
      NightlyRun run = onGcs(local);
      result = NightlyPipeline.build(Pipeline.create(options), run).run();
    }

    assertThat(result, org.hamcrest.Matchers.instanceOf(DataflowTemplateJob.class));
    assertEquals(List.of(), connections, "no HTTP connection may be attempted");

    JsonNode job = new ObjectMapper().readTree(jobFile.toFile());
    assertEquals("encore-nightly-2024-05-29", job.get("name").asText());
    assertEquals("JOB_TYPE_BATCH", job.get("type").asText());
    List<String> steps = new ArrayList<>();
    job.get("steps").forEach(s -> steps.add(s.get("properties").get("user_name").get("value").asText()));
    List<String> topLevel = steps.stream().map(s -> s.split("/")[0]).distinct().toList();
    assertThat(topLevel, hasItems("IngestListeningLogs", "Sessionize", "ReadActivityHistory", "ComputeRewards",
        "WriteSessions", "WriteActivity", "WriteRejected", "WriteUserRewards", "WriteUserEntityRewards",
        "WriteEntityRewards", "WriteRunCounts"));

    JsonNode env = job.get("environment");
    assertEquals(TEMP, env.get("tempStoragePrefix").asText());
    assertEquals("Apache Beam SDK for Java", env.get("userAgent").get("name").asText());
    assertEquals("2.62.0", env.get("userAgent").get("version").asText());
    assertEquals("JAVA_BATCH_AUTOSCALING", env.get("version").get("job_type").asText());
    JsonNode given = env.get("sdkPipelineOptions").get("options");
    assertEquals(PROJECT, given.get("project").asText());
    assertEquals(REGION, given.get("region").asText());
    assertEquals(DataflowRunner.class.getName(), given.get("runner").asText());
    assertEquals("2024-05-29", given.get("date").asText());

    // The input files travel inside the serialized source of "ListInputFiles" (base64 of Snappy-framed bytes).
    String embedded = decodedPayloads(job);
    assertEquals(true, input.partitions().size() > 1, "the run reads several arrival days");
    for (InputPartition p : input.partitions()) {
      for (String file : p.files()) {
        String onGcs = GS_LOGS + file.substring(LOGS.toString().length());
        assertTrue(embedded.contains(onGcs), "the job reads " + onGcs);
      }
    }
    assertTrue(!embedded.contains(LOGS.toString()), "no local logs path left in the graph");
  }

  /** The same run with its logs on GCS: the partitions' folders and files under {@link #GS_LOGS}. */
  private static NightlyRun onGcs(NightlyRun run) {
    String local = LOGS.toString();
    List<InputPartition> partitions = run.input().partitions().stream()
        .map(p -> new InputPartition(p.day(), GS_LOGS + p.dir().substring(local.length()),
            p.files().stream().map(f -> GS_LOGS + f.substring(local.length())).toList()))
        .toList();
    return new NightlyRun(run.config(), run.plan(), new ArrivalPartitions.Found(partitions, run.input().skipped()),
        run.calendar(), run.rejectedDays(), run.activityRebuiltWhy(), run.reusedActivityFiles(), run.outputs(), run.root(), run.runId(),
        run.started(), run.runner());
  }

  /**
   * Every string value of the job that is base64 of Snappy-framed bytes (how Beam serializes sources and functions),
   * decompressed, as Latin-1 text.
   */
  private static String decodedPayloads(JsonNode node) {
    StringBuilder all = new StringBuilder();
    if (node.isTextual() && node.asText().startsWith(SNAPPY_BASE64)) {
      try {
        byte[] bytes = Base64.getDecoder().decode(node.asText());
        try (SnappyInputStream in = new SnappyInputStream(new ByteArrayInputStream(bytes))) {
          all.append(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).append('\n');
        }
      } catch (IllegalArgumentException | IOException notAPayload) {
        // An ordinary string.
      }
    }
    node.forEach(child -> all.append(decodedPayloads(child)));
    return all.toString();
  }

  /** A one-entry jar standing in for target/encore-dataflow.jar: the runner hashes and copies what it stages. */
  private static String smallJar(Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new ZipEntry("README"));
      out.write("stand-in".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar.toString();
  }
}
