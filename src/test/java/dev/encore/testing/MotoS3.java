package dev.encore.testing;

import dev.encore.store.S3StoreClientBuilderFactory;
import dev.encore.store.S3StoreOptions;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API on loopback for tests: {@code moto_server} (Python {@code moto}) as a child process with one
 * bucket, and the Beam options that point Beam's S3 file system and Encore's S3 store at it. One per test class.
 */
public final class MotoS3 implements AutoCloseable {
  private static final String ACCESS_KEY = "encore-test";
  private static final String SECRET_KEY = "encore-test-secret";
  private static final long START_TIMEOUT_MILLIS = 60_000;

  private final Process process;
  private final Thread shutdownHook;
  private final Path log;
  private final int port;
  private final String bucket;
  private final long startMillis;

  private MotoS3(Process process, Thread shutdownHook, Path log, int port, String bucket, long startMillis) {
    this.process = process;
    this.shutdownHook = shutdownHook;
    this.log = log;
    this.port = port;
    this.bucket = bucket;
    this.startMillis = startMillis;
  }

  /**
   * Starts {@code moto_server} on a free loopback port, waits until it answers and creates {@code bucket}.
   *
   * @throws IllegalStateException when {@code moto_server} is not on the PATH or does not start
   */
  public static MotoS3 start(String bucket) throws IOException {
    String executable = findOnPath("moto_server").orElseThrow(() -> new IllegalStateException(
        "moto_server is not on the PATH (" + System.getenv("PATH") + "), and the S3 tests need it: they run "
            + "against a real S3 API on loopback. Install Python's moto with its server extra "
            + "(pip install 'moto[server]'), or put the folder holding moto_server on the PATH."));
    int port = freePort();
    Path log = Files.createTempFile("moto-s3-", ".log");
    long started = System.nanoTime();
    Process process = new ProcessBuilder(executable, "-H", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true)
        // moto logs every request: a file, not a pipe nobody drains (a full pipe would stall the server).
        .redirectOutput(log.toFile())
        .start();
    Thread hook = new Thread(() -> stop(process), "stop moto_server on port " + port);
    Runtime.getRuntime().addShutdownHook(hook);
    MotoS3 moto;
    try {
      awaitAnswer(process, port, log);
      moto = new MotoS3(process, hook, log, port, bucket, (System.nanoTime() - started) / 1_000_000);
      try (S3Client client = moto.client()) {
        client.createBucket(b -> b.bucket(bucket));
      }
    } catch (RuntimeException | IOException e) {
      stop(process);
      Runtime.getRuntime().removeShutdownHook(hook);
      throw e;
    }
    System.err.println("moto_server on 127.0.0.1:" + port + " answered after " + moto.startMillis + " ms (log: "
        + log + ")");
    return moto;
  }

  /** The bucket created at start. */
  public String bucket() {
    return bucket;
  }

  /** {@code s3://bucket/name/...}. */
  public String path(String... names) {
    return "s3://" + bucket + (names.length == 0 ? "" : "/" + String.join("/", names));
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Milliseconds from starting the process to its first answer. */
  public long startMillis() {
    return startMillis;
  }

  /** The command-line options that point Beam's S3 file system (and Encore's S3 store) at this server. */
  public String[] args() {
    return new String[] {
      "--endpoint=" + endpoint(),
      "--awsRegion=us-east-1",
      "--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\",\"accessKeyId\":\"" + ACCESS_KEY
          + "\",\"secretAccessKey\":\"" + SECRET_KEY + "\"}",
      "--s3PathStyleAccess=true",
    };
  }

  /** {@link #args()} plus {@code more}, parsed as Encore parses them (path style installed). */
  public S3StoreOptions options(String... more) {
    String[] all = Arrays.copyOf(args(), args().length + more.length);
    System.arraycopy(more, 0, all, args().length, more.length);
    S3StoreOptions options = PipelineOptionsFactory.fromArgs(all).withValidation().as(S3StoreOptions.class);
    S3StoreClientBuilderFactory.configure(options);
    return options;
  }

  /** A client of this server, built as Beam builds its own; the caller closes it. */
  public S3Client client() {
    return new S3StoreClientBuilderFactory().createBuilder(options()).build();
  }

  /** Stops the server. */
  @Override
  public void close() {
    stop(process);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook stops the process (again) harmlessly.
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static Optional<String> findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Polls the server's root until it answers; fails with its log when the process exits or time runs out. */
  private static void awaitAnswer(Process process, int port, Path log) throws IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (true) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        c.getResponseCode();
        c.disconnect();
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
          List<String> lines = Files.readAllLines(log);
          throw new IllegalStateException("moto_server on 127.0.0.1:" + port + (process.isAlive()
              ? " did not answer within " + START_TIMEOUT_MILLIS + " ms"
              : " exited with status " + process.exitValue()) + ". Its output:\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("Interrupted while waiting for moto_server", e);
        }
      }
    }
  }
}
