package dev.encore.nightly;

import java.time.LocalDate;

/**
 * Which days a nightly run for arrival day T reads and publishes, given the lateness L.
 *
 * <p>Session day D is final once the plays of D and D+1 can no longer arrive, but is published as soon as day D+1
 * has arrived and republished while late plays may still change it: run T publishes session days T-1-L .. T-1.
 * Those sessions need the plays of days T-2-L .. T (the day before the first one, so sessions running past
 * midnight into it are found), which arrive in partitions T-3-L .. T. The rejected records of partition T are
 * published by run T.
 *
 * @param date the run's arrival day T
 * @param lateness allowedLatenessDays L
 */
public record NightlyWindow(LocalDate date, int lateness) {

  /** First arrival partition read. */
  public LocalDate firstArrival() {
    return date.minusDays(3L + lateness);
  }

  /** Last arrival partition read: the run's own date. */
  public LocalDate lastArrival() {
    return date;
  }

  /** First session day published. */
  public LocalDate firstSessionDay() {
    return date.minusDays(1L + lateness);
  }

  /** Last session day published: the day before the run's date. */
  public LocalDate lastSessionDay() {
    return date.minusDays(1);
  }
}
