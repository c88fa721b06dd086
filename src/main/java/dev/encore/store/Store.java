package dev.encore.store;

import java.io.IOException;

/**
 * The two operations publishing needs that Beam's {@code FileSystems} lacks, with one implementation per store:
 * an atomic rename of a folder (POSIX and HDFS have one; object stores do not) and create-if-absent (on object
 * stores a conditional write). Every other data access goes through {@code FileSystems} ({@link StoreFiles}).
 */
public interface Store {
  /** A short name for messages and run metadata: {@code local}, {@code hdfs}, {@code s3}, {@code gcs}. */
  String name();

  /**
   * Whether {@link #renameDirectory} is atomic here. When it is not (object stores), a partition is published by
   * committing a manifest instead of renaming its folder into place.
   */
  boolean renamesAtomically();

  /**
   * Moves folder {@code from} to {@code to}, which must not exist (its parent is created when missing), in one
   * atomic step: a reader sees the folder at one path or the other, whole. Only where {@link #renamesAtomically()}.
   *
   * @throws IOException when the rename fails; nothing has moved then
   * @throws UnsupportedOperationException on a store without atomic renames
   */
  void renameDirectory(String from, String to) throws IOException;

  /**
   * Writes {@code content} to file {@code path} unless a file is already there (parents created as needed). Of
   * concurrent callers on one path exactly one gets {@code true}; the others get {@code false} and write nothing.
   */
  boolean createIfAbsent(String path, byte[] content) throws IOException;

  /**
   * Replaces (or creates) small file {@code path} with {@code content} so that a reader sees the old content or
   * the new, whole: a rename over it on POSIX and HDFS, a single object write on object stores.
   */
  void replaceAtomically(String path, byte[] content) throws IOException;
}
