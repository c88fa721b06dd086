package dev.encore.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The benchmark's options, checked once.
 *
 * @param scenarios {@link BenchRow#COLD}, {@link BenchRow#STEADY}, {@link BenchRow#BACKFILL}, {@link
 *     BenchRow#TESTDATA}, in run order
 * @param repeats runs of every engine in every scenario, interleaved
 * @param sizes generated plays per 60 days of each data set, in run order
 * @param runners Beam runners measured on each size, in run order
 * @param references {@link BenchRow#JAVA} and/or {@link BenchRow#DUCKDB}, run first in each scenario
 * @param days arrival days of history
 * @param playsPerUser plays per listener account per 60 days (users = size / playsPerUser)
 * @param testdata the committed sample's logs (testdata and backfill scenarios)
 * @param backfillDays dates of the backfill scenario
 * @param seed generator seed
 * @param work work directory
 * @param csv CSV file rows are appended to
 * @param markdown Markdown page rewritten with the results
 * @param maxDirectPlays the DirectRunner is skipped above this many plays
 * @param xmx -Xmx of every runner's JVM
 * @param referenceXmx -Xmx of the references' JVMs
 * @param duckdbThreads threads of the DuckDB reference
 * @param note free text recorded with the results
 */
public record BenchConfig(
    List<String> scenarios,
    int repeats,
    List<Long> sizes,
    List<String> runners,
    List<String> references,
    int days,
    int playsPerUser,
    Path testdata,
    int backfillDays,
    long seed,
    Path work,
    Path csv,
    Path markdown,
    long maxDirectPlays,
    String xmx,
    String referenceXmx,
    int duckdbThreads,
    String note) {

  /** The generator's largest --users. */
  static final int MAX_USERS = 10_000_000;

  /**
   * Checks and converts the options.
   *
   * @param availableRunners the runners this build of Encore has (simple class names)
   * @throws IllegalArgumentException naming the option and what is allowed
   */
  static BenchConfig from(BenchOptions o, Set<String> availableRunners) {
    List<String> scenarios = names(o.getScenarios());
    for (String scenario : scenarios) {
      if (!SCENARIOS.contains(scenario)) {
        throw new IllegalArgumentException("--scenarios: '" + scenario + "' is not one of "
            + String.join(", ", SCENARIOS) + ".");
      }
    }
    if (scenarios.isEmpty()) {
      throw new IllegalArgumentException("--scenarios names no scenario; for example --scenarios=cold,steady.");
    }
    if (o.getRepeats() < 1 || o.getBackfillDays() < 1) {
      throw new IllegalArgumentException("--repeats and --backfillDays must be at least 1.");
    }
    List<Long> sizes = Sizes.parseList(o.getSizes());
    List<String> runners = names(o.getRunners());
    for (String runner : runners) {
      if (!availableRunners.contains(runner)) {
        throw new IllegalArgumentException("--runners: " + runner + " is not a runner of this build of Encore"
            + " (it has " + String.join(", ", new TreeSet<>(availableRunners)) + "). Leave it out, e.g."
            + " --runners=FlinkRunner,DirectRunner.");
      }
    }
    List<String> references = names(o.getReferences());
    for (String reference : references) {
      if (!reference.equals(BenchRow.JAVA) && !reference.equals(BenchRow.DUCKDB)) {
        throw new IllegalArgumentException("--references: '" + reference + "' is not one of java, duckdb.");
      }
    }
    if (runners.isEmpty() && references.isEmpty()) {
      throw new IllegalArgumentException("--runners and --references name nothing to measure.");
    }
    if (o.getDays() < 2 || o.getDays() > 3660) {
      throw new IllegalArgumentException("--days=" + o.getDays() + " is out of range; expected 2 to 3660.");
    }
    if (o.getPlaysPerUser() < 1) {
      throw new IllegalArgumentException("--playsPerUser=" + o.getPlaysPerUser() + " must be at least 1.");
    }
    for (long plays : sizes) {
      if (plays / o.getPlaysPerUser() > MAX_USERS) {
        throw new IllegalArgumentException(Sizes.format(plays) + " plays at --playsPerUser=" + o.getPlaysPerUser()
            + " makes more than " + MAX_USERS + " users; raise --playsPerUser.");
      }
    }
    heapSize("--xmx", o.getXmx());
    heapSize("--referenceXmx", o.getReferenceXmx());
    if (o.getMaxDirectPlays() < 0 || o.getDuckdbThreads() < 1) {
      throw new IllegalArgumentException("--maxDirectPlays must be 0 or more and --duckdbThreads at least 1.");
    }
    return new BenchConfig(scenarios, o.getRepeats(), sizes, runners, references, o.getDays(), o.getPlaysPerUser(),
        Path.of(o.getTestdata()), o.getBackfillDays(), o.getSeed(),
        Path.of(o.getWork()), Path.of(o.getCsv()), Path.of(o.getMarkdown()), o.getMaxDirectPlays(), o.getXmx(),
        o.getReferenceXmx(),
        o.getDuckdbThreads(), o.getNote() == null ? "" : o.getNote());
  }

  private static void heapSize(String option, String value) {
    if (!value.matches("\\d+[kKmMgG]?")) {
      throw new IllegalArgumentException(option + "=" + value + " is not a heap size; use e.g. 4g or 3500m.");
    }
  }

  /** The scenarios, in the order a full run measures them. */
  static final List<String> SCENARIOS =
      List.of(BenchRow.COLD, BenchRow.STEADY, BenchRow.BACKFILL, BenchRow.TESTDATA);

  /** Listener accounts of a data set of {@code size} plays per 60 days. */
  long users(long size) {
    return Math.max(2, size / playsPerUser);
  }

  /** Plays in the generated logs of {@code size} plays per 60 days over {@link #days} days. */
  long plays(long size) {
    return Math.round(size * (double) days / 60);
  }

  private static List<String> names(String list) {
    List<String> names = new ArrayList<>();
    if (list == null) {
      return names;
    }
    for (String part : list.split(",")) {
      String name = part.strip();
      if (!name.isEmpty() && !names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }
}
