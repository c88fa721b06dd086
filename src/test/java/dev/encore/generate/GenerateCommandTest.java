package dev.encore.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import dev.encore.generate.WrittenLogs.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs the real command and checks what it wrote by reading the Avro files back independently. */
class GenerateCommandTest {
  private static final int LATENESS = 2;
  private static final int DAYS = 21;
  private static final LocalDate FROM = LocalDate.parse("2024-03-01");
  private static final String[] ARGS = {
    "--from=" + FROM, "--days=" + DAYS, "--users=120", "--plays=20000", "--seed=11",
    "--allowedLatenessDays=" + LATENESS, "--filesPerPartition=2"
  };

  @TempDir static Path shared;
  private static Path output;
  private static WrittenLogs logs;

  /** Exit code and what the command printed. */
  private record Result(int exitCode, String out, String err) {}

  private static Result generate(Path output, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--output=" + output;
    System.arraycopy(args, 0, all, 1, args.length);
    return run(all);
  }

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = GenerateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void generateOnce() throws IOException {
    output = shared.resolve("logs");
    Result result = generate(output, ARGS);
    assertThat(result.err(), result.exitCode(), is(0));
    logs = new WrittenLogs(output);
  }

  /** The class of every record, by the SPEC rules, in delivery order (first delivery wins). */
  private static Map<Row, String> classify() {
    Map<Row, String> classes = new HashMap<>();
    Set<String> delivered = new HashSet<>();
    for (Row row : logs.rows) {
      List<String> faults = WrittenLogs.faults(row, LATENESS);
      if (!faults.isEmpty()) {
        classes.put(row, faults.get(0));
      } else if (row.flag("incognito_mode")) {
        classes.put(row, "private");
      } else if (!delivered.add(row.str("event_id"))) {
        classes.put(row, "duplicate");
      } else {
        classes.put(row, "valid");
      }
    }
    return classes;
  }

  @Test
  void manifestCountsEqualARecountOfTheFiles() {
    Map<Row, String> classes = classify();
    JsonNode partitions = logs.manifest.get("partitions");
    long plays = 0;
    for (LocalDate day : logs.partitions) {
      List<Row> rows = logs.rows.stream().filter(r -> r.arrival().equals(day)).toList();
      Map<String, Long> count = new TreeMap<>();
      long lateAccepted = 0;
      for (Row row : rows) {
        count.merge(classes.get(row), 1L, Long::sum);
        if (classes.get(row).equals("valid") && row.tsDay() < row.arrivalDay()) {
          lateAccepted++;
        }
      }
      JsonNode p = partitions.get("dt=" + day);
      String where = "dt=" + day;
      assertThat(where, p.get("records").asLong(), equalTo((long) rows.size()));
      assertThat(where, p.get("valid_plays").asLong(), equalTo(count.getOrDefault("valid", 0L)));
      assertThat(where, p.get("private").asLong(), equalTo(count.getOrDefault("private", 0L)));
      assertThat(where, p.get("duplicates").asLong(), equalTo(count.getOrDefault("duplicate", 0L)));
      assertThat(where, p.get("late_accepted").asLong(), equalTo(lateAccepted));
      for (String reason : PartitionCounts.REASONS) {
        assertThat(where + " " + reason, p.get("invalid").get(reason).asLong(),
            equalTo(count.getOrDefault(reason, 0L)));
      }
      plays += rows.size() - count.getOrDefault("duplicate", 0L);
    }
    assertThat(partitions.size(), equalTo(DAYS));
    JsonNode totals = logs.manifest.get("totals");
    long beyond = totals.get("return_plays_beyond_budget").asLong();
    assertThat("return visits beyond the budget are few", beyond, lessThan(1_000L));
    assertThat(totals.get("plays").asLong(), equalTo(20_000L + beyond));
    assertThat("every play is written once or counted as not delivered",
        plays + totals.get("not_delivered").asLong(), equalTo(20_000L + beyond));
  }

