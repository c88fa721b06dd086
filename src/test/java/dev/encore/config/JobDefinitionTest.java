package dev.encore.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.EncoreException;
import dev.encore.rewards.RewardSpec;
import dev.encore.rewards.UserRewardColumns;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed definition, what a data scientist can change by editing it, and the value of its defaults. */
class JobDefinitionTest {
  /** The committed file; tests run with the project directory as working directory. */
  static final Path NIGHTLY = Path.of("pipelines/nightly.yaml");

  static String nightlyText() {
    try {
      return Files.readString(NIGHTLY);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The committed file with one exact piece of text replaced, as a data scientist would edit it. */
  static String edited(String from, String to) {
    String text = nightlyText();
    assertEquals(text.indexOf(from), text.lastIndexOf(from), "the text to edit must occur once: " + from);
    assertThat("the text to edit must occur: " + from, text.indexOf(from) >= 0);
    return text.replace(from, to);
  }

  /**
   * The committed file with one user_rewards column family's horizons set to {@code horizons} (e.g. "[7, 14]"):
   * its line replaced when the file has one, added under {@code user_rewards:} when not.
   */
  static String withUserHorizons(UserRewardColumns family, String horizons) {
    String text = nightlyText();
    String section = "\nuser_rewards:\n";
    int start = text.indexOf(section) + section.length();
    int end = text.indexOf("\n\n", start);
    String key = "\n  " + family.yamlKey() + ": ";
    int line = text.indexOf(key, start - 1);
    if (line >= 0 && line < end) {
      return text.substring(0, line) + key + horizons + text.substring(text.indexOf('\n', line + 1));
    }
    return text.substring(0, start) + key.substring(1) + horizons + "\n" + text.substring(start);
  }

  static JobDefinition parse(String yaml) {
    return JobDefinition.parse(yaml, "pipelines/edited.yaml");
  }

  @Test
  void committedFileHasTheSpecDefaults() {
    JobDefinition d = JobDefinition.load(NIGHTLY);

    assertThat(d.source(), equalTo(NIGHTLY.toString()));
    assertSpecDefaults(d);
  }

  @Test
  void builtInIsTheCommittedFile() {
    JobDefinition builtIn = JobDefinition.builtIn();

    assertThat(builtIn.source(), equalTo("built-in pipelines/nightly.yaml"));
    assertSpecDefaults(builtIn);
    assertThat(builtIn.digest(), equalTo(JobDefinition.load(NIGHTLY).digest()));
  }

  static void assertSpecDefaults(JobDefinition d) {
    assertThat(d.playRules(), equalTo(new PlayRules(30_000, 60_000, 3)));
    assertThat(d.playRules(), equalTo(PlayRules.DEFAULTS));
    assertThat(d.sessionRules(), equalTo(SessionRules.of(30, 24)));
    assertThat(d.sessionRules(), equalTo(SessionRules.DEFAULTS));
    assertThat(d.userRewards().activeDaysHorizons(), contains(7, 28, 60));
    assertThat(d.userRewards().volumeHorizons(), contains(28));
    assertThat(d.discovery().entityLevels(), contains(EntityLevel.ARTIST, EntityLevel.SHOW));
    assertThat(d.discovery().lookbackDays(), equalTo(60));
    assertThat(d.discovery().stickinessDays(), equalTo(60));
    assertThat(d.discovery().traceLength(), equalTo(59));
    assertThat(d.discovery().activeDaysHorizons(), contains(7, 28));
    // checkpoints: auto, each label when it has just become final: 1, 7, 28 (+ L = 3), and the maturity age.
    assertThat(d.autoCheckpoints(), equalTo(true));
    assertThat(d.checkpoints(), nullValue());
    assertThat(d.longestUserHorizon(), equalTo(60));
    assertThat(d.maturityAge(), equalTo(63));
    assertThat(d.publicationAges(), contains(4, 10, 31, 63));
  }

  @Test
  void addingAHorizonIsAFileEdit() {
    JobDefinition d = parse(edited("active_days_horizons: [7, 28, 60]", "active_days_horizons: [7, 14, 28, 60]"));

    assertThat(d.userRewards().activeDaysHorizons(), contains(7, 14, 28, 60));
    assertThat(d.maturityAge(), equalTo(63));
    assertThat(d.digest(), not(equalTo(JobDefinition.builtIn().digest())));
  }

  @Test
  void everyUserRewardsColumnFamilyIsAFileEdit() {
    for (UserRewardColumns family : UserRewardColumns.values()) {
      JobDefinition d = parse(withUserHorizons(family, "[300, 14, 7]"));

      assertThat(family.yamlKey(), d.userRewards().horizons().get(family), contains(7, 14, 300));
      assertThat(family.yamlKey(), RewardSpec.of(d).horizons(family), contains(7, 14, 300));
      assertThat(family.yamlKey(), d.longestUserHorizon(), equalTo(300));
      assertThat(family.yamlKey(), d.maturityAge(), equalTo(303));
      assertThat(family.yamlKey(), d.digest(), not(equalTo(JobDefinition.builtIn().digest())));
    }
  }

  @Test
  void anOptionalColumnFamilyLeftOutOrEmptyMakesNoColumnsAndKeepsTheDigest() {
    JobDefinition builtIn = JobDefinition.builtIn();
    for (UserRewardColumns family : UserRewardColumns.values()) {
      if (family.presence() == UserRewardColumns.Presence.OPTIONAL) {
        assertThat(family.yamlKey(), builtIn.userRewards().horizons().get(family), equalTo(List.of()));
        JobDefinition empty = parse(withUserHorizons(family, "[]"));
        assertThat(family.yamlKey(), empty.toMap(), equalTo(builtIn.toMap()));
        assertThat(family.yamlKey(), empty.digest(), equalTo(builtIn.digest()));
      }
    }
  }

  @Test
  void addingTheTrackLevelIsAFileEdit() {
    JobDefinition d = parse(edited("entity_levels: [artist, show]", "entity_levels: [artist, show, track]"));

    assertThat(d.discovery().entityLevels(), contains(EntityLevel.ARTIST, EntityLevel.SHOW, EntityLevel.TRACK));
    assertThat(d.digest(), not(equalTo(JobDefinition.builtIn().digest())));
  }

  @Test
  void maturityFollowsTheLongestWindowOfAnyReward() {
    assertThat(parse(edited("[7, 28, 60]", "[7, 28, 90]")).maturityAge(), equalTo(93));
    assertThat(parse(edited("[7, 28, 60]", "[7, 28, 90]")).publicationAges(), contains(4, 10, 31, 93));

    JobDefinition volume = parse(edited("volume_horizons: [28]", "volume_horizons: [28, 120]"));
    assertThat(volume.longestUserHorizon(), equalTo(120));
    assertThat(volume.maturityAge(), equalTo(123));

    assertThat(parse(edited("stickiness_days: 60", "stickiness_days: 91")).maturityAge(), equalTo(93));
    assertThat(parse(edited("active_days_horizons: [7, 28]\n", "active_days_horizons: [7, 80]\n")).maturityAge(),
        equalTo(83));
    assertThat(parse(edited("allowed_lateness_days: 3", "allowed_lateness_days: 0")).maturityAge(), equalTo(60));
    // A short definition: the trace (stickiness_days - 1) is the longest window.
    JobDefinition shorter = parse(edited("[7, 28, 60]", "[7]").replace("volume_horizons: [28]", "volume_horizons: []"));
    assertThat(shorter.longestUserHorizon(), equalTo(7));
    assertThat(shorter.maturityAge(), equalTo(59 + 3));
  }

  @Test
  void listsAreNormalizedSoOrderInTheFileDoesNotMatter() {
    JobDefinition d =
        parse(edited("[7, 28, 60]", "[60, 7, 28]")
            .replace("[artist, show]", "[show, artist]")
            .replace("checkpoints: auto", "checkpoints: [31, 4, 10]"));

    assertThat(d.userRewards().activeDaysHorizons(), contains(7, 28, 60));
    assertThat(d.discovery().entityLevels(), contains(EntityLevel.ARTIST, EntityLevel.SHOW));
    assertThat(d.checkpoints(), contains(4, 10, 31));
    assertThat(d.digest(), equalTo(parse(edited("checkpoints: auto", "checkpoints: [4, 10, 31]")).digest()));
    // The same ages as auto, yet another definition: auto follows the horizons when they change.
    assertThat(d.publicationAges(), equalTo(JobDefinition.builtIn().publicationAges()));
    assertThat(d.digest(), not(equalTo(JobDefinition.builtIn().digest())));
  }

  @Test
  void volumeHorizonsDiscoveryHorizonsAndCheckpointsMayBeEmpty() {
    JobDefinition d =
        parse(edited("volume_horizons: [28]", "volume_horizons: []")
            .replace("active_days_horizons: [7, 28]\n", "active_days_horizons: []\n")
            .replace("checkpoints: auto", "checkpoints: []"));

    assertThat(d.userRewards().volumeHorizons(), equalTo(List.of()));
    assertThat(d.discovery().activeDaysHorizons(), equalTo(List.of()));
    // Only the final, mature publication is left.
    assertThat(d.publicationAges(), contains(63));
  }

  @Test
  void listsAreImmutable() {
    JobDefinition d = JobDefinition.builtIn();

    assertThrows(UnsupportedOperationException.class,
        () -> parse(edited("checkpoints: auto", "checkpoints: [4]")).checkpoints().add(2));
    assertThrows(UnsupportedOperationException.class, () -> d.userRewards().activeDaysHorizons().clear());
    assertThrows(UnsupportedOperationException.class, () -> d.discovery().entityLevels().clear());
    assertThrows(UnsupportedOperationException.class, () -> d.publicationAges().add(2));
    assertThrows(UnsupportedOperationException.class, () -> d.toMap().put("x", 1));
  }

  @Test
  void survivesJavaSerializationAsBeamShipsIt() throws Exception {
    JobDefinition d = parse(edited("[artist, show]", "[artist, show, track, album]"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(d);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject(), equalTo(d));
    }
  }

  @Test
  void toMapHoldsEveryValueWithTheFileKeys() {
    Map<String, Object> expected =
        Map.of(
            "version", 2,
            "plays",
                Map.of("stream_threshold_ms", Map.of("TRACK", 30_000L, "EPISODE", 60_000L),
                    "allowed_lateness_days", 3),
            "sessions", Map.of("gap_minutes", 30L, "max_session_hours", 24L),
            "user_rewards", Map.of("active_days_horizons", List.of(7, 28, 60), "volume_horizons", List.of(28)),
            "discovery",
                Map.of("entity_levels", List.of("artist", "show"), "lookback_days", 60, "stickiness_days", 60,
                    "active_days_horizons", List.of(7, 28)),
            "publishing", Map.of("checkpoints", "auto"),
            "predictions", Map.of("fit_days", 60, "min_discoverers", 5, "ridge", 0.1));

    assertThat(JobDefinition.builtIn().toMap(), equalTo(expected));
    // The file's order, so the run metadata reads like the file.
    assertThat(List.copyOf(JobDefinition.builtIn().toMap().keySet()), equalTo(DefinitionReader.TOP_KEYS));
  }

  @Test
  void digestIsStableUnderKeyOrderCommentsAndSource() {
    String reordered =
        """
        predictions: {ridge: 0.1, min_discoverers: 5, fit_days: 60}
        publishing: {checkpoints: auto}
        discovery:
          active_days_horizons: [7, 28]
          stickiness_days: 60
          lookback_days: 60
          entity_levels: [artist, show]
        user_rewards:
          volume_horizons: [28]
          active_days_horizons: [7, 28, 60]
        sessions:
          max_session_hours: 24
          gap_minutes: 30
        plays:
          allowed_lateness_days: 3
          stream_threshold_ms: {EPISODE: 60000, TRACK: 30000}
        version: 2
        """;
    String digest = JobDefinition.builtIn().digest();

    assertThat(digest, matchesPattern("[0-9a-f]{64}"));
    assertThat(JobDefinition.parse(reordered, "elsewhere.yaml").digest(), equalTo(digest));
    assertThat(JobDefinition.builtIn().digest(), equalTo(digest));
    assertThat(JobDefinition.parse(reordered, "elsewhere.yaml"), not(equalTo(JobDefinition.builtIn())));
  }

  @Test
  void digestChangesWithAnyValue() {
    String digest = JobDefinition.builtIn().digest();
    List<String[]> edits =
        List.of(
            new String[] {"TRACK: 30000", "TRACK: 31000"},
            new String[] {"EPISODE: 60000", "EPISODE: 30000"},
            new String[] {"allowed_lateness_days: 3", "allowed_lateness_days: 4"},
            new String[] {"gap_minutes: 30", "gap_minutes: 31"},
            new String[] {"max_session_hours: 24", "max_session_hours: 12"},
            new String[] {"volume_horizons: [28]", "volume_horizons: [7]"},
            new String[] {"lookback_days: 60", "lookback_days: 30"},
            new String[] {"stickiness_days: 60", "stickiness_days: 30"},
            new String[] {"active_days_horizons: [7, 28]\n", "active_days_horizons: [7]\n"},
            new String[] {"checkpoints: auto", "checkpoints: [4, 10]"});
    for (String[] edit : edits) {
      assertThat(edit[1], parse(edited(edit[0], edit[1])).digest(), not(equalTo(digest)));
    }
  }

  @Test
  void loadNamesAMissingFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    EncoreException e = assertThrows(EncoreException.class, () -> JobDefinition.load(missing));

    assertThat(e.exitCode(), equalTo(EncoreException.USAGE));
    assertThat(e.getMessage(), containsString(missing + " does not exist"));
  }

  @Test
  void loadNamesTheFileInEveryMessage(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, edited("gap_minutes: 30", "gap_minutes: 0"));

    EncoreException e = assertThrows(EncoreException.class, () -> JobDefinition.load(file));

    assertThat(e.getMessage(), containsString("Job definition " + file + ": sessions.gap_minutes is 0"));
    assertThat(JobDefinition.load(NIGHTLY).source(), equalTo("pipelines/nightly.yaml"));
  }

  @Test
  void entityLevelIds() {
    assertThat(Arrays.stream(EntityLevel.values()).map(EntityLevel::id).toList(),
        contains("artist", "show", "track", "album"));
    for (EntityLevel level : EntityLevel.values()) {
      assertThat(EntityLevel.fromId(level.id()), equalTo(level));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntityLevel.fromId("Artist"));
    assertThat(e.getMessage(), allOf(containsString("'Artist'"), containsString("artist, show, track, album")));
  }
}
