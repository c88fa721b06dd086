package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.publish.ParquetFiles;
import dev.encore.publish.PartitionLayout;
import dev.encore.testing.MotoS3;
import dev.encore.testing.PublishedRows;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * "Run it on your cluster", proven on one machine: {@code src/cluster/flink-session-cluster.sh} starts a Flink
 * session cluster on loopback (a JobManager and two TaskManagers, each its own JVM, one task slot each), the packaged
 * jar's {@code nightly} is submitted to it with {@code --flinkMaster}, and every dataset it publishes holds exactly
 * the rows the same nightly publishes on the default embedded runner; a rerun on the cluster, which reads the
 * published activity back, finds every partition unchanged. With {@code --logs} and {@code --output} on S3 (a real
 * S3 API on loopback) the cluster publishes the rows of the embedded run on a local copy of the same logs: the
 * cluster's JVMs, each in a folder of its own, share no disk with the launcher or each other for the job's data.
 * The JobManager's REST API must show every job finished with subtasks on both TaskManagers, so none can have run
 * embedded in the launcher.
 */
class FlinkClusterIT {
  static final Path SCRIPT = Path.of("src/cluster/flink-session-cluster.sh");
  static final Path WORK = Path.of("target/flink-cluster-it").toAbsolutePath();
  static final String T = "2024-03-30";
  static final Path LOGS = Path.of("testdata/logs");
  /** The sample's last day, and how many of its last arrival days the S3 run reads (a short, cheap slice). */
  static final String LAST = "2024-05-29";
  static final int SLICE_DAYS = 12;
  static final int TASKMANAGERS = 2;
  static final ObjectMapper JSON = new ObjectMapper();

  static int restPort;
  static int rpcPort;
  /** Stops the cluster if this JVM is ended before {@link #stopCluster} runs (an interrupted build). */
  static Thread stopOnExit;

  @TempDir Path tmp;

  record Result(int code, String output) {}

