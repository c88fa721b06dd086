package dev.encore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import java.util.stream.Stream;

/**
 * The log of one {@code java -jar encore.jar} process: Encore's own log lines on the console, every log record
 * (the engines' warnings and errors with their stack traces, Encore's lines, the failure) in one file per run.
 *
 * <p>Every library logs into java.util.logging here: SLF4J through its one binding, slf4j-jdk14, and
 * commons-logging by itself. So two handlers on JUL's root logger decide what goes where. The file is decided from
 * the command line before anything logs: {@code <output>/_encore/logs/} when {@code --output} is an Encore output
 * root ({@code _encore/ROOT}) that can take the file, else the JVM's temporary directory. Only a run that is not
 * in an output root and ended well, or whose command line was wrong, has its file deleted: the temporary directory
 * keeps only failed runs' logs.
 */
public final class RunLog {
  /** Log files kept in an output root's {@code _encore/logs/}: about a month of nightly runs. */
  static final int KEPT_IN_ROOT = 30;

  private static final String LEVELS = "/encore-logging.properties";
  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter LINE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** The process's log once {@link #start} ran; null in tests that call {@link Encore#run} in their own JVM. */
  private static volatile RunLog current;

  private final Path file;
  private final boolean inOutputRoot;
  private final Handler fileHandler;

  private RunLog(Path file, boolean inOutputRoot, Handler fileHandler) {
    this.file = file;
    this.inOutputRoot = inOutputRoot;
    this.fileHandler = fileHandler;
  }

  /**
   * Sets up logging for this process, before anything logs: Encore's lines at info on stderr, every record in the
   * run's file. If no file can be written anywhere, everything goes to stderr as before.
   */
  static RunLog start(String[] args) {
    Instant now = Instant.now();
    configureLevels();
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Optional<Path> rootLogs = option(args, "--output").flatMap(RunLog::logsDirOfOutputRoot);
    String name = fileName(args, now, ProcessHandle.current().pid());
    Path file = null;
    OutputStream stream = null;
    for (Path dir : Stream.concat(rootLogs.stream(), Stream.of(Path.of(System.getProperty("java.io.tmpdir"))))
        .toList()) {
      try {
        Files.createDirectories(dir);
        file = dir.resolve(name).toAbsolutePath();
        stream = Files.newOutputStream(file);
        break;
      } catch (IOException | UnsupportedOperationException e) {
        file = null; // not writable: try the next place
      }
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    if (stream == null) {
      console.setFormatter(new LineFormatter(true, true));
      root.addHandler(console);
      current = new RunLog(null, false, null);
      return current;
    }
    // Only Encore's own lines reach the console, without stack traces; the file has them.
    console.setFormatter(new LineFormatter(true, false));
    console.setFilter(r -> r.getLoggerName() != null && r.getLoggerName().startsWith("dev.encore."));
    root.addHandler(console);
    StreamHandler toFile = new StreamHandler(stream, new LineFormatter(false, true)) {
      @Override
      public synchronized void publish(LogRecord record) {
        super.publish(record);
        flush(); // a run killed half-way still leaves its log
      }
    };
    toFile.setLevel(Level.ALL);
    try {
      toFile.setEncoding(StandardCharsets.UTF_8.name());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // UTF-8 is always supported
    }
    root.addHandler(toFile);
    current = new RunLog(file, rootLogs.isPresent() && file.startsWith(rootLogs.get().toAbsolutePath()), toFile);
    toFile.publish(new LogRecord(Level.INFO, "encore " + String.join(" ", args) + " (Encore " + Version.get()
        + ", Java " + Runtime.version() + ", pid " + ProcessHandle.current().pid() + ")"));
    if (current.inOutputRoot) {
      prune(file.getParent(), KEPT_IN_ROOT);
    }
    return current;
  }

  /** The run's log file, if it has one. */
  Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /**
   * Writes a failure with its stack trace to the run's log file only (the console has the message); false when
   * there is no file, and the caller has to show the stack trace itself.
   */
  public static boolean failure(String message, Throwable e) {
    RunLog log = current;
    if (log == null || log.fileHandler == null) {
      return false;
    }
    LogRecord r = new LogRecord(Level.SEVERE, message);
    r.setLoggerName(Encore.class.getName());
    r.setThrown(e);
    log.fileHandler.publish(r);
    return true;
  }

  /**
   * Closes the file at the end of the run. A usage error's file is deleted (a log cannot help with a command
   * line), and so is the file of a run that ended well outside an output root.
   */
  void finish(int exitCode) {
    if (fileHandler == null) {
      return;
    }
    Logger.getLogger("").removeHandler(fileHandler);
    fileHandler.close();
    if (exitCode == EncoreException.USAGE || (exitCode == 0 && !inOutputRoot)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover file in the temporary directory is harmless
      }
    }
  }

