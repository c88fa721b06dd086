package dev.encore.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** A local (or NFS-mounted) POSIX file system: rename(2) is atomic, O_CREAT|O_EXCL creates if absent. */
final class PosixStore implements Store {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public boolean renamesAtomically() {
    return true;
  }

  @Override
  public void renameDirectory(String from, String to) throws IOException {
    Path target = Path.of(to);
    Files.createDirectories(target.getParent());
    Files.move(Path.of(from), target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public boolean createIfAbsent(String path, byte[] content) throws IOException {
    Path file = Path.of(path);
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(content);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  @Override
  public void replaceAtomically(String path, byte[] content) throws IOException {
    Path file = Path.of(path);
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
