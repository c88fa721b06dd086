package dev.encore.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.encore.EncoreException;
import dev.encore.testing.MotoS3;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** {@link S3Store} and {@link StoreFiles} against a real S3 API ({@code moto_server}) on loopback. */
class S3StoreTest {
  private static MotoS3 moto;
  private static PipelineOptions options;

  @BeforeAll
  static void startS3() throws IOException {
    moto = MotoS3.start("encore-test");
    options = moto.options();
    FileSystems.setDefaultPipelineOptions(options);
  }

  @AfterAll
  static void stopS3() {
    if (moto != null) {
      moto.close();
    }
  }

  /** A folder of its own for each test, so that they share the bucket without seeing each other's objects. */
  private static String dir(TestInfo test) {
    return moto.path(test.getTestMethod().orElseThrow().getName());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void storeFilesWriteReadMatchAndDeleteOnS3(TestInfo test) throws IOException {
    String dir = dir(test);
    String other = dir + "-other";
    for (String name : List.of("a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.txt")) {
      StoreFiles.write(StoreFiles.join(dir, name), bytes("content of " + name));
    }
    StoreFiles.write(StoreFiles.join(other, "x.txt"), bytes("x"));

    assertEquals("content of sub/c.txt", new String(StoreFiles.read(StoreFiles.join(dir, "sub/c.txt")), UTF_8));
    assertTrue(StoreFiles.exists(StoreFiles.join(dir, "a.txt")));
    assertFalse(StoreFiles.exists(StoreFiles.join(dir, "missing.txt")));
    // "*" stays within one folder level on S3, as on a POSIX file system; "**" goes to any depth.
    assertEquals(List.of(dir + "/a.txt", dir + "/b.txt"), StoreFiles.match(dir + "/*"));
    assertEquals(List.of(dir + "/sub/c.txt"), StoreFiles.match(dir + "/sub/*"));
    assertEquals(List.of(dir + "/a.txt", dir + "/b.txt", dir + "/sub/c.txt", dir + "/sub/deeper/d.txt"),
        StoreFiles.filesUnder(dir));
    assertEquals(List.of(), StoreFiles.match(dir + "/nothing-*"));
    assertEquals(List.of(), StoreFiles.filesUnder(moto.path("no-such-folder")));

    StoreFiles.delete(List.of(StoreFiles.join(dir, "b.txt"), StoreFiles.join(dir, "already-gone.txt")));
    assertEquals(List.of(dir + "/a.txt"), StoreFiles.match(dir + "/*"));

    StoreFiles.deleteTree(dir);
    assertEquals(List.of(), StoreFiles.filesUnder(dir));
    assertEquals(List.of(other + "/x.txt"), StoreFiles.filesUnder(other));
  }

  @Test
  void beamDeletesOnlyAFolderMarkerNeverTheObjectsUnderIt(TestInfo test) throws IOException {
    String dir = dir(test);
    StoreFiles.write(StoreFiles.join(dir, "sub/c.txt"), bytes("c"));
    FileSystems.delete(List.of(FileSystems.matchNewResource(StoreFiles.join(dir, "sub"), true)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    assertEquals(List.of(dir + "/sub/c.txt"), StoreFiles.filesUnder(dir));
  }

  @Test
  void storesPicksS3StoreForS3Paths() {
    Store store = Stores.forPath(moto.path("any/key"), options);
    assertEquals("s3", store.name());
    assertFalse(store.renamesAtomically());
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> store.renameDirectory(moto.path("a"), moto.path("b")));
    assertThat(e.getMessage(), containsString(moto.path("a")));
  }

  @Test
  void createIfAbsentWritesOnceAndKeepsTheFirstContent(TestInfo test) throws IOException {
    Store store = Stores.forPath(moto.path(), options);
    String lock = StoreFiles.join(dir(test), "_lock");
    assertTrue(store.createIfAbsent(lock, bytes("first")));
    assertFalse(store.createIfAbsent(lock, bytes("second")));
    assertEquals("first", new String(StoreFiles.read(lock), UTF_8));
  }

  @Test
  void ofTwoStoresTheSecondCreatorIsRefused(TestInfo test) throws Exception {
    // moto checks If-None-Match and then writes, in two steps: a race between two threads would prove nothing
    // about atomicity. The latch orders them: B asks only after A's conditional write has returned.
    Store a = Stores.forPath(moto.path(), options);
    Store b = Stores.forPath(moto.path(), options);
    String lock = StoreFiles.join(dir(test), "_lock");
    CountDownLatch aReturned = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Boolean> bResult = threads.submit(() -> {
        assertTrue(aReturned.await(30, TimeUnit.SECONDS));
        return b.createIfAbsent(lock, bytes("run B"));
      });
      Future<Boolean> aResult = threads.submit(() -> {
        try {
          return a.createIfAbsent(lock, bytes("run A"));
        } finally {
          aReturned.countDown();
        }
      });
      assertTrue(aResult.get(30, TimeUnit.SECONDS));
      assertFalse(bResult.get(30, TimeUnit.SECONDS));
    } finally {
      threads.shutdownNow();
    }
    assertEquals("run A", new String(StoreFiles.read(lock), UTF_8));
  }

  @Test
  void replaceAtomicallyCreatesThenReplaces(TestInfo test) throws IOException {
    Store store = Stores.forPath(moto.path(), options);
    String file = StoreFiles.join(dir(test), "_current");
    store.replaceAtomically(file, bytes("v1"));
    assertEquals("v1", new String(StoreFiles.read(file), UTF_8));
    store.replaceAtomically(file, bytes("v2"));
    assertEquals("v2", new String(StoreFiles.read(file), UTF_8));
    assertEquals(List.of(file), StoreFiles.filesUnder(dir(test)));
  }

  @Test
  void createIfAbsentNamesThePathWhenTheBucketIsMissing() {
    Store store = Stores.forPath(moto.path(), options);
    String path = "s3://no-such-bucket/_lock";
    IOException e = assertThrows(IOException.class, () -> store.createIfAbsent(path, bytes("x")));
    assertThat(e.getMessage(), containsString(path));
  }

  @Test
  void aReaderSeesTheOldObjectWhileANewOneIsHalfSent(TestInfo test) throws Exception {
    S3Store store = S3Store.create(options);
    String file = StoreFiles.join(dir(test), "_current");
    byte[] old = filled(1 << 20, 'o');
    byte[] next = filled(1 << 20, 'n');
    store.replaceAtomically(file, old);

    // The body pauses halfway through every pass over it. Over http the SDK streams it once, signing chunk by chunk
    // (aws-chunked), so at the pause about half of the new object has been sent: a reader still gets the old one.
    PausingBody body = new PausingBody(next);
    CompletableFuture<Void> put = CompletableFuture.runAsync(() -> store.put(file,
        RequestBody.fromContentProvider(body::newStream, next.length, MimeTypes.BINARY), false));
    int pauses = 0;
    while (!put.isDone()) {
      if (body.halfway.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        pauses++;
        assertArrayEquals(old, StoreFiles.read(file), "a reader saw a partial or new object at pause " + pauses);
        body.resume.release();
      }
    }
    put.get();
    assertTrue(pauses >= 1, "the upload never paused");
    assertArrayEquals(next, StoreFiles.read(file));
  }

  @Test
  void aFileHalfWrittenThroughBeamIsInvisibleUntilClosed(TestInfo test) throws IOException {
    String file = StoreFiles.join(dir(test), "data.bin");
    byte[] content = filled(3 << 20, 'd');
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(StoreFiles.resource(file), MimeTypes.BINARY))) {
      out.write(content, 0, content.length / 2);
      out.flush();
      assertFalse(StoreFiles.exists(file));
      out.write(content, content.length / 2, content.length - content.length / 2);
    }
    assertArrayEquals(content, StoreFiles.read(file));
  }

  @Test
  void pathStyleOptionIsRegisteredAndInstallsEncoresFactory() {
    // as(PipelineOptions.class) accepts a property only when some registered interface declares it.
    PipelineOptions parsed = PipelineOptionsFactory.fromArgs("--s3PathStyleAccess=true").withValidation()
        .as(PipelineOptions.class);
    assertTrue(parsed.as(S3StoreOptions.class).getS3PathStyleAccess());
    assertEquals(DefaultS3ClientBuilderFactory.class, parsed.as(S3Options.class).getS3ClientFactoryClass());
    S3StoreClientBuilderFactory.configure(parsed);
    assertEquals(S3StoreClientBuilderFactory.class, parsed.as(S3Options.class).getS3ClientFactoryClass());

    PipelineOptions plain = PipelineOptionsFactory.create();
    S3StoreClientBuilderFactory.configure(plain);
    assertEquals(DefaultS3ClientBuilderFactory.class, plain.as(S3Options.class).getS3ClientFactoryClass());
  }

  @Test
  void pathStyleWithAnotherFactoryIsAUsageError() {
    PipelineOptions parsed = PipelineOptionsFactory.fromArgs("--s3PathStyleAccess=true",
        "--s3ClientFactoryClass=" + OwnFactory.class.getName()).withValidation().as(PipelineOptions.class);
    EncoreException e = assertThrows(EncoreException.class, () -> S3StoreClientBuilderFactory.configure(parsed));
    assertThat(e.exitCode(), equalTo(EncoreException.USAGE));
    assertThat(e.getMessage(), containsString(OwnFactory.class.getName()));
  }

  @Test
  void bucketAndKeyOfAPath() {
    assertArrayEquals(new String[] {"b", "dir/x.json"}, S3Store.bucketAndKey("s3://b/dir/x.json"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Store.bucketAndKey("s3://b"));
    assertThat(e.getMessage(), containsString("s3://bucket/key"));
  }

  /** A user's own client factory. */
  public static final class OwnFactory implements S3ClientBuilderFactory {
    @Override
    public S3ClientBuilder createBuilder(S3Options options) {
      return new DefaultS3ClientBuilderFactory().createBuilder(options);
    }
  }

  private static byte[] filled(int size, char c) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) c);
    return b;
  }

  /** Content that, on every read through it, stops halfway until the test lets it go on. */
  private static final class PausingBody {
    final Semaphore halfway = new Semaphore(0);
    final Semaphore resume = new Semaphore(0);
    private final byte[] content;

    PausingBody(byte[] content) {
      this.content = content;
    }

    InputStream newStream() {
      return new InputStream() {
        private int position;
        private boolean paused;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (position == content.length) {
            return -1;
          }
          int half = content.length / 2;
          if (position == half && !paused) {
            paused = true;
            halfway.release();
            try {
              if (!resume.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IOException("the test never resumed the upload");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
          }
          int end = position < half ? half : content.length;
          int n = Math.min(len, end - position);
          System.arraycopy(content, position, b, off, n);
          position += n;
          return n;
        }
      };
    }
  }
}
