package dev.encore.store;

import dev.encore.testing.MotoS3;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The end-to-end store checks on S3 ({@code moto_server} on loopback): partitions published by manifest. */
class S3EndToEndTest extends StoreEndToEnd {
  private MotoS3 moto;
  private S3Client client;

  @BeforeAll
  void startS3() throws IOException {
    moto = MotoS3.start("encore-e2e");
    client = moto.client();
  }

  @AfterAll
  void stopS3() {
    if (client != null) {
      client.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Override
  String path(String... names) {
    return moto.path(names);
  }

  @Override
  List<String> storeArgs() {
    return List.of(moto.args());
  }

  @Override
  boolean renames() {
    return false;
  }

  /** One PutObject: Beam's S3 file system writes every file as a multipart upload, three requests. */
  @Override
  void upload(String path, byte[] content) {
    String key = path.substring(moto.path().length() + 1);
    client.putObject(b -> b.bucket(moto.bucket()).key(key), RequestBody.fromBytes(content));
  }
}
