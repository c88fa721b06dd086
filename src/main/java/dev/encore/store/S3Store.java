package dev.encore.store;

import java.io.IOException;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.SSECustomerKey;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.InstanceBuilder;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Amazon S3 and S3-compatible stores: no folder rename; create-if-absent is a conditional write
 * ({@code If-None-Match: *}), and a single object write is atomic (readers see the old object or the new, whole).
 */
final class S3Store implements Store {
  /** Attempts of a conditional write that S3 answers with 409 (another conditional write to the key in flight). */
  private static final int CONFLICT_ATTEMPTS = 5;

  private final S3Client client;
  private final S3Options options;

  private S3Store(S3Client client, S3Options options) {
    this.client = client;
    this.options = options;
  }

  /**
   * A store whose client is built as Beam's S3 file system builds its own ({@code --s3ClientFactoryClass} from
   * {@code options}), so that endpoint, region, credentials and path style are the same for both.
   */
  static S3Store create(PipelineOptions options) {
    S3StoreClientBuilderFactory.configure(options);
    S3Options s3 = options.as(S3Options.class);
    S3ClientBuilderFactory factory = InstanceBuilder.ofType(S3ClientBuilderFactory.class)
        .fromClass(s3.getS3ClientFactoryClass())
        .build();
    return new S3Store(factory.createBuilder(s3).build(), s3);
  }

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public boolean renamesAtomically() {
    return false;
  }

  @Override
  public void renameDirectory(String from, String to) {
    throw new UnsupportedOperationException("S3 has no folders to rename: moving " + from + " to " + to
        + " would copy and delete object by object, and readers could see a partial folder. Publish to S3 by "
        + "committing a manifest (a conditional write) instead.");
  }

  @Override
  public boolean createIfAbsent(String path, byte[] content) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        put(path, RequestBody.fromBytes(content), true);
        return true;
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          return false;
        }
        // AWS answers 409 while another conditional write to the key is in flight, and asks to retry: the retry
        // then gets 412 (the other writer won) or succeeds (it failed).
        if (e.statusCode() != 409 || attempt == CONFLICT_ATTEMPTS) {
          throw failure("create", path, e);
        }
        sleep(path, 50L << attempt);
      } catch (SdkException e) {
        throw failure("create", path, e);
      }
    }
  }

  @Override
  public void replaceAtomically(String path, byte[] content) throws IOException {
    try {
      put(path, RequestBody.fromBytes(content), false);
    } catch (SdkException e) {
      throw failure("replace", path, e);
    }
  }

  /**
   * One PutObject of {@code body} to {@code path} ({@code s3://bucket/key}), with the storage class and encryption
   * Beam's S3 file system writes with; {@code onlyIfAbsent} adds {@code If-None-Match: *}.
   */
  void put(String path, RequestBody body, boolean onlyIfAbsent) {
    String[] bucketAndKey = bucketAndKey(path);
    PutObjectRequest.Builder request = PutObjectRequest.builder()
        .bucket(bucketAndKey[0])
        .key(bucketAndKey[1])
        .storageClass(options.getS3StorageClass())
        .serverSideEncryption(options.getSSEAlgorithm())
        .ssekmsKeyId(options.getSSEKMSKeyId())
        .bucketKeyEnabled(options.getBucketKeyEnabled() ? Boolean.TRUE : null);
    SSECustomerKey customerKey = options.getSSECustomerKey();
    if (customerKey.getKey() != null) {
      request.sseCustomerKey(customerKey.getKey())
          .sseCustomerAlgorithm(customerKey.getAlgorithm())
          .sseCustomerKeyMD5(customerKey.getMD5());
    }
    if (onlyIfAbsent) {
      // AWS SDK 2.20 (the one Beam 2.62 brings) predates PutObjectRequest.ifNoneMatch: send the header directly.
      request.overrideConfiguration(o -> o.putHeader("If-None-Match", "*"));
    }
    client.putObject(request.build(), body);
  }

  /** {@code s3://bucket/key} → {bucket, key}. */
  static String[] bucketAndKey(String path) {
    String prefix = "s3://";
    int slash = path.indexOf('/', prefix.length());
    if (!path.startsWith(prefix) || slash <= prefix.length() || slash == path.length() - 1) {
      throw new IllegalArgumentException("Not an S3 object path: " + path + ". Expected s3://bucket/key.");
    }
    return new String[] {path.substring(prefix.length(), slash), path.substring(slash + 1)};
  }

  private static IOException failure(String action, String path, SdkException e) {
    return new IOException("Cannot " + action + " " + path + " on S3: " + e.getMessage()
        + " Check the bucket, the credentials and --endpoint/--awsRegion/--s3PathStyleAccess.", e);
  }

  private static void sleep(String path, long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while creating " + path, e);
    }
  }
}
