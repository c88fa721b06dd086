package dev.encore.store;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpUnsuccessfulResponseHandler;
import com.google.api.services.storage.Storage;
import com.google.api.services.storage.model.StorageObject;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.apache.beam.sdk.extensions.gcp.util.gcsfs.GcsPath;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Google Cloud Storage: no folder rename; create-if-absent is an object insert with the generation precondition
 * {@code ifGenerationMatch=0} (the write succeeds only if no live object has the name), and a single object write
 * replaces an object atomically.
 *
 * <p>It talks to GCS through the JSON API client Beam's own {@code gs://} file system uses, built by Beam
 * ({@link Transport#newStorageClient}): the same credentials ({@code GcpOptions}: application default credentials
 * unless {@code --credentialFactoryClass} says otherwise), retry policy and endpoint ({@code --gcsEndpoint}, for
 * emulators and tests), so the store acts as the same identity as the pipeline's reads and writes.
 */
final class GcsStore implements Store {
  private static final int NOT_FOUND = 404;
  private static final int PRECONDITION_FAILED = 412;
  /** Custom metadata that names the writer of an object created by {@link #createIfAbsent}. */
  static final String WRITER_KEY = "encore-writer";

  private final Storage storage;

  private GcsStore(Storage storage) {
    this.storage = storage;
  }

  static GcsStore create(PipelineOptions options) {
    Storage.Builder builder = Transport.newStorageClient(options.as(GcsOptions.class));
    // Beam's retry handler logs every failed status it does not retry as a warning; a 412 is this store's
    // ordinary "someone else holds it" answer, so it is passed straight back (never retried either way).
    HttpRequestInitializer beams = builder.getHttpRequestInitializer();
    builder.setHttpRequestInitializer(request -> {
      beams.initialize(request);
      HttpUnsuccessfulResponseHandler retry = request.getUnsuccessfulResponseHandler();
      request.setUnsuccessfulResponseHandler((req, response, supportsRetry) ->
          response.getStatusCode() != PRECONDITION_FAILED && retry != null
              && retry.handleResponse(req, response, supportsRetry));
    });
    return new GcsStore(builder.build());
  }

  @Override
  public String name() {
    return "gcs";
  }

  @Override
  public boolean renamesAtomically() {
    return false;
  }

  @Override
  public void renameDirectory(String from, String to) {
    throw new UnsupportedOperationException("GCS has no folder rename: cannot move " + from + " to " + to
        + " in one step (objects are copied and deleted one by one). On gs:// Encore publishes by committing a"
        + " manifest instead; this is a bug if you see it.");
  }

  @Override
  public boolean createIfAbsent(String path, byte[] content) throws IOException {
    GcsPath gcs = object(path);
    // Beam's client retries a request that failed on the way (a timeout, a 503): if the first attempt had in fact
    // created the object, the retry gets 412 although this call won. A token of this attempt, stored with the
    // object, tells the two apart.
    String writer = UUID.randomUUID().toString();
    StorageObject metadata = new StorageObject().setName(gcs.getObject()).setMetadata(Map.of(WRITER_KEY, writer));
    try {
      insert(gcs, metadata, content).setIfGenerationMatch(0L).execute();
      return true;
    } catch (GoogleJsonResponseException e) {
      if (e.getStatusCode() != PRECONDITION_FAILED) {
        throw failure("create", path, e);
      }
      return writtenBy(gcs, writer);
    }
  }

  /** Whether the object at {@code gcs} is the one written with token {@code writer} (gone counts as no). */
  private boolean writtenBy(GcsPath gcs, String writer) throws IOException {
    try {
      Map<String, String> stored = storage.objects().get(gcs.getBucket(), gcs.getObject()).execute().getMetadata();
      return stored != null && Objects.equals(stored.get(WRITER_KEY), writer);
    } catch (GoogleJsonResponseException e) {
      if (e.getStatusCode() == NOT_FOUND) {
        return false;
      }
      throw failure("read the metadata of", gcs.toString(), e);
    }
  }

  @Override
  public void replaceAtomically(String path, byte[] content) throws IOException {
    GcsPath gcs = object(path);
    try {
      insert(gcs, new StorageObject().setName(gcs.getObject()), content).execute();
    } catch (GoogleJsonResponseException e) {
      throw failure("write", path, e);
    }
  }

  /** One insert request that sends metadata and bytes together (no resumable upload session: files are small). */
  private Storage.Objects.Insert insert(GcsPath gcs, StorageObject metadata, byte[] content) throws IOException {
    Storage.Objects.Insert insert = storage.objects()
        .insert(gcs.getBucket(), metadata, new ByteArrayContent(MimeTypes.BINARY, content));
    insert.getMediaHttpUploader().setDirectUploadEnabled(true);
    return insert;
  }

  private static GcsPath object(String path) {
    GcsPath gcs = GcsPath.fromUri(path);
    if (gcs.getBucket().isEmpty() || gcs.getObject() == null || gcs.getObject().isEmpty()) {
      throw new IllegalArgumentException("Not a GCS object path: " + path + " (expected gs://BUCKET/OBJECT).");
    }
    return gcs;
  }

  private static IOException failure(String what, String path, GoogleJsonResponseException e) {
    return new IOException("Cannot " + what + " " + path + ": GCS answered " + e.getStatusCode() + " "
        + (e.getDetails() != null ? e.getDetails().getMessage() : e.getStatusMessage())
        + ". Check that the bucket exists and that the application default credentials may write to it.", e);
  }
}
