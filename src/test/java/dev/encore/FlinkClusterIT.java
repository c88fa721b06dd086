package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Run it on your cluster", proven on one machine: {@code src/cluster/flink-session-cluster.sh} starts a Flink
 * session cluster on loopback (a JobManager and two TaskManagers, each its own JVM, one task slot each), the packaged
 * jar's {@code nightly} is submitted to it with {@code --flinkMaster}, and every dataset it publishes holds exactly
 * the rows the same nightly publishes on the default embedded runner; a rerun on the cluster, which reads the
 * published activity back, finds every partition unchanged. The JobManager's REST API must show both jobs finished
 * with subtasks on both TaskManagers, so they cannot have run embedded in the launcher.
 */
class FlinkClusterIT {
  static final Path SCRIPT = Path.of("src/cluster/flink-session-cluster.sh");
  static final Path WORK = Path.of("target/flink-cluster-it").toAbsolutePath();
  static final String T = "2024-03-30";
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
    assertThat(rerun.output(), containsString("published: 0 partitions written, 21 unchanged"));

    started = System.nanoTime();
    CommandLineIT.Result local = CommandLineIT.encore(
        "nightly", "--date=" + T, "--logs=testdata/logs", "--output=" + embedded);
    System.out.printf("FlinkClusterIT: nightly embedded in %.1f s%n", (System.nanoTime() - started) / 1e9);
    assertThat(local.err(), local.code(), equalTo(0));

    // Both runs ran on the cluster: the JobManager knows exactly two jobs, both finished, and the subtasks of
    // each ran on both TaskManagers.
    JsonNode overview = rest("/overview");
    assertThat(overview.toString(), overview.get("taskmanagers").asInt(), equalTo(TASKMANAGERS));
    assertThat(overview.toString(), overview.get("slots-total").asInt(), equalTo(TASKMANAGERS));
    Set<String> registered = new TreeSet<>();
    rest("/taskmanagers").get("taskmanagers").forEach(tm -> registered.add(tm.get("id").asText()));
    assertThat(registered.size(), equalTo(TASKMANAGERS));
    JsonNode jobs = rest("/jobs/overview").get("jobs");
    assertThat(jobs.toString(), jobs.size(), equalTo(2));
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

    // The same rows in every dataset, and not vacuously: the first 90 days of the sample fill every dataset.
    for (String dataset : PublishedRows.DATASETS) {
      assertThat(dataset, PublishedRows.count(embedded, dataset), greaterThan(0L));
    }
    PublishedRows.assertSame(embedded, onCluster);
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
