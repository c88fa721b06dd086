package dev.encore.config;

/**
 * Where {@code --failAt} makes a run fail on purpose, so tests (and operators rehearsing an incident) can check
 * that a failure anywhere leaves every published partition as it was.
 */
public enum FaultPoint {
  /** No injected failure. */
  NONE,
  /** While reading the input files. */
  READING,
  /** While writing the staged Parquet files. */
  WRITING,
  /** After everything is staged, before the first partition is published. */
  PUBLISHING;

  /** Thrown at the fault point. */
  public static final class InjectedFailure extends RuntimeException {
    public InjectedFailure(FaultPoint point) {
      super("failure injected with --failAt=" + point.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** Fails here when this is the chosen point. */
  public void failIf(FaultPoint here) {
    if (this == here) {
      throw new InjectedFailure(here);
    }
  }
}
