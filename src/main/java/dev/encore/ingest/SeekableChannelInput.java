package dev.encore.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import org.apache.avro.file.SeekableInput;
import org.apache.beam.sdk.io.FileSystems;

/**
 * An Avro {@link SeekableInput} over a Beam file system channel, so input files are read the same way on any file
 * system Beam supports, and a reader can tell how far into the file it got (truncation check).
 */
final class SeekableChannelInput implements SeekableInput {
  private final SeekableByteChannel channel;

  private SeekableChannelInput(SeekableByteChannel channel) {
    this.channel = channel;
  }

  /** Opens {@code path}; its file system must give seekable channels (local files and object stores do). */
  static SeekableChannelInput open(String path) throws IOException {
    ReadableByteChannel channel = FileSystems.open(FileSystems.matchNewResource(path, false));
    if (!(channel instanceof SeekableByteChannel seekable)) {
      channel.close();
      throw new IOException("the file system of " + path + " cannot seek in files");
    }
    return new SeekableChannelInput(seekable);
  }

  @Override
  public void seek(long p) throws IOException {
    channel.position(p);
  }

  @Override
  public long tell() throws IOException {
    return channel.position();
  }

  @Override
  public long length() throws IOException {
    return channel.size();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return channel.read(ByteBuffer.wrap(b, off, len));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