  /** Whether a failed run with this exit code names its log file: usage errors are about the command line. */
  static boolean worthShowing(int exitCode) {
    return exitCode != 0 && exitCode != EncoreException.USAGE;
  }

  /**
   * {@code <output>/_encore/logs} when {@code output} is an Encore output root (it has {@code _encore/ROOT}).
   * Logs never go into any other folder given as --output: a file there would make Encore refuse it as a root.
   */
  static Optional<Path> logsDirOfOutputRoot(String output) {
    try {
      Path privateDir = Path.of(output).resolve("_encore");
      return Files.isRegularFile(privateDir.resolve("ROOT"))
          ? Optional.of(privateDir.resolve("logs")) : Optional.empty();
    } catch (RuntimeException e) { // not a path (InvalidPathException): the command will say so
      return Optional.empty();
    }
  }

  /**
   * {@code encore-<command>[-<date or range>]-<UTC time>-<pid>.log}, e.g.
   * {@code encore-nightly-2024-03-30-20261130T031500Z-4242.log}.
   */
  static String fileName(String[] args, Instant started, long pid) {
    StringBuilder name = new StringBuilder("encore-").append(args.length == 0 ? "help" : args[0]);
    option(args, "--date").ifPresent(d -> name.append('-').append(d));
    option(args, "--from").ifPresent(d -> name.append('-').append(d));
    option(args, "--to").ifPresent(d -> name.append("..").append(d));
    // Whatever was typed, the name stays one file name.
    String safe = name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    return safe + "-" + NAME_TIME.format(started) + "-" + pid + ".log";
  }

  /** Deletes all but the newest {@code keep} Encore log files in {@code dir}; failures only leave files behind. */
  static void prune(Path dir, int keep) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> logs = files
          .filter(f -> f.getFileName().toString().startsWith("encore-") && f.toString().endsWith(".log"))
          .sorted(Comparator.comparing(RunLog::modified).reversed())
          .toList();
      for (Path old : logs.subList(Math.min(keep, logs.size()), logs.size())) {
        Files.deleteIfExists(old);
      }
    } catch (IOException e) {
      // the next run tries again
    }
  }

  private static FileTime modified(Path f) {
    try {
      return Files.getLastModifiedTime(f);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  /** The value of {@code --name=value} on the command line (Beam's option style), if given. */
  private static Optional<String> option(String[] args, String name) {
    return Arrays.stream(args).filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1))
        .findFirst();
  }

  /**
   * Levels from {@code encore-logging.properties} (engines' warnings, Encore's info), unless the user gave JUL a
   * configuration file of their own with {@code -Djava.util.logging.config.file}.
   */
  private static void configureLevels() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream in = RunLog.class.getResourceAsStream(LEVELS)) {
      if (in != null) {
        LogManager.getLogManager().readConfiguration(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + LEVELS + " from the jar", e);
    }
  }

  /** One line per record, SLF4J's level names, UTC time; the stack trace below it unless left out. */
  static final class LineFormatter extends Formatter {
    private final boolean shortNames;
    private final boolean withStackTraces;

    LineFormatter(boolean shortNames, boolean withStackTraces) {
      this.shortNames = shortNames;
      this.withStackTraces = withStackTraces;
    }

    @Override
    public String format(LogRecord r) {
      String logger = r.getLoggerName() == null ? "encore" : r.getLoggerName();
      if (shortNames) {
        logger = logger.substring(logger.lastIndexOf('.') + 1);
      }
      StringBuilder line = new StringBuilder()
          .append(LINE_TIME.format(r.getInstant())).append(' ').append(level(r.getLevel())).append(' ')
          .append(logger).append(" - ").append(formatMessage(r)).append(System.lineSeparator());
      if (withStackTraces && r.getThrown() != null) {
        StringWriter trace = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(trace));
        line.append(trace);
      }
      return line.toString();
    }

    /** The SLF4J name of a JUL level (slf4j-jdk14 maps ERROR to SEVERE, WARN to WARNING, DEBUG to FINE). */
    static String level(Level level) {
      int v = level.intValue();
      if (v >= Level.SEVERE.intValue()) {
        return "ERROR";
      } else if (v >= Level.WARNING.intValue()) {
        return "WARN";
      } else if (v >= Level.INFO.intValue()) {
        return "INFO";
      } else if (v >= Level.FINE.intValue()) {
        return "DEBUG";
      }
      return "TRACE";
    }
  }
}
