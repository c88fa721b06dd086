package dev.encore.store;

import java.io.IOException;
import org.apache.beam.sdk.options.PipelineOptions;

/** Placeholder until the store is implemented (issue 14 in progress). */
final class S3Store implements Store {
  static S3Store create(PipelineOptions options) {
    return new S3Store();
  }

  @Override
  public String name() {
    return "S3Store";
  }

  @Override
  public boolean renamesAtomically() {
    return false;
  }

  @Override
  public void renameDirectory(String from, String to) throws IOException {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean createIfAbsent(String path, byte[] content) throws IOException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void replaceAtomically(String path, byte[] content) throws IOException {
    throw new UnsupportedOperationException();
  }
}
