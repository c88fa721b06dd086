package dev.encore;

/**
 * A failure the user can act on: its message names the cause (file, field, value) and what to do, and it carries
 * the process exit code the command line returns for it.
 */
public class EncoreException extends RuntimeException {
  /** Exit code for bad command-line options or definitions. */
  public static final int USAGE = 2;
  /** Exit code for input that is missing, unsealed or unreadable. */
  public static final int INPUT = 3;
  /** Exit code for an output root that Encore refuses to write to. */
  public static final int OUTPUT = 4;
  /** Exit code for a pipeline that failed while running. */
  public static final int PIPELINE = 1;

  private final int exitCode;

  public EncoreException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public EncoreException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
