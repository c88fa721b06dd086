package dev.encore.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * The launcher's file operations, on any store, through Beam's {@code FileSystems}: match, read, write, delete.
 * Paths are strings as the user gives them (a local path, or {@code hdfs://}, {@code s3://}, {@code gs://}). Only
 * files are listed, never folders: object stores have none, so a folder exists here when a file under it does.
 * The options must have been registered first ({@code FileSystems.setDefaultPipelineOptions}).
 */
public final class StoreFiles {
  /** Test hook: called after every write, delete and Store operation (see {@link #observe}). */
  private static volatile Consumer<String> observer = op -> {};

  private StoreFiles() {}

  /**
   * For tests: calls {@code afterEachOperation} with a description of every write, delete, rename and conditional
   * write Encore makes, just after it, until the returned handle is closed — so a test can pause the publisher
   * after each store operation and read as a reader would (the torn-read test).
   */
  public static AutoCloseable observe(Consumer<String> afterEachOperation) {
    observer = afterEachOperation;
    return () -> observer = op -> {};
  }

  /** Reports one store operation to the test hook. */
  static void done(String operation) {
    observer.accept(operation);
  }

  /** {@code dir/name/...}, whether or not {@code dir} ends with a slash. */
  public static String join(String dir, String... names) {
    StringBuilder path = new StringBuilder(dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir);
    for (String name : names) {
      path.append('/').append(name);
    }
    return path.toString();
  }

  /** The last name of a path. */
  public static String name(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /** The folder that holds a path. */
  public static String parent(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(0, p.lastIndexOf('/'));
  }

  /** Whether file {@code path} exists. */
  public static boolean exists(String path) {
    return !match(path).isEmpty();
  }

  /** Whether folder {@code dir} exists: on object stores, whether a file is under it. */
  public static boolean folderExists(String dir) {
    if (Stores.isLocal(dir)) {
      return Files.isDirectory(Path.of(dir));
    }
    try {
      MatchResult result = FileSystems.match(join(dir), EmptyMatchTreatment.ALLOW);
      if (result.status() == MatchResult.Status.OK && !result.metadata().isEmpty()) {
        return true;
      }
    } catch (IOException e) {
      // fall back to listing
    }
    return !filesUnder(dir).isEmpty();
  }

  /** The files matching a glob ({@code *} within a name, {@code **} across folders), sorted; none is no error. */
  public static List<String> match(String glob) {
    return matchMetadata(glob).stream().map(m -> m.resourceId().toString()).toList();
  }

  /** The files matching a glob with their sizes, sorted by path; none is no error. */
  public static List<MatchResult.Metadata> matchMetadata(String glob) {
    try {
      MatchResult result = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      if (result.status() == MatchResult.Status.NOT_FOUND) {
        return List.of();
      }
      List<MatchResult.Metadata> files = new ArrayList<>();
      for (MatchResult.Metadata m : result.metadata()) {
        if (!m.resourceId().isDirectory() && !isHadoopFolder(m)) {
          files.add(m);
        }
      }
      files.sort(Comparator.comparing(m -> m.resourceId().toString()));
      return files;
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + glob + ": " + e.getMessage(), e);
    }
  }

  /** Every file under folder {@code dir}, at any depth, sorted. */
  public static List<String> filesUnder(String dir) {
    if (!isHadoop(dir)) {
      return match(join(dir, "**"));
    }
    // Beam's Hadoop file system reads dir/** as the files of dir's sub-folders, at any depth, but not dir's own.
    TreeSet<String> files = new TreeSet<>(match(join(dir, "**")));
    files.addAll(match(join(dir, "*")));
    return new ArrayList<>(files);
  }

  /** Every folder under a Hadoop folder, at any depth (Beam's match lists a glob's sub-folders, see below). */
  private static List<String> hadoopFoldersUnder(String dir) throws IOException {
    List<String> found = new ArrayList<>();
    ArrayDeque<String> todo = new ArrayDeque<>(List.of(dir));
    while (!todo.isEmpty()) {
      MatchResult result = FileSystems.match(join(todo.pop(), "*"), EmptyMatchTreatment.ALLOW);
      if (result.status() != MatchResult.Status.OK) {
        continue;
      }
      for (MatchResult.Metadata m : result.metadata()) {
        if (isHadoopFolder(m)) {
          String folder = join(m.resourceId().toString());
          found.add(folder);
          todo.push(folder);
        }
      }
    }
    return found;
  }

  /** Whether Beam's Hadoop file system serves {@code path} (hdfs:// and any other scheme but local, s3, gs). */
  private static boolean isHadoop(String path) {
    return !List.of("file", "s3", "gs").contains(Stores.scheme(path));
  }

  /**
   * Whether a match is a folder of a Hadoop file system: Beam's lists a glob's sub-folders among its files, as
   * resources that do not say they are folders, of size 0. A folder cannot be opened; only entries of size 0 pay
   * for the check.
   */
  private static boolean isHadoopFolder(MatchResult.Metadata m) throws IOException {
    if (m.sizeBytes() != 0 || !isHadoop(m.resourceId().toString())) {
      return false;
    }
    try (ReadableByteChannel in = FileSystems.open(m.resourceId())) {
      return false;
    } catch (FileNotFoundException e) {
      return true;
    }
  }

  /** The whole content of file {@code path}. */
  public static byte[] read(String path) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(resource(path)))) {
      return in.readAllBytes();
    }
  }

  /** Writes file {@code path} (its folders are created as needed); a reader may see it half-written. */
  public static void write(String path, byte[] content) throws IOException {
    if (Stores.isLocal(path)) {
      Files.createDirectories(Path.of(path).toAbsolutePath().getParent());
    }
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(resource(path), MimeTypes.BINARY))) {
      out.write(content);
    }
    done("write " + path);
  }

  /** Deletes files; those already gone are no error. */
  public static void delete(List<String> paths) throws IOException {
    if (paths.isEmpty()) {
      return;
    }
    for (String path : paths) {
      FileSystems.delete(List.of(resource(path)), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      done("delete " + path);
    }
  }

  /**
   * Deletes folder {@code dir} and everything under it (Encore's own folders: staging, trash, replaced versions).
   * On file systems with real folders the emptied folders go too.
   */
  public static void deleteTree(String dir) throws IOException {
    if (Stores.isLocal(dir)) {
      Path root = Path.of(dir);
      if (!Files.exists(root)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
          done("delete " + p);
        }
      }
      return;
    }
    List<String> files = filesUnder(dir);
    delete(files);
    // Folders emptied above, deepest first (HDFS keeps them; object stores have none and ignore this).
    TreeSet<String> folders = new TreeSet<>(Comparator.<String>comparingInt(String::length).reversed()
        .thenComparing(Comparator.naturalOrder()));
    String top = join(dir);
    for (String f : files) {
      for (String p = parent(f); p.length() > top.length() && p.startsWith(top); p = parent(p)) {
        folders.add(p);
      }
    }
    folders.add(top);
    if (isHadoop(top)) {
      // Folders no file is under, such as a staged dataset's folder once its partitions were renamed away.
      folders.addAll(hadoopFoldersUnder(top));
    }
    List<ResourceId> ids = new ArrayList<>();
    for (String folder : folders) {
      ids.add(FileSystems.matchNewResource(folder, true));
    }
    FileSystems.delete(ids, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** The Beam resource of file {@code path}. */
  public static ResourceId resource(String path) {
    return FileSystems.matchNewResource(path, false);
  }
}
