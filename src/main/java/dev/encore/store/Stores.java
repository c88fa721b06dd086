package dev.encore.store;

import dev.encore.EncoreException;
import java.io.IOException;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptions;

/** Picks the {@link Store} of a path by its scheme: none or {@code file} is local, then hdfs, s3 and gs. */
public final class Stores {
  private Stores() {}

  /** The scheme of a path as Beam's FileSystems sees it: {@code file} for a local path. */
  public static String scheme(String path) {
    int colon = path.indexOf("://");
    if (colon <= 0 || !path.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return "file";
    }
    return path.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  /** Whether {@code path} is on this machine's file system (no scheme, or {@code file://}). */
  public static boolean isLocal(String path) {
    return scheme(path).equals("file");
  }

  /**
   * The store that holds {@code path}, configured from {@code options} (the same options Beam's file systems were
   * registered with: endpoint, region and path style for S3, the Hadoop configuration for HDFS).
   */
  public static Store forPath(String path, PipelineOptions options) {
    String scheme = scheme(path);
    Store store = switch (scheme) {
      case "file" -> new PosixStore();
      case "hdfs" -> HadoopStore.create(path, options);
      case "s3" -> S3Store.create(options);
      case "gs" -> GcsStore.create(options);
      default -> throw new EncoreException(EncoreException.USAGE, "The path " + path + " uses the scheme "
          + scheme + "://, which Encore does not publish to. Use a local path, hdfs://, s3:// or gs://.");
    };
    return new Observed(store);
  }

  /** Reports each operation of a store to {@link StoreFiles#observe}'s test hook. */
  private record Observed(Store store) implements Store {
    @Override
    public String name() {
      return store.name();
    }

    @Override
    public boolean renamesAtomically() {
      return store.renamesAtomically();
    }

    @Override
    public void renameDirectory(String from, String to) throws IOException {
      store.renameDirectory(from, to);
      StoreFiles.done("rename " + from + " -> " + to);
    }

    @Override
    public boolean createIfAbsent(String path, byte[] content) throws IOException {
      boolean created = store.createIfAbsent(path, content);
      StoreFiles.done("create-if-absent " + path + (created ? "" : " (refused)"));
      return created;
    }

    @Override
    public void replaceAtomically(String path, byte[] content) throws IOException {
      store.replaceAtomically(path, content);
      StoreFiles.done("replace " + path);
    }
  }
}
