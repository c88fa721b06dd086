package dev.encore.sessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.fail;

import dev.encore.avro.Activity;
import dev.encore.config.FaultPoint;
import dev.encore.config.JobDefinition;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.IngestListeningLogs;
import dev.encore.ingest.InputPartition;
import dev.encore.nightly.JobOptions;
import dev.encore.rewards.RewardSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published activity is reused only when it was built by the same {@link ActivityLogic#VERSION}, so the version
 * must change whenever the activity rows change. {@code src/test/resources/activity-logic-versions.txt} is an
 * append-only list of (version, SHA-256 of the activity rows of {@code testdata/}); this test fails when the rows
 * change while the version does not, when the version changes without its line, and when a committed line was
 * edited rather than a new one appended.
 */
class ActivityLogicVersionTest {
  static final Path LIST = Path.of("src/test/resources/activity-logic-versions.txt");
  static final Path LOGS = Path.of("testdata/logs").toAbsolutePath();

  @TempDir Path tmp;

  @Test
  void activityRowsOfTestdataMatchTheirLogicVersion() throws Exception {
    List<String[]> lines = new ArrayList<>();
    for (String line : Files.readAllLines(LIST)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        lines.add(line.trim().split("\\s+"));
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      assertThat(LIST + ": versions go 1, 2, 3, ... one line each", Integer.parseInt(lines.get(i)[0]),
          equalTo(i + 1));
    }
    String digest = activityDigest();
    String[] last = lines.get(lines.size() - 1);
    int version = ActivityLogic.VERSION;
    if (Integer.parseInt(last[0]) != version) {
      fail("ActivityLogic.VERSION is " + version + " but the last line of " + LIST + " is version " + last[0]
          + ". Append the line:\n" + version + " " + digest);
    }
    if (!last[1].equals(digest)) {
      fail("The activity rows of testdata/ changed (digest " + digest + ", recorded " + last[1] + " for version "
          + version + ") but ActivityLogic.VERSION did not. Published activity built by the old code would be"
          + " reused as if it were current. Set ActivityLogic.VERSION = " + (version + 1) + " and append to "
          + LIST + ":\n" + (version + 1) + " " + digest);
    }
  }

  /** Every committed version of the list is a prefix of the current one: lines are appended, never edited. */
  @Test
  void theListIsAppendOnly() throws Exception {
    String current = Files.readString(LIST);
    List<String> commits = git("log", "--format=%H", "--", LIST.toString()).lines().toList();
    for (String commit : commits) {
      String then = git("show", commit + ":" + LIST);
      if (!current.startsWith(then)) {
        fail(LIST + " as committed in " + commit + " is not a prefix of the current file: a recorded digest was"
            + " edited or removed. Restore the line and append a new version instead.");
      }
    }
  }

  /** SHA-256 over the sorted activity rows (as Avro's JSON text) that ingest and Sessionize build from testdata. */
  private String activityDigest() throws IOException {
    JobDefinition definition = JobDefinition.builtIn();
    LocalDate first = ArrivalPartitions.firstDay(LOGS.toString());
    LocalDate last = LocalDate.parse("2024-03-30");
    List<InputPartition> partitions = ArrivalPartitions.resolve(LOGS.toString(), first, last, false).partitions();
    Set<LocalDate> days = new HashSet<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      days.add(d);
    }
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Pipeline pipeline = Pipeline.create(options);
    PCollectionTuple ingested = pipeline.apply("IngestListeningLogs", new IngestListeningLogs(
        partitions, definition.playRules(), FaultPoint.NONE, false, 4));
    ingested.get(IngestListeningLogs.PLAYS)
        .apply("Sessionize", new Sessionize(definition.sessionRules(), first, last, days,
            RewardSpec.of(definition).levels(),
            PipelineOptionsFactory.as(JobOptions.class).getMaxPlaysPerUserDay(), 4))
        .get(Sessionize.ACTIVITY)
        .apply("AsText", MapElements.into(TypeDescriptors.strings()).via((KV<String, Activity> a) ->
            a.getValue().toString()))
        .apply("Write", TextIO.write().to(tmp.resolve("activity").toString()).withSuffix(".txt"));
    pipeline.run().waitUntilFinish();

    List<String> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(tmp)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".txt")).toList()) {
        rows.addAll(Files.readAllLines(f));
      }
    }
    assertThat(rows.size(), greaterThan(1000));
    rows.sort(null);
    return com.google.common.hash.Hashing.sha256()
        .hashString(String.join("\n", rows), StandardCharsets.UTF_8).toString();
  }

  private static String git(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      fail("git " + String.join(" ", args) + " failed (this test reads the list's history; run it in a clone):\n"
          + out);
    }
    return out;
  }
}
