package dev.encore.sessions;

/**
 * The version of the code that turns listening logs into activity rows: validation, deduplication, hot-day
 * exclusion and the daily summary. Published activity records it, and a run reuses activity only when it was
 * built by this version, so months of history are never silently kept from older rules.
 *
 * <p>Bump {@link #VERSION} whenever a change to that code changes the activity rows of the same input, and append
 * the new version with the digest of {@code testdata/}'s activity to
 * {@code src/test/resources/activity-logic-versions.txt}; {@code ActivityLogicVersionTest} fails until both are
 * done.
 */
public final class ActivityLogic {
  /** The current version; see the class comment for when to bump it. */
  // 2: rows carry the first qualifying play's start, item and platform (discovery attribution), and activity
  // built from incomplete input is final once published after its lateness (the input calendar).
  public static final int VERSION = 2;

  private ActivityLogic() {}
}
