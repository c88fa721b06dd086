package dev.encore.store;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The GCS store. No GCS emulator can be installed here, so this checks what can be checked for real: that Beam's
 * {@code gs://} file system takes our paths and options, and our wiring of the generation precondition, against a
 * loopback server that answers the few JSON API requests the store makes as GCS documents them (an insert with
 * {@code ifGenerationMatch=0} on an existing name gets 412). It does not prove GCS's own atomicity.
 */
@Timeout(60)
class GcsStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeGcs gcs;
  private GcsOptions options;

  @BeforeEach
  void start() throws IOException {
    gcs = new FakeGcs();
    options = PipelineOptionsFactory.fromArgs(
        "--gcsEndpoint=http://127.0.0.1:" + gcs.port() + "/storage/v1/",
        // No application default credentials here: asking for them would probe the GCE metadata server.
        "--credentialFactoryClass=" + NoopCredentialFactory.class.getName(),
        "--project=encore-test").as(GcsOptions.class);
  }

  @AfterEach
  void stop() {
    gcs.server.stop(0);
  }

  @Test
  void beamsGcsFileSystemTakesOurPathsAndStoresPicksTheGcsStore() {
    FileSystems.setDefaultPipelineOptions(options);
    ResourceId dir = FileSystems.matchNewResource("gs://encore-bucket/out/user_rewards/dt=2024-03-01", true);
    assertEquals("gs", dir.getScheme());
    ResourceId file = dir.resolve("part-00000.parquet", StandardResolveOptions.RESOLVE_FILE);
    assertEquals("gs://encore-bucket/out/user_rewards/dt=2024-03-01/part-00000.parquet", file.toString());
    assertEquals("part-00000.parquet", file.getFilename());
    assertEquals(dir, file.getCurrentDirectory());
    assertEquals("gs://encore-bucket/out/_run.json", StoreFiles.resource(StoreFiles.join("gs://encore-bucket/out/",
        "_run.json")).toString());

    Store store = Stores.forPath("gs://encore-bucket/out", options);
    assertEquals("gcs", store.name());
    assertFalse(store.renamesAtomically());
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> store.renameDirectory("gs://encore-bucket/out/.staging/x", "gs://encore-bucket/out/x"));
    assertThat(e.getMessage(), containsString("gs://encore-bucket/out/.staging/x"));
    assertEquals(0, gcs.requests.size(), "picking the store sends nothing");
  }

  @Test
  void createIfAbsentSendsTheGenerationPreconditionAndOnlyTheFirstWins() throws IOException {
    Store store = Stores.forPath("gs://encore-bucket/out/_lock", options);
    byte[] first = "run-1\n".getBytes(StandardCharsets.UTF_8);
    byte[] second = "run-2\n".getBytes(StandardCharsets.UTF_8);

    assertTrue(store.createIfAbsent("gs://encore-bucket/out/_lock", first));
    assertFalse(store.createIfAbsent("gs://encore-bucket/out/_lock", second));

    Request win = gcs.requests.get(0);
    assertEquals("POST", win.method);
    assertEquals("/upload/storage/v1/b/encore-bucket/o", win.path);
    assertEquals("0", win.query.get("ifGenerationMatch"));
    assertEquals("out/_lock", win.metadata.get("name").asText());
    assertArrayEquals(first, win.content);
    Request lose = gcs.requests.get(1);
    assertEquals("0", lose.query.get("ifGenerationMatch"));
    assertArrayEquals(second, lose.content);
    // After the 412 the store reads the object's metadata to see whose it is (not its own: it lost).
    assertEquals("GET /storage/v1/b/encore-bucket/o/out%2F_lock", gcs.requests.get(2).method + " " + gcs.requests.get(2).rawPath);
    assertEquals(3, gcs.requests.size());
    assertArrayEquals(first, gcs.objects.get("encore-bucket/out/_lock").content);
  }

  @Test
  void aRetriedInsertThatHadInFactCreatedTheObjectStillWins() throws IOException {
    // The first insert is stored but answered 503 (as when a reply is lost); Beam's client retries, the retry
    // meets the precondition, and only the writer token stored with the object shows the object is ours.
    gcs.failNextInsertAfterStoring = true;
    Store store = Stores.forPath("gs://encore-bucket/out/_lock", options);

    assertTrue(store.createIfAbsent("gs://encore-bucket/out/_lock", "run-1".getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of("POST", "POST", "GET"), gcs.requests.stream().map(r -> r.method).toList());
    assertEquals(gcs.requests.get(0).metadata.get("metadata").get(GcsStore.WRITER_KEY),
        gcs.requests.get(1).metadata.get("metadata").get(GcsStore.WRITER_KEY), "the retry is the same attempt");
  }

  @Test
  void replaceAtomicallyIsOnePlainObjectWrite() throws IOException {
    Store store = Stores.forPath("gs://encore-bucket/out/_calendar.json", options);
    store.replaceAtomically("gs://encore-bucket/out/_calendar.json", "old".getBytes(StandardCharsets.UTF_8));
    store.replaceAtomically("gs://encore-bucket/out/_calendar.json", "new".getBytes(StandardCharsets.UTF_8));

    assertEquals(2, gcs.requests.size());
    for (Request r : gcs.requests) {
      assertEquals("/upload/storage/v1/b/encore-bucket/o", r.path);
      assertNull(r.query.get("ifGenerationMatch"));
    }
    assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), gcs.objects.get("encore-bucket/out/_calendar.json").content);
  }

  @Test
  void anotherRefusalIsAnErrorNamingThePath() {
    gcs.refuseWith = 404;
    Store store = Stores.forPath("gs://encore-bucket/out/_lock", options);

    IOException e = assertThrows(IOException.class,
        () -> store.createIfAbsent("gs://encore-bucket/out/_lock", new byte[] {1}));
    assertThat(e.getMessage(), containsString("gs://encore-bucket/out/_lock"));
    assertThat(e.getMessage(), containsString("404"));
  }

  /** One request as the server saw it. */
  private record Request(String method, String path, String rawPath, Map<String, String> query, JsonNode metadata,
      byte[] content) {}

  /** An object as the server keeps it. */
  private record StoredObject(byte[] content, JsonNode metadata, long generation) {}

  /** The few GCS JSON API calls the store makes: multipart insert (with or without a precondition) and get. */
  private static final class FakeGcs {
    final HttpServer server;
    final List<Request> requests = new ArrayList<>();
    final Map<String, StoredObject> objects = new HashMap<>();
    volatile boolean failNextInsertAfterStoring;
    volatile int refuseWith;
    private long generations;

    FakeGcs() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", this::handle);
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        serve(exchange);
      } catch (IOException | RuntimeException e) {
        // Beam's client retries an aborted exchange for minutes: fail the test instead, with the cause.
        e.printStackTrace();
        throw e;
      }
    }

    private void serve(HttpExchange exchange) throws IOException {
      {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        byte[] body = exchange.getRequestBody().readAllBytes();
        if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
          // Google's client compresses request bodies; GCS accepts that.
          body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
        }
        if (method.equals("POST") && path.startsWith("/upload/storage/v1/b/") && path.endsWith("/o")) {
          String bucket = path.substring("/upload/storage/v1/b/".length(), path.length() - "/o".length());
          String[] parts = multipart(exchange.getRequestHeaders().getFirst("Content-Type"), body);
          JsonNode metadata = JSON.readTree(parts[0]);
          byte[] content = parts[1].getBytes(StandardCharsets.ISO_8859_1);
          requests.add(new Request(method, path, rawPath, query, metadata, content));
          if (refuseWith != 0) {
            error(exchange, refuseWith, "The specified bucket does not exist.");
            return;
          }
          String key = bucket + "/" + metadata.get("name").asText();
          if ("0".equals(query.get("ifGenerationMatch")) && objects.containsKey(key)) {
            error(exchange, 412, "At least one of the pre-conditions you specified did not hold.");
            return;
          }
          StoredObject stored = new StoredObject(content, metadata, ++generations);
          objects.put(key, stored);
          if (failNextInsertAfterStoring) {
            failNextInsertAfterStoring = false;
            error(exchange, 503, "Backend Error");
            return;
          }
          reply(exchange, 200, resource(bucket, metadata.get("name").asText(), stored));
        } else if (method.equals("GET") && path.startsWith("/storage/v1/b/")) {
          String[] names = path.substring("/storage/v1/b/".length()).split("/o/", 2);
          requests.add(new Request(method, path, rawPath, query, null, new byte[0]));
          StoredObject stored = objects.get(names[0] + "/" + names[1]);
          if (stored == null) {
            error(exchange, 404, "No such object: " + names[0] + "/" + names[1]);
          } else {
            reply(exchange, 200, resource(names[0], names[1], stored));
          }
        } else {
          requests.add(new Request(method, path, rawPath, query, null, body));
          error(exchange, 400, "Not served by this test server: " + method + " " + path);
        }
      }
    }

    /** The object resource GCS returns: name, bucket, generation, size and the custom metadata. */
    private static String resource(String bucket, String name, StoredObject stored) throws IOException {
      ObjectNode o = JSON.createObjectNode();
      o.put("kind", "storage#object");
      o.put("bucket", bucket);
      o.put("name", name);
      o.put("generation", Long.toString(stored.generation()));
      o.put("metageneration", "1");
      o.put("size", Integer.toString(stored.content().length));
      if (stored.metadata().has("metadata")) {
        o.set("metadata", stored.metadata().get("metadata"));
      }
      return JSON.writeValueAsString(o);
    }

    private static void error(HttpExchange exchange, int code, String message) throws IOException {
      ObjectNode error = JSON.createObjectNode();
      error.putObject("error").put("code", code).put("message", message)
          .putArray("errors").addObject().put("message", message).put("reason", code == 412 ? "conditionNotMet" : "x");
      reply(exchange, code, JSON.writeValueAsString(error));
    }

    private static void reply(HttpExchange exchange, int code, String json) throws IOException {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
      exchange.sendResponseHeaders(code, bytes.length);
      exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
      Map<String, String> query = new HashMap<>();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          String[] kv = pair.split("=", 2);
          query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
              kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
      }
      return query;
    }

    /** The bodies of a two-part multipart/related request (metadata JSON, then the bytes), as Latin-1 text. */
    private static String[] multipart(String contentType, byte[] body) {
      String boundary = contentType.substring(contentType.indexOf("boundary=") + "boundary=".length())
          .replace("\"", "");
      String text = new String(body, StandardCharsets.ISO_8859_1);
      String[] sections = text.split("--" + java.util.regex.Pattern.quote(boundary));
      String[] parts = new String[2];
      int n = 0;
      for (String section : sections) {
        int start = section.indexOf("\r\n\r\n");
        if (start < 0 || n == 2) {
          continue;
        }
        String part = section.substring(start + 4);
        parts[n++] = part.endsWith("\r\n") ? part.substring(0, part.length() - 2) : part;
      }
      return parts;
    }
  }
}
