package dev.encore.store;

import dev.encore.EncoreException;
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
    switch (scheme) {
      case "file":
        return new PosixStore();
      case "hdfs":
        return HadoopStore.create(path, options);
      case "s3":
        return S3Store.create(options);
      case "gs":
        return GcsStore.create(options);
      default:
        throw new EncoreException(EncoreException.USAGE, "The path " + path + " uses the scheme " + scheme
            + "://, which Encore does not publish to. Use a local path, hdfs://, s3:// or gs://.");
    }
  }
}