  @Test
  void everyInvalidRecordHasExactlyOneFault() {
    long invalid = 0;
    for (Row row : logs.rows) {
      List<String> faults = WrittenLogs.faults(row, LATENESS);
      assertThat(row.file() + "#" + row.position(), faults.size(), lessThanOrEqualTo(1));
      invalid += faults.size();
    }
    for (String reason : PartitionCounts.REASONS) {
      assertThat(reason, logs.manifest.get("totals").get("invalid").get(reason).asLong(), greaterThan(0L));
    }
    double share = (double) invalid / logs.rows.size();
    assertThat(share, allOf(greaterThan(0.002), lessThan(0.012)));
  }

  @Test
  void everyArrivalDayIsAPartitionWithItsFilesAndSuccess() throws IOException {
    for (int d = 0; d < DAYS; d++) {
      Path dir = output.resolve("dt=" + FROM.plusDays(d));
      assertThat(dir + "/_SUCCESS", Files.size(dir.resolve("_SUCCESS")), equalTo(0L));
      assertThat(Files.exists(dir.resolve("part-00000.avro")), is(true));
      assertThat(Files.exists(dir.resolve("part-00001.avro")), is(true));
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.count(), equalTo(3L));
      }
    }
    assertThat(logs.partitions, hasSize(DAYS));
  }

  @Test
  void sameArgumentsGiveIdenticalBytesAndAnotherSeedDoesNot() throws IOException {
    String[] small = {"--users=30", "--days=5", "--plays=1500", "--seed=3"};
    Path a = shared.resolve("a");
    Path b = shared.resolve("b");
    Path c = shared.resolve("c");
    assertThat(generate(a, small).exitCode(), is(0));
    assertThat(generate(b, small).exitCode(), is(0));
    assertThat(generate(c, "--users=30", "--days=5", "--plays=1500", "--seed=4").exitCode(), is(0));
    Map<String, byte[]> first = contents(a);
    Map<String, byte[]> second = contents(b);
    Map<String, byte[]> other = contents(c);
    assertThat(second.keySet(), equalTo(first.keySet()));
    for (String file : first.keySet()) {
      assertThat(file, second.get(file), equalTo(first.get(file)));
    }
    assertThat(other.keySet(), equalTo(first.keySet()));
    assertThat(other.get("dt=2024-01-01/part-00000.avro"), not(equalTo(first.get("dt=2024-01-01/part-00000.avro"))));
  }

  private static Map<String, byte[]> contents(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  @Test
  void noUserHasAChainOfPlaysOf24HoursOrMore() throws IOException {
    assertThat(longestChain(logs, LATENESS), lessThan(24 * WrittenLogs.HOUR));
    // Listeners near the most they can play, so that only their sleep can break the chains.
    Path dense = shared.resolve("dense");
    assertThat(generate(dense, "--users=12", "--days=5", "--plays=9000", "--seed=8").exitCode(), is(0));
    assertThat(longestChain(new WrittenLogs(dense), 3), lessThan(24 * WrittenLogs.HOUR));
  }

  /**
   * The longest chain of any user over all accepted plays (private ones too, once each): a chain goes on while
   * each play starts at most 30 minutes after the latest end so far.
   */
  private static long longestChain(WrittenLogs written, int lateness) {
    Map<String, List<long[]>> plays = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (Row row : written.rows) {
      if (WrittenLogs.faults(row, lateness).isEmpty() && seen.add(row.str("event_id"))) {
        plays.computeIfAbsent(row.str("user_id"), u -> new ArrayList<>())
            .add(new long[] {row.ts() - row.msPlayed(), row.ts()});
      }
    }
    long longest = 0;
    for (List<long[]> list : plays.values()) {
      list.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
      long chainStart = list.get(0)[0];
      long latestEnd = list.get(0)[1];
      for (long[] p : list) {
        if (p[0] - latestEnd > 30 * 60_000L) {
          chainStart = p[0];
        }
        latestEnd = Math.max(latestEnd, p[1]);
        longest = Math.max(longest, latestEnd - chainStart);
      }
    }
    return longest;
  }

  @Test
  void validPlaysAreConsistent() {
    Map<Row, String> classes = classify();
    for (Row row : logs.rows) {
      String c = classes.get(row);
      if (c.equals("valid") || c.equals("private") || c.equals("duplicate")) {
        Object duration = row.record().get("duration_ms");
        if (duration != null) {
          assertThat(row.msPlayed(), lessThanOrEqualTo((Long) duration));
        }
        long late = row.arrivalDay() - row.tsDay();
        if (row.flag("offline")) {
          assertThat("offline plays arrive late", late, allOf(greaterThanOrEqualTo(1L),
              lessThanOrEqualTo((long) LATENESS)));
        } else if (!c.equals("duplicate")) {
          assertThat("on-time plays arrive on their day", late, equalTo(0L));
        }
        String type = row.str("content_type");
        assertThat(row.str("artist_id") != null, is(type.equals("TRACK")));
        assertThat(row.str("show_id") != null, is(type.equals("EPISODE")));
        if (Boolean.TRUE.equals(row.record().get("skipped"))) {
          assertThat(row.str("reason_end"), equalTo("fwdbtn"));
        }
      }
    }
  }

  @Test
  void duplicatesAreExactRedeliveriesWithinTheLateness() {
    Map<String, Row> first = new HashMap<>();
    Map<Row, String> classes = classify();
    int duplicates = 0;
    int sameFile = 0;
    for (Row row : logs.rows) {
      String c = classes.get(row);
      if (c.equals("valid")) {
        first.put(row.str("event_id"), row);
      } else if (c.equals("duplicate")) {
        duplicates++;
        Row original = first.get(row.str("event_id"));
        assertThat(row.record(), equalTo(original.record()));
        if (row.arrival().equals(original.arrival())) {
          sameFile++;
          assertThat(row.file(), equalTo(original.file()));
          assertThat(row.position(), greaterThan(original.position()));
        } else {
          assertThat(row.arrivalDay() - row.tsDay(), lessThanOrEqualTo((long) LATENESS));
        }
      }
    }
    assertThat(duplicates, greaterThan(0));
    assertThat("some duplicates in the same file", sameFile, greaterThan(0));
    assertThat("some duplicates in a later partition", sameFile, lessThan(duplicates));
  }

  @Test
  void looksLikeListening() {
    Map<Row, String> classes = classify();
    long valid = 0;
    long privatePlays = 0;
    long offline = 0;
    long zero = 0;
    long underThreshold = 0;
    long nullSkipped = 0;
    long episodes = 0;
    long midnight = 0;
    Set<String> contexts = new HashSet<>();
    for (Row row : logs.rows) {
      String c = classes.get(row);
      if (c.equals("private")) {
        privatePlays++;
      }
      if (!c.equals("valid")) {
        continue;
      }
      valid++;
      offline += row.flag("offline") ? 1 : 0;
      zero += row.msPlayed() == 0 ? 1 : 0;
      boolean episode = row.str("content_type").equals("EPISODE");
      episodes += episode ? 1 : 0;
      underThreshold += row.msPlayed() < (episode ? 60_000 : 30_000) ? 1 : 0;
      nullSkipped += row.record().get("skipped") == null ? 1 : 0;
      midnight += Math.floorDiv(row.ts() - row.msPlayed(), WrittenLogs.DAY) != row.tsDay() ? 1 : 0;
      contexts.add(row.str("context_type"));
    }
    double all = valid + privatePlays;
    assertThat("private share", privatePlays / all, allOf(greaterThan(0.008), lessThan(0.04)));
    assertThat("offline share", offline / all, allOf(greaterThan(0.01), lessThan(0.06)));
    assertThat("0 ms plays", zero, greaterThan(0L));
    assertThat("plays under the thresholds", underThreshold / (double) valid, allOf(greaterThan(0.08), lessThan(0.4)));
    assertThat("skipped is sometimes null", nullSkipped / (double) valid, allOf(greaterThan(0.05), lessThan(0.5)));
    assertThat("episodes", episodes, greaterThan(0L));
    assertThat("plays crossing midnight", midnight, greaterThan(0L));
    assertThat(contexts, hasSize(Vocabulary.CONTEXTS.length + 1)); // and null
  }

  @Test
  void theBotPlaysVeryManyShortTracksButSleeps() {
    String bot = logs.manifest.get("bot_user_id").asText();
    assertThat(bot, startsWith("u"));
    Map<String, Long> perUser = new HashMap<>();
    for (Row row : logs.rows) {
      perUser.merge(row.str("user_id"), 1L, Long::sum);
    }
    long botPlays = perUser.get(bot);
    long mostByAHuman = perUser.entrySet().stream().filter(e -> !e.getKey().equals(bot))
        .mapToLong(Map.Entry::getValue).max().orElseThrow();
    assertThat(botPlays, greaterThan(mostByAHuman));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "--days=0|--days=0 is out of range",
    "--days=-5|--days=-5 is out of range",
    "--users=0|--users=0 is out of range",
    "--plays=-1|--plays=-1 is negative",
    "--from=2024-13-01|--from=2024-13-01 is not a date; expected YYYY-MM-DD",
    "--from=yesterday|--from=yesterday is not a date",
    "--allowedLatenessDays=-1|--allowedLatenessDays=-1 is out of range",
    "--filesPerPartition=0|--filesPerPartition=0 is out of range",
    "--days=3000 --filesPerPartition=2|--days=3000 with --filesPerPartition=2 makes more than 4000 files",
    "--days=ten|--days=ten is not a whole number",
    "--plays=100000000|--plays=100000000 is more than --users=200 can play",
    "--colour=blue|missing a property named 'colour'",
  })
  void badOptionsExitWith2AndSayWhatIsWrong(String args, String message) {
    Path out = shared.resolve("bad");
    Result result = generate(out, args.split(" "));
    assertThat(result.exitCode(), is(2));
    assertThat(result.err(), containsString(message));
    assertThat("nothing written", Files.exists(out), is(false));
  }

  @Test
  void outputIsRequired() {
    Result result = run("--days=3");
    assertThat(result.exitCode(), is(2));
    assertThat(result.err(), containsString("--output"));
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    Result result = run("--help");
    assertThat(result.exitCode(), is(0));
    for (String option : new String[] {
      "--output=<String>  (required)", "--from=<String>  (default 2024-01-01)", "--days=<int>  (default 90)",
      "--users=<int>  (default 200)", "--plays=<long>  (default 60000)", "--seed=<long>  (default 42)",
      "--allowedLatenessDays=<int>  (default 3)", "--filesPerPartition=<int>  (default 2)",
      "--bot=<boolean>  (default true)"}) {
      assertThat(result.out(), containsString(option));
    }
  }

  @Test
  void refusesAForeignDirectoryButReplacesItsOwnOutput() throws IOException {
    Path foreign = shared.resolve("foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    Result refused = generate(foreign, "--days=2", "--users=5", "--plays=50");
    assertThat(refused.exitCode(), is(2));
    assertThat(refused.err(), containsString("is not empty"));
    assertThat(Files.readString(foreign.resolve("notes.txt")), equalTo("mine"));

    Path own = shared.resolve("own");
    assertThat(generate(own, "--days=4", "--users=5", "--plays=50").exitCode(), is(0));
    assertThat(generate(own, "--days=2", "--users=5", "--plays=50").exitCode(), is(0));
    try (Stream<Path> children = Files.list(own)) {
      assertThat(children.map(p -> p.getFileName().toString()).sorted().toList(),
          equalTo(List.of("_generator.json", "_truth.json", "dt=2024-01-01", "dt=2024-01-02")));
    }
  }
}
