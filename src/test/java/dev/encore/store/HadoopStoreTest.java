package dev.encore.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.encore.EncoreException;
import dev.encore.testing.MiniHdfs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The HDFS store and {@link StoreFiles} on hdfs://, against a real HDFS (MiniDFSCluster) on loopback. */
class HadoopStoreTest {
  private static MiniHdfs hdfs;
  private static Store store;
  private String root;

  @BeforeAll
  static void startHdfs() throws IOException {
    long start = System.nanoTime();
    hdfs = MiniHdfs.start();
    System.err.printf("MiniHdfs started in %d ms at %s%n", (System.nanoTime() - start) / 1_000_000, hdfs.uri());
    FileSystems.setDefaultPipelineOptions(hdfs.options());
    store = Stores.forPath(hdfs.path("x"), hdfs.options());
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @BeforeEach
  void root(TestInfo test) {
    root = hdfs.path("tests", test.getTestMethod().orElseThrow().getName());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(String path) throws IOException {
    return new String(StoreFiles.read(path), UTF_8);
  }

  /** Whether anything (file or folder) is at {@code path}, as HDFS's own listing says. */
  private static boolean present(String path) throws IOException {
    return !FileSystems.match(path, EmptyMatchTreatment.ALLOW).metadata().isEmpty();
  }

  @Test
  void forPathGivesTheHadoopStore() {
    assertEquals("hdfs", store.name());
    assertTrue(store.renamesAtomically());
  }

  @Test
  void aPathWithoutAClusterIsAUsageError() {
    // No authority in the path and no fs.defaultFS in the options: no cluster to reach.
    EncoreException e = assertThrows(EncoreException.class,
        () -> Stores.forPath("hdfs:///data/out", PipelineOptionsFactory.create()));
    assertEquals(EncoreException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("hdfs:///data/out"), e.getMessage());
  }

  @Test
  void storeFilesWriteReadMatchAndDeleteTree() throws IOException {
    StoreFiles.write(StoreFiles.join(root, "dt=1", "a.parquet"), bytes("A"));
    StoreFiles.write(StoreFiles.join(root, "dt=1", "b.parquet"), bytes("BB"));
    StoreFiles.write(StoreFiles.join(root, "dt=1", "sub", "c.parquet"), bytes("CCC"));
    StoreFiles.write(StoreFiles.join(root, "_SUCCESS"), new byte[0]);

    assertEquals("BB", text(StoreFiles.join(root, "dt=1", "b.parquet")));
    assertTrue(StoreFiles.exists(StoreFiles.join(root, "_SUCCESS")));
    assertFalse(StoreFiles.exists(StoreFiles.join(root, "missing")));
    // One level: the files only, not the folder dt=1/sub beside them.
    assertEquals(List.of(StoreFiles.join(root, "dt=1", "a.parquet"), StoreFiles.join(root, "dt=1", "b.parquet")),
        StoreFiles.match(StoreFiles.join(root, "dt=1", "*")));
    assertEquals(List.of(StoreFiles.join(root, "_SUCCESS")), StoreFiles.match(StoreFiles.join(root, "*")));
    assertEquals(List.of(), StoreFiles.match(StoreFiles.join(root, "nothing", "*")));
    assertEquals(List.of(StoreFiles.join(root, "_SUCCESS"), StoreFiles.join(root, "dt=1", "a.parquet"),
            StoreFiles.join(root, "dt=1", "b.parquet"), StoreFiles.join(root, "dt=1", "sub", "c.parquet")),
        StoreFiles.filesUnder(root));

    // Beam's create overwrites an existing file.
    StoreFiles.write(StoreFiles.join(root, "dt=1", "a.parquet"), bytes("A2"));
    assertEquals("A2", text(StoreFiles.join(root, "dt=1", "a.parquet")));

    StoreFiles.deleteTree(StoreFiles.join(root, "dt=1"));
    assertEquals(List.of(StoreFiles.join(root, "_SUCCESS")), StoreFiles.filesUnder(root));
    assertFalse(present(StoreFiles.join(root, "dt=1", "sub")), "deleteTree leaves no emptied folder behind");
    assertFalse(present(StoreFiles.join(root, "dt=1")), "deleteTree removes the folder itself");
    StoreFiles.deleteTree(StoreFiles.join(root, "dt=1")); // gone already: no error
    StoreFiles.deleteTree(root);
    assertFalse(present(root));
  }

  @Test
  void renameDirectoryMovesTheFolderWhole() throws IOException {
    String from = StoreFiles.join(root, "staging", "run-1");
    StoreFiles.write(StoreFiles.join(from, "part-0.parquet"), bytes("zero"));
    StoreFiles.write(StoreFiles.join(from, "nested", "part-1.parquet"), bytes("one"));
    String to = StoreFiles.join(root, "published", "dataset", "dt=2024-05-29"); // its parents do not exist yet

    store.renameDirectory(from, to);

    assertEquals(List.of(StoreFiles.join(to, "nested", "part-1.parquet"), StoreFiles.join(to, "part-0.parquet")),
        StoreFiles.filesUnder(to));
    assertEquals("zero", text(StoreFiles.join(to, "part-0.parquet")));
    assertEquals("one", text(StoreFiles.join(to, "nested", "part-1.parquet")));
    assertFalse(present(from));
  }

  @Test
  void renameDirectoryRefusesAnExistingTarget() throws IOException {
    String from = StoreFiles.join(root, "new");
    String to = StoreFiles.join(root, "old");
    StoreFiles.write(StoreFiles.join(from, "part-0.parquet"), bytes("new"));
    StoreFiles.write(StoreFiles.join(to, "part-0.parquet"), bytes("old"));

    IOException e = assertThrows(IOException.class, () -> store.renameDirectory(from, to));

    assertTrue(e.getMessage().contains(to + " already exists"), e.getMessage());
    assertTrue(e.getMessage().contains(from), e.getMessage());
    // Nothing moved: not into the target (FileSystem.rename would have made old/new/) nor away from the source.
    assertEquals(List.of(StoreFiles.join(to, "part-0.parquet")), StoreFiles.filesUnder(to));
    assertEquals("old", text(StoreFiles.join(to, "part-0.parquet")));
    assertEquals("new", text(StoreFiles.join(from, "part-0.parquet")));
  }

  @Test
  void renameDirectoryOfAMissingFolderNamesIt() {
    String from = StoreFiles.join(root, "never-written");
    IOException e = assertThrows(IOException.class, () -> store.renameDirectory(from, StoreFiles.join(root, "t")));
    assertTrue(e.getMessage().contains(from + " does not exist"), e.getMessage());
  }

  @Test
  void createIfAbsentHasExactlyOneWinnerAmongConcurrentCallers() throws Exception {
    String lock = StoreFiles.join(root, "locks", "_LOCK");
    int callers = 8;
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        byte[] mine = bytes("run-" + i);
        results.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return store.createIfAbsent(lock, mine);
        }));
      }
      ready.await();
      go.countDown();
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        if (results.get(i).get()) {
          winners.add(i);
        }
      }
      assertEquals(1, winners.size(), "winners: " + winners);
      assertEquals("run-" + winners.get(0), text(lock));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void createIfAbsentLeavesAnExistingFileAlone() throws IOException {
    String file = StoreFiles.join(root, "a", "_LOCK");
    assertTrue(store.createIfAbsent(file, bytes("first")));
    assertFalse(store.createIfAbsent(file, bytes("second")));
    assertEquals("first", text(file));
  }

  @Test
  void replaceAtomicallyReplacesAndCreates() throws IOException {
    String file = StoreFiles.join(root, "meta", "_CURRENT");
    store.replaceAtomically(file, bytes("v1"));
    assertEquals("v1", text(file));
    store.replaceAtomically(file, bytes("version two"));
    assertEquals("version two", text(file));
    // No temporary sibling is left: the folder holds the one file.
    assertEquals(List.of(file), allFiles(StoreFiles.join(root, "meta")));
  }

  /**
   * What Beam's Hadoop file system itself does with folders, which StoreFiles and the publisher build on (Beam
   * 2.62, Hadoop 3.4.1). If an upgrade changes one of these, this test says which.
   */
  @Test
  void beamHadoopFileSystemFacts() throws IOException {
    String dir = StoreFiles.join(root, "dir");
    StoreFiles.write(StoreFiles.join(dir, "f"), bytes("f"));
    StoreFiles.write(StoreFiles.join(dir, "sub", "g"), bytes("g"));

    // dir/* lists the sub-folder too, as a resource that does not say it is a folder (size 0).
    List<MatchResult.Metadata> one = FileSystems.match(StoreFiles.join(dir, "*")).metadata();
    assertEquals(List.of(StoreFiles.join(dir, "f"), StoreFiles.join(dir, "sub")), names(one));
    MatchResult.Metadata sub = one.stream().filter(m -> m.resourceId().toString().endsWith("/sub")).findFirst()
        .orElseThrow();
    assertFalse(sub.resourceId().isDirectory());
    assertEquals(0, sub.sizeBytes());
    // dir/** lists files in sub-folders only: not dir/f itself.
    assertEquals(List.of(StoreFiles.join(dir, "sub", "g")),
        names(FileSystems.match(StoreFiles.join(dir, "**")).metadata()));

    // rename of a folder onto an existing folder moves it inside that folder, silently.
    String other = StoreFiles.join(root, "other");
    StoreFiles.write(StoreFiles.join(other, "h"), bytes("h"));
    FileSystems.rename(List.of(FileSystems.matchNewResource(StoreFiles.join(dir, "sub"), true)),
        List.of(FileSystems.matchNewResource(other, true)));
    assertEquals(List.of(StoreFiles.join(other, "h"), StoreFiles.join(other, "sub", "g")),
        allFiles(other));
    // A file rename with IGNORE_MISSING_FILES works (FileSystems drops the missing ones before the Hadoop rename).
    FileSystems.rename(List.of(StoreFiles.resource(StoreFiles.join(dir, "f")),
            StoreFiles.resource(StoreFiles.join(dir, "missing"))),
        List.of(StoreFiles.resource(StoreFiles.join(dir, "f2")), StoreFiles.resource(StoreFiles.join(dir, "m2"))),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    assertEquals(List.of(StoreFiles.join(dir, "f2")), allFiles(dir));

    // delete is not recursive: a folder with files is refused, an empty one goes.
    assertThrows(IOException.class, () -> FileSystems.delete(List.of(FileSystems.matchNewResource(other, true))));
    assertTrue(present(StoreFiles.join(other, "h")));
    StoreFiles.delete(List.of(StoreFiles.join(other, "sub", "g")));
    FileSystems.delete(List.of(FileSystems.matchNewResource(StoreFiles.join(other, "sub"), true)));
    assertFalse(present(StoreFiles.join(other, "sub")));
  }

  private static List<String> names(List<MatchResult.Metadata> metadata) {
    return metadata.stream().map(m -> m.resourceId().toString()).sorted().toList();
  }

  /** Every file under dir by walking folders with Hadoop's listing (not StoreFiles, which is under test). */
  private static List<String> allFiles(String dir) throws IOException {
    Path path = new Path(dir);
    FileSystem fs = path.getFileSystem(new Configuration());
    List<String> files = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
    while (it.hasNext()) {
      files.add(it.next().getPath().toString());
    }
    return files.stream().sorted().toList();
  }
}
