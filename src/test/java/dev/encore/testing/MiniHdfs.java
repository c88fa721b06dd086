package dev.encore.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS for tests: Hadoop's {@code MiniDFSCluster} (one NameNode, one DataNode) on 127.0.0.1, its storage
 * in a fresh folder under {@code target/mini-hdfs/}. Start one per test class:
 *
 * <pre>{@code
 * static MiniHdfs hdfs;
 * @BeforeAll static void startHdfs() throws IOException {
 *   hdfs = MiniHdfs.start();
 *   FileSystems.setDefaultPipelineOptions(hdfs.options());   // Beam's hdfs:// file system now points at it
 * }
 * @AfterAll static void stopHdfs() { hdfs.close(); }
 *
 * String root = hdfs.path("my-test", "out");                 // hdfs://127.0.0.1:PORT/my-test/out
 * String[] args = {hdfs.beamOption(), "--output=" + root};   // for a pipeline or Encore's command line
 * }</pre>
 *
 * Starting took 10–16 s on this 2-core machine while other builds ran (load 6–10; 44 s at load 15), as printed by
 * {@code HadoopStoreTest}: start one per class, not per test. Each start gets its own ports and folder, so classes
 * do not collide.
 */
public final class MiniHdfs implements AutoCloseable {
  // Hadoop logs through SLF4J to java.util.logging. Its daemons say a lot at INFO, and at WARNING still a dozen
  // lines a start that are normal for a test cluster (no native library, no metrics file, no HTTP secret file);
  // errors stay. Strong references: JUL holds loggers weakly and would forget the levels.
  private static final Logger HADOOP = Logger.getLogger("org.apache.hadoop");
  private static final Logger JETTY = Logger.getLogger("org.eclipse.jetty");
  // Stopping interrupts the DataNode's threads, which it reports as an error.
  private static final Logger DATANODE = Logger.getLogger("org.apache.hadoop.hdfs.server.datanode.DataNode");

  private final MiniDFSCluster cluster;
  private final Path baseDir;
  private final String uri;

  private MiniHdfs(MiniDFSCluster cluster, Path baseDir) {
    this.cluster = cluster;
    this.baseDir = baseDir;
    this.uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
  }

  /** Starts a NameNode and one DataNode on loopback and waits until the DataNode can take blocks. */
  public static MiniHdfs start() throws IOException {
    HADOOP.setLevel(Level.SEVERE);
    JETTY.setLevel(Level.SEVERE);
    Path baseDir = Path.of("target", "mini-hdfs", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(baseDir);
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    // Loopback only, never the host's other interfaces; port 0 everywhere: a free one per start.
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    MiniDFSCluster cluster = null;
    try {
      cluster = new MiniDFSCluster.Builder(conf, new File(baseDir.toString()))
          .numDataNodes(1)
          .checkDataNodeAddrConfig(true)
          .format(true)
          .build();
      cluster.waitActive();
      return new MiniHdfs(cluster, baseDir);
    } catch (IOException | RuntimeException e) {
      if (cluster != null) {
        cluster.shutdown(true);
      }
      deleteFolder(baseDir);
      throw new IOException("Cannot start the mini HDFS in " + baseDir + ": " + e.getMessage(), e);
    }
  }

  /** {@code hdfs://127.0.0.1:PORT}, the file system's URI. */
  public String uri() {
    return uri;
  }

  /** {@code hdfs://127.0.0.1:PORT/a/b/...}: a path on this file system. */
  public String path(String... names) {
    return uri + "/" + String.join("/", names);
  }

  /**
   * The Beam option that points Beam's Hadoop file system (and Encore's HDFS store) at this cluster:
   * {@code --hdfsConfiguration=[{"fs.defaultFS":"hdfs://127.0.0.1:PORT","dfs.replication":"1"}]}.
   */
  public String beamOption() {
    return "--hdfsConfiguration=[{\"fs.defaultFS\":\"" + uri + "\",\"dfs.replication\":\"1\"}]";
  }

  /** Pipeline options holding {@link #beamOption()}, for {@code FileSystems.setDefaultPipelineOptions}. */
  public PipelineOptions options() {
    return PipelineOptionsFactory.fromArgs(beamOption()).create();
  }

  /** Stops the DataNode and the NameNode and deletes their storage. */
  @Override
  public void close() {
    Level datanode = DATANODE.getLevel();
    DATANODE.setLevel(Level.OFF);
    try {
      cluster.shutdown(true);
    } finally {
      DATANODE.setLevel(datanode);
    }
    deleteFolder(baseDir);
  }

  private static void deleteFolder(Path dir) {
    try (Stream<Path> paths = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the mini HDFS folder " + dir, e);
    }
  }
}