  @BeforeAll
  static void startCluster() throws Exception {
    restPort = freePort();
    rpcPort = freePort();
    // A cluster left behind by an aborted earlier run in the same work dir.
    script(Duration.ofMinutes(1), "stop");
    stopOnExit = new Thread(() -> {
      try {
        script(Duration.ofMinutes(1), "stop");
      } catch (Exception e) {
        // nothing more to do while the JVM exits
      }
    });
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    long started = System.nanoTime();
    Result start = script(Duration.ofMinutes(4), "start");
    assertThat(start.output(), start.code(), equalTo(0));
    System.out.printf("FlinkClusterIT: cluster started in %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    List<ProcessHandle> jvms = clusterJvms();
    Result stop = null;
    List<Long> left = new ArrayList<>();
    try {
      stop = script(Duration.ofMinutes(2), "stop");
    } finally {
      if (stopOnExit != null) {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      }
      for (ProcessHandle jvm : jvms) {
        if (jvm.isAlive()) {
          left.add(jvm.pid());
          jvm.destroyForcibly();
        }
      }
    }
    assertThat(stop.output(), stop.code(), equalTo(0));
    assertThat("cluster JVMs still alive after stop (killed now)", left, equalTo(List.of()));
  }

  @Test
  void nightlyOnTheClusterPublishesExactlyWhatTheEmbeddedRunnerPublishes() throws Exception {
    Path onCluster = tmp.resolve("cluster");
    Path embedded = tmp.resolve("embedded");
    Set<String> jobsBefore = jobIds();
    long started = System.nanoTime();
    Result submitted = script(Duration.ofMinutes(5),
        "submit", "nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + onCluster);
    System.out.printf("FlinkClusterIT: nightly on the cluster in %.1f s%n", (System.nanoTime() - started) / 1e9);
    assertThat(submitted.output(), submitted.code(), equalTo(0));
    assertThat(submitted.output(), containsString("encore nightly " + T + ": done"));

    // A rerun on the cluster reads the published activity back (ReadActivityHistory on the TaskManagers) and finds
    // every partition unchanged (as RerunAcrossProcessesIT does on the embedded runner).
    started = System.nanoTime();
    Result rerun = script(Duration.ofMinutes(5),
        "submit", "nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + onCluster);
    System.out.printf("FlinkClusterIT: rerun on the cluster in %.1f s%n", (System.nanoTime() - started) / 1e9);
    assertThat(rerun.output(), rerun.code(), equalTo(0));
    assertThat(rerun.output(), containsString("published: 0 partitions written, 23 unchanged"));

    started = System.nanoTime();
    CommandLineIT.Result local = CommandLineIT.encore(
        "nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + embedded);
    System.out.printf("FlinkClusterIT: nightly embedded in %.1f s%n", (System.nanoTime() - started) / 1e9);
    assertThat(local.err(), local.code(), equalTo(0));

    // Both runs ran on the cluster: two new jobs, both finished, the subtasks of each on both TaskManagers.
    assertRanOnEveryTaskManager(jobsBefore, 2);

    // The same rows in every dataset, and not vacuously: the first 90 days of the sample fill every dataset.
    for (String dataset : PublishedRows.DATASETS) {
      assertThat(dataset, PublishedRows.count(embedded, dataset), greaterThan(0L));
    }
    PublishedRows.assertSame(embedded, onCluster);
  }

  @Test
  void nightlyWithLogsAndOutputOnS3PublishesTheRowsOfTheEmbeddedRun() throws Exception {
    long testStarted = System.nanoTime();
    try (MotoS3 s3 = MotoS3.start("encore-cluster")) {
      // The sample's last days, on the store for the cluster and in a local folder for the embedded run.
      Path slice = tmp.resolve("logs");
      List<String> days;
      try (Stream<Path> dirs = Files.list(LOGS)) {
        days = dirs.map(d -> d.getFileName().toString()).filter(n -> n.startsWith("dt=")).sorted().toList();
      }
      days = days.subList(days.size() - SLICE_DAYS, days.size());
      assertThat(days.get(days.size() - 1), equalTo("dt=" + LAST));
      try (S3Client client = s3.client()) {
        for (String day : days) {
          try (Stream<Path> files = Files.list(LOGS.resolve(day))) {
            for (Path f : files.toList()) {
              Path copy = slice.resolve(day).resolve(f.getFileName());
              Files.createDirectories(copy.getParent());
              Files.copy(f, copy);
              client.putObject(b -> b.bucket(s3.bucket()).key("logs/" + day + "/" + f.getFileName()),
                  RequestBody.fromFile(f));
            }
          }
        }
      }
      String logs = s3.path("logs");
      String output = s3.path("out");
      Path embedded = tmp.resolve("embedded");

      Set<String> jobsBefore = jobIds();
      List<String> args = new ArrayList<>(List.of(
          "submit", "nightly", "--date=" + LAST, "--logs=" + logs, "--output=" + output));
      // The endpoint and static credentials reach the TaskManagers inside the job's serialized pipeline options.
      args.addAll(List.of(s3.args()));
      long started = System.nanoTime();
      Result submitted = script(Duration.ofMinutes(8), args.toArray(String[]::new));
      System.out.printf("FlinkClusterIT: nightly on the cluster, S3, %d days in %.1f s%n", SLICE_DAYS,
          (System.nanoTime() - started) / 1e9);
      assertThat(submitted.output(), submitted.code(), equalTo(0));
      assertThat(submitted.output(), containsString("encore nightly " + LAST + ": done"));
      assertThat(submitted.output(), containsString("input partitions read: " + SLICE_DAYS + " "));
      // The launcher writes the run report on the store too: nothing of the run is on its disk.
      assertThat(submitted.output(), containsString("report: " + output + "/_report/report.html"));
      assertRanOnEveryTaskManager(jobsBefore, 1);

      started = System.nanoTime();
      CommandLineIT.Result local = CommandLineIT.encore(
          "nightly", "--date=" + LAST, "--logs=" + slice, "--output=" + embedded);
      System.out.printf("FlinkClusterIT: nightly embedded, local, %d days in %.1f s%n", SLICE_DAYS,
          (System.nanoTime() - started) / 1e9);
      assertThat(local.err(), local.code(), equalTo(0));

      // Every dataset, partition by partition, as a reader finds them: the store's published versions (manifests on
      // S3) against the local root's Hive folders. Not vacuous except entity_rewards, whose discoveries need a
      // 60-day lookback this slice does not have (the local-path test above has rows there). A rejected row names
      // the file it came from: that is the one value that differs, by its logs root.
      PipelineOptions options = s3.options();
      for (String dataset : PublishedRows.DATASETS) {
        Map<String, List<String>> expected =
            publishedRows(embedded.toString(), slice.toAbsolutePath().toString(), options, dataset);
        Map<String, List<String>> actual = publishedRows(output, logs, options, dataset);
        // 12 days hold no lookback-complete discovery, so neither entity rows nor predictions (RunnerEquivalenceTest
        // compares the predictions across runners).
        if (!dataset.equals("entity_rewards") && !dataset.equals("entity_predictions")) {
          assertThat(dataset, expected.values().stream().mapToInt(List::size).sum(), greaterThan(0));
        }
        assertThat(dataset + ": published days", actual.keySet(), equalTo(expected.keySet()));
        for (String dt : expected.keySet()) {
          assertThat(dataset + " dt=" + dt + ": rows", actual.get(dt).size(), equalTo(expected.get(dt).size()));
          assertThat(dataset + " dt=" + dt, actual.get(dt), equalTo(expected.get(dt)));
        }
      }
    }
    System.out.printf("FlinkClusterIT: the S3 test took %.1f s%n", (System.nanoTime() - testStarted) / 1e9);
  }

  /**
   * A dataset's published rows under an output root on any store, by day, each day's rows as sorted strings, in
   * which the logs root the run read is written {@code <logs>}.
   */
  static Map<String, List<String>> publishedRows(String root, String logs, PipelineOptions options, String dataset)
      throws IOException {
    PartitionLayout layout = PartitionLayout.of(root, options);
    Map<String, List<String>> byDay = new TreeMap<>();
    for (String dt : layout.publishedDays(dataset)) {
      List<String> rows = new ArrayList<>();
      for (String file : layout.current(dataset, dt).files()) {
        ParquetFiles.read(file, r -> rows.add(r.toString().replace(logs + "/", "<logs>/")));
      }
      Collections.sort(rows);
      byDay.put(dt, rows);
    }
    return byDay;
  }

  /** The ids of every job the JobManager knows. */
  static Set<String> jobIds() throws IOException, InterruptedException {
    Set<String> ids = new TreeSet<>();
    rest("/jobs/overview").get("jobs").forEach(job -> ids.add(job.get("jid").asText()));
    return ids;
  }

  /**
   * Asserts that exactly {@code expected} jobs were submitted since {@code before}, each finished, none of its
   * tasks failed, and its subtasks ran on every registered TaskManager.
   */
  static void assertRanOnEveryTaskManager(Set<String> before, int expected) throws IOException, InterruptedException {
    JsonNode overview = rest("/overview");
    assertThat(overview.toString(), overview.get("taskmanagers").asInt(), equalTo(TASKMANAGERS));
    assertThat(overview.toString(), overview.get("slots-total").asInt(), equalTo(TASKMANAGERS));
    Set<String> registered = new TreeSet<>();
    rest("/taskmanagers").get("taskmanagers").forEach(tm -> registered.add(tm.get("id").asText()));
    assertThat(registered.size(), equalTo(TASKMANAGERS));
    List<JsonNode> jobs = new ArrayList<>();
    rest("/jobs/overview").get("jobs").forEach(job -> {
      if (!before.contains(job.get("jid").asText())) {
        jobs.add(job);
      }
    });
    assertThat(jobs.toString(), jobs.size(), equalTo(expected));
    for (JsonNode job : jobs) {
      assertThat(job.toString(), job.get("state").asText(), equalTo("FINISHED"));
      assertThat(job.toString(), job.get("tasks").get("failed").asInt(), equalTo(0));
      Set<String> worked = new TreeSet<>();
      String jid = job.get("jid").asText();
      JsonNode vertices = rest("/jobs/" + jid).get("vertices");
      assertThat(vertices.size(), greaterThan(0));
      for (JsonNode vertex : vertices) {
        rest("/jobs/" + jid + "/vertices/" + vertex.get("id").asText() + "/taskmanagers").get("taskmanagers")
            .forEach(tm -> worked.add(tm.get("taskmanager-id").asText()));
      }
      assertThat("TaskManagers that ran subtasks of job " + jid, worked, equalTo(registered));
    }
  }

  /** Runs the cluster script with this test's ports and work dir; output and errors in one capture. */
  static Result script(Duration timeout, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Files.createDirectories(WORK);
    Path log = Files.createTempFile(WORK, "script-", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("FLINK_CLUSTER_DIR", WORK.toString());
    pb.environment().put("FLINK_REST_PORT", Integer.toString(restPort));
    pb.environment().put("FLINK_RPC_PORT", Integer.toString(rpcPort));
    pb.environment().put("FLINK_TASKMANAGERS", Integer.toString(TASKMANAGERS));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("flink-session-cluster.sh " + String.join(" ", args) + " did not finish in "
          + timeout + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    return new Result(p.exitValue(), output);
  }

  /** The cluster's JVMs: the script's pid files, each checked to be a JVM the script started for this work dir. */
  static List<ProcessHandle> clusterJvms() throws IOException {
    Path pids = WORK.resolve("pid");
    if (!Files.isDirectory(pids)) {
      return List.of();
    }
    String marker = "-Dencore.flink.cluster=" + WORK;
    try (Stream<Path> files = Files.list(pids)) {
      List<ProcessHandle> out = new ArrayList<>();
      for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        ProcessHandle.of(Long.parseLong(Files.readString(f).strip()))
            .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
            .ifPresent(out::add);
      }
      return out;
    }
  }

  static JsonNode rest(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(path + ": " + response.body(), response.statusCode(), equalTo(200));
    return JSON.readTree(response.body());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
