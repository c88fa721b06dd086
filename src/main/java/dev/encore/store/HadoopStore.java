package dev.encore.store;

import dev.encore.EncoreException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.io.hdfs.HadoopFileSystemOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.ipc.RemoteException;

/**
 * HDFS (or any Hadoop file system with atomic renames): the NameNode renames a folder in one step, and a file
 * created without overwrite exists once. Configured with the Hadoop configuration Beam's hdfs:// file system was
 * registered with ({@code --hdfsConfiguration}), so both reach the same cluster with the same settings.
 */
final class HadoopStore implements Store {
  // The NameNode's answer to a create on a path another client is still writing: the file exists.
  private static final String ALREADY_BEING_CREATED = "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException";

  private final Configuration conf;

  private HadoopStore(Configuration conf) {
    this.conf = conf;
  }

  /** The store of {@code path} (an {@code hdfs://} URI) with the Hadoop configuration of {@code options}. */
  static HadoopStore create(String path, PipelineOptions options) {
    List<Configuration> configured = options.as(HadoopFileSystemOptions.class).getHdfsConfiguration();
    // Hadoop's defaults (and any *-site.xml on the class path), then the given settings over them: FileContext
    // needs defaults (fs.AbstractFileSystem.*.impl) that a Configuration made from the option's JSON may lack.
    // Beam's registrar accepts at most one configuration.
    Configuration conf = new Configuration();
    if (configured != null && !configured.isEmpty()) {
      for (Map.Entry<String, String> setting : configured.get(0)) {
        conf.set(setting.getKey(), setting.getValue());
      }
    }
    HadoopStore store = new HadoopStore(conf);
    try {
      store.fileSystem(new Path(URI.create(path)));
    } catch (IOException | IllegalArgumentException e) {
      throw new EncoreException(EncoreException.USAGE, "Cannot reach the Hadoop file system of " + path + ": "
          + e.getMessage() + ". Check the path and --hdfsConfiguration (fs.defaultFS and the cluster's settings).",
          e);
    }
    return store;
  }

  @Override
  public String name() {
    return "hdfs";
  }

  @Override
  public boolean renamesAtomically() {
    return true;
  }

  @Override
  public void renameDirectory(String from, String to) throws IOException {
    Path source = new Path(from);
    Path target = new Path(to);
    mkdirs(target.getParent());
    try {
      // FileContext's rename without OVERWRITE is one NameNode call that fails when the target exists; the older
      // FileSystem.rename would instead move the folder inside an existing target folder and return true.
      fileContext(source).rename(source, target, Options.Rename.NONE);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("Cannot move folder " + from + " to " + to + ": " + to
          + " already exists. Nothing was moved; remove " + to + " or choose another target.", e);
    } catch (FileNotFoundException e) {
      throw new IOException("Cannot move folder " + from + " to " + to + ": " + from + " does not exist.", e);
    } catch (IOException e) {
      throw new IOException("Cannot move folder " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean createIfAbsent(String path, byte[] content) throws IOException {
    Path file = new Path(path);
    FileSystem fs = fileSystem(file);
    mkdirs(file.getParent());
    FSDataOutputStream out;
    try {
      // Without overwrite the NameNode creates the file only if no file is there, atomically.
      out = fs.create(file, false);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (RemoteException e) {
      if (ALREADY_BEING_CREATED.equals(e.getClassName())) {
        return false;
      }
      throw e;
    }
    try (out) {
      out.write(content);
    }
    return true;
  }

  @Override
  public void replaceAtomically(String path, byte[] content) throws IOException {
    Path file = new Path(path);
    FileSystem fs = fileSystem(file);
    mkdirs(file.getParent());
    // A sibling name of its own per call, hidden from Hadoop and Spark readers by its leading dot.
    Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        out.write(content);
      }
      fileContext(file).rename(tmp, file, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      fs.delete(tmp, false);
      throw new IOException("Cannot replace " + path + ": " + e.getMessage(), e);
    }
  }

  private void mkdirs(Path dir) throws IOException {
    if (!fileSystem(dir).mkdirs(dir)) {
      throw new IOException("Cannot create folder " + dir + " (the file system refused it; is a file there?).");
    }
  }

  private FileSystem fileSystem(Path path) throws IOException {
    return path.getFileSystem(conf);
  }

  private FileContext fileContext(Path path) throws IOException {
    return FileContext.getFileContext(path.toUri(), conf);
  }
}
