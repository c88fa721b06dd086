package dev.encore.config;

import static dev.encore.config.JobDefinitionTest.edited;
import static dev.encore.config.JobDefinitionTest.nightlyText;
import static dev.encore.config.JobDefinitionTest.withUserHorizons;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.EncoreException;
import dev.encore.rewards.UserRewardColumns;
import org.junit.jupiter.api.Test;

/**
 * Every way a definition file is refused: each message names the file, the full key path, the bad value and what
 * is allowed, and the refusal is a usage error.
 */
class JobDefinitionValidationTest {
  static final String SOURCE = "pipelines/bad.yaml";

  /** Asserts the text is refused as a usage error whose message names the file and holds every part. */
  static String refused(String yaml, String... parts) {
    EncoreException e = assertThrows(EncoreException.class, () -> JobDefinition.parse(yaml, SOURCE));
    assertThat(e.exitCode(), equalTo(EncoreException.USAGE));
    assertThat(e.getMessage(), startsWith("Job definition " + SOURCE));
    for (String part : parts) {
      assertThat(e.getMessage(), containsString(part));
    }
    return e.getMessage();
  }

  /** Asserts that the one edit is refused with exactly this single problem. */
  static void refusedWith(String from, String to, String problem) {
    refused(edited(from, to), "Job definition " + SOURCE + ": " + problem + ".\n");
  }

  // ---- predictions (an optional section)

  @Test
  void predictionsAreCheckedAndOptional() {
    refusedWith("  fit_days: 60", "  fit_days: 0", "predictions.fit_days is 0; allowed: an integer from 1 to 365");
    refusedWith("  min_discoverers: 5", "  min_discoverers: 1",
        "predictions.min_discoverers is 1; allowed: an integer from 2 to 1000000");
    refusedWith("  ridge: 0.1", "  ridge: 2", "predictions.ridge is 2; allowed: a number from 0 to 1");
    refusedWith("  ridge: 0.1", "  ridge: 0.1\n  shrink: 0",
        "predictions.shrink is not a known key; allowed keys in predictions: fit_days, min_discoverers, ridge");
    String text = nightlyText();
    String without = text.substring(0, text.indexOf("\npredictions:"));
    assertThat(JobDefinition.parse(without, SOURCE).predictions(), equalTo(null));
    assertThat(JobDefinition.builtIn().predictions(), equalTo(new PredictionRules(60, 5, 0.1)));
  }

  // ---- version, unknown and missing keys

  @Test
  void versionMustBeTwo() {
    refusedWith("version: 2", "version: 3",
        "version is 3; allowed: 2, the only format version this Encore reads");
    refusedWith("version: 2", "version: \"2\"",
        "version is \"2\"; allowed: 2, the only format version this Encore reads");
  }

  @Test
  void aVersionOneFileIsToldExactlyWhatToChange() {
    String message = refused(edited("version: 2", "version: 1").replace("checkpoints: auto", "checkpoints: [1, 7]"),
        "version is 1; this Encore reads version 2 only.", "set `version: 2`", "`publishing.checkpoints: auto`",
        "at least plays.allowed_lateness_days", "days_observed becomes days_final",
        "days_to_return becomes days_to_return_<longest horizon>", "mature_<stickiness_days> becomes trace_mature");
    // Only the version is reported: the version 1 checkpoints below L are not listed separately.
    assertThat(message, not(containsString("checkpoints[0]")));
  }

  @Test
  void anotherVersionIsTheOnlyProblemReported() {
    // Another version may have other keys; reporting them would bury the one problem that matters.
    String message = refused(edited("version: 2", "version: 3\ncolour: blue"), "version is 3");
    assertThat(message, not(containsString("colour")));
  }

  @Test
  void versionIsRequired() {
    refusedWith("version: 2\n", "",
        "version is missing; required: 2, the only format version this Encore reads");
  }

  @Test
  void unknownTopLevelKeyIsRefusedWithTheAllowedKeys() {
    refusedWith("version: 2", "version: 2\ncolour: blue",
        "colour is not a known key; allowed keys at the top level: version, plays, sessions, user_rewards,"
            + " discovery, publishing, predictions");
  }

  @Test
  void unknownNestedKeyIsRefusedWithTheAllowedKeys() {
    refusedWith("  max_session_hours: 24", "  max_session_hours: 24\n  min_session_plays: 2",
        "sessions.min_session_plays is not a known key; allowed keys in sessions: gap_minutes, max_session_hours");
    refusedWith("    EPISODE: 60000", "    EPISODE: 60000\n    PODCAST: 60000",
        "plays.stream_threshold_ms.PODCAST is not a known key; allowed keys in plays.stream_threshold_ms:"
            + " TRACK, EPISODE");
  }

  @Test
  void aMisspelledKeyIsBothUnknownAndMissing() {
    refused(edited("gap_minutes: 30", "gap_minute: 30"),
        "Job definition " + SOURCE + " has 2 problems:\n",
        "  sessions.gap_minute is not a known key; allowed keys in sessions: gap_minutes, max_session_hours.\n",
        "  sessions.gap_minutes is missing; required: an integer >= 1.\n");
  }

  @Test
  void thresholdKeysAreExactlyTrackAndEpisode() {
    refused(edited("    TRACK: 30000", "    track: 30000"),
        "plays.stream_threshold_ms.track is not a known key; allowed keys in plays.stream_threshold_ms: TRACK,"
            + " EPISODE",
        "plays.stream_threshold_ms.TRACK is missing; required: an integer >= 0");
  }

  @Test
  void everySectionIsRequired() {
    String text = nightlyText();
    String withoutPublishing = text.substring(0, text.indexOf("publishing:"));
    refused(withoutPublishing,
        "Job definition " + SOURCE + ": publishing is missing; required: a map with the keys checkpoints.\n");
  }

  @Test
  void everyKeyIsRequired() {
    refusedWith("  lookback_days: 60\n", "",
        "discovery.lookback_days is missing; required: an integer from 1 to 365");
    refusedWith("  volume_horizons: [28]\n", "",
        "user_rewards.volume_horizons is missing; required: a list of distinct integers from 1 to 365");
  }

  @Test
  void aKeyWithoutValueIsRefused() {
    refusedWith("gap_minutes: 30", "gap_minutes:",
        "sessions.gap_minutes has no value; required: an integer >= 1");
    refusedWith("volume_horizons: [28]", "volume_horizons: ~",
        "user_rewards.volume_horizons has no value; required: a list of distinct integers from 1 to 365");
  }

  // ---- types

  @Test
  void aStringWhereANumberIsExpectedIsRefused() {
    refusedWith("gap_minutes: 30", "gap_minutes: \"30\"",
        "sessions.gap_minutes is \"30\" (a string); allowed: an integer >= 1");
    refusedWith("    TRACK: 30000", "    TRACK: 30s",
        "plays.stream_threshold_ms.TRACK is \"30s\" (a string); allowed: an integer >= 0");
  }

  @Test
  void aFractionWhereAnIntegerIsExpectedIsRefused() {
    refusedWith("allowed_lateness_days: 3", "allowed_lateness_days: 2.5",
        "plays.allowed_lateness_days is 2.5 (a decimal number); allowed: an integer from 0 to 30");
    refusedWith("active_days_horizons: [7, 28, 60]", "active_days_horizons: [7, 28.0, 60]",
        "user_rewards.active_days_horizons[1] is 28.0 (a decimal number); allowed: an integer from 1 to 365");
  }

  @Test
  void aListWhereAMapIsExpectedIsRefused() {
    String text = nightlyText();
    String listSessions =
        text.substring(0, text.indexOf("sessions:")) + "sessions: [30, 24]\n\n"
            + text.substring(text.indexOf("user_rewards:"));
    refused(listSessions,
        "Job definition " + SOURCE + ": sessions is [30,24] (a list); allowed: a map with the keys gap_minutes,"
            + " max_session_hours.\n");
  }

  @Test
  void aScalarOrMapWhereAListIsExpectedIsRefused() {
    refusedWith("active_days_horizons: [7, 28, 60]", "active_days_horizons: 7",
        "user_rewards.active_days_horizons is 7 (an integer); allowed: a non-empty list of distinct integers"
            + " from 1 to 365");
    refusedWith("entity_levels: [artist, show]", "entity_levels: artist",
        "discovery.entity_levels is \"artist\" (a string); allowed: a non-empty list of distinct entity levels,"
            + " each one of artist, show, track, album");
    refusedWith("checkpoints: auto", "checkpoints: {first: 1}",
        "publishing.checkpoints is {\"first\":1} (a map); allowed: auto, or a list of distinct integers >= 1");
    refusedWith("checkpoints: auto", "checkpoints: sometimes",
        "publishing.checkpoints is \"sometimes\" (a string); allowed: auto, or a list of distinct integers >= 1");
  }

  @Test
  void aBooleanWhereANumberIsExpectedIsRefused() {
    refusedWith("lookback_days: 60", "lookback_days: yes",
        "discovery.lookback_days is true (a boolean); allowed: an integer from 1 to 365");
  }

  // ---- plays and sessions

  @Test
  void streamThresholdsAreIntegersFromZero() {
    refusedWith("    EPISODE: 60000", "    EPISODE: -1",
        "plays.stream_threshold_ms.EPISODE is -1; allowed: an integer from 0 to 9223372036854775807");
    assertThat(JobDefinitionTest.parse(edited("    TRACK: 30000", "    TRACK: 0")).playRules().trackStreamMs(),
        equalTo(0L));
  }

  @Test
  void allowedLatenessIsZeroToThirtyDays() {
    refusedWith("allowed_lateness_days: 3", "allowed_lateness_days: 31",
        "plays.allowed_lateness_days is 31; allowed: an integer from 0 to 30");
    refusedWith("allowed_lateness_days: 3", "allowed_lateness_days: -1",
        "plays.allowed_lateness_days is -1; allowed: an integer from 0 to 30");
    refusedWith("allowed_lateness_days: 3", "allowed_lateness_days: 99999999999999999999",
        "plays.allowed_lateness_days is 99999999999999999999; allowed: an integer from 0 to 30");
  }

  @Test
  void sessionGapAndCapAreAtLeastOne() {
    refusedWith("gap_minutes: 30", "gap_minutes: 0",
        "sessions.gap_minutes is 0; allowed: an integer from 1 to 2147483647");
    refusedWith("max_session_hours: 24", "max_session_hours: 0",
        "sessions.max_session_hours is 0; allowed: an integer from 1 to 2147483647");
  }

  // ---- horizons and entity levels

  @Test
  void userActiveDaysHorizonsMustNotBeEmpty() {
    refusedWith("active_days_horizons: [7, 28, 60]", "active_days_horizons: []",
        "user_rewards.active_days_horizons is an empty list; allowed: a non-empty list of distinct integers"
            + " from 1 to 365");
  }

  @Test
  void horizonsAreOneTo365Days() {
    refusedWith("active_days_horizons: [7, 28, 60]", "active_days_horizons: [0, 28, 60]",
        "user_rewards.active_days_horizons[0] is 0; allowed: an integer from 1 to 365");
    refusedWith("volume_horizons: [28]", "volume_horizons: [28, 366]",
        "user_rewards.volume_horizons[1] is 366; allowed: an integer from 1 to 365");
    refusedWith("active_days_horizons: [7, 28]\n", "active_days_horizons: [7, -28]\n",
        "discovery.active_days_horizons[1] is -28; allowed: an integer from 1 to 365");
  }

  @Test
  void everyUserRewardsColumnFamilyIsAListOfDistinctHorizonsOfOneTo365Days() {
    for (UserRewardColumns family : UserRewardColumns.values()) {
      String key = "user_rewards." + family.yamlKey();
      refused(withUserHorizons(family, "[7, 0, 366, 7]"),
          key + "[1] is 0; allowed: an integer from 1 to 365",
          key + "[2] is 366; allowed: an integer from 1 to 365",
          key + "[3] is 7 again (as at [0])");
      refused(withUserHorizons(family, "7"), key + " is 7 (an integer); allowed: a");
    }
  }

  @Test
  void horizonsAreDistinct() {
    refusedWith("active_days_horizons: [7, 28, 60]", "active_days_horizons: [7, 28, 28]",
        "user_rewards.active_days_horizons[2] is 28 again (as at [1]); allowed: a non-empty list of distinct"
            + " integers from 1 to 365");
  }

  @Test
  void entityLevelsAreKnownIds() {
    refusedWith("entity_levels: [artist, show]", "entity_levels: [artist, show, podcast]",
        "discovery.entity_levels[2] is \"podcast\"; allowed: one of artist, show, track, album");
    refusedWith("entity_levels: [artist, show]", "entity_levels: [Artist, show]",
        "discovery.entity_levels[0] is \"Artist\"; allowed: one of artist, show, track, album");
    refusedWith("entity_levels: [artist, show]", "entity_levels: [artist, 7]",
        "discovery.entity_levels[1] is 7 (an integer); allowed: one of artist, show, track, album");
  }

  @Test
  void entityLevelsAreNonEmptyAndDistinct() {
    refusedWith("entity_levels: [artist, show]", "entity_levels: []",
        "discovery.entity_levels is an empty list; allowed: a non-empty list of distinct entity levels, each one"
            + " of artist, show, track, album");
    refusedWith("entity_levels: [artist, show]", "entity_levels: [artist, show, artist]",
        "discovery.entity_levels[2] is artist again (as at [0]); allowed: a non-empty list of distinct entity"
            + " levels, each one of artist, show, track, album");
  }

  @Test
  void lookbackIsOneTo365Days() {
    refusedWith("lookback_days: 60", "lookback_days: 0",
        "discovery.lookback_days is 0; allowed: an integer from 1 to 365");
    refusedWith("lookback_days: 60", "lookback_days: 366",
        "discovery.lookback_days is 366; allowed: an integer from 1 to 365");
  }

  @Test
  void stickinessIsTwoTo366Days() {
    refusedWith("stickiness_days: 60", "stickiness_days: 1",
        "discovery.stickiness_days is 1; allowed: an integer from 2 to 366");
    refusedWith("stickiness_days: 60", "stickiness_days: 367",
        "discovery.stickiness_days is 367; allowed: an integer from 2 to 366");
    assertThat(JobDefinitionTest.parse(edited("stickiness_days: 60", "stickiness_days: 366")).discovery()
        .traceLength(), equalTo(365));
  }

  // ---- checkpoints

  @Test
  void checkpointsArePositiveAndDistinct() {
    refusedWith("checkpoints: auto", "checkpoints: [0, 7, 28]",
        "publishing.checkpoints[0] is 0; allowed: an integer from 1 to 2147483647");
    refusedWith("checkpoints: auto", "checkpoints: [4, 7, 7]",
        "publishing.checkpoints[2] is 7 again (as at [1]); allowed: a list of distinct integers >= 1");
  }

  @Test
  void aCheckpointBeforeTheAnchorDayIsFinalIsRefused() {
    // At age 1 or 2 the anchor day's late plays may still arrive: rows could appear later.
    refusedWith("checkpoints: auto", "checkpoints: [1, 7, 28]",
        "publishing.checkpoints[0] is 1; allowed: auto, or integers from 3 to 62. An anchor day is final only 3"
            + " days (allowed_lateness_days) after it: published earlier, its rows could still appear or vanish."
            + " Use `checkpoints: auto` to publish each label when it has just become final");
    refused(edited("checkpoints: auto", "checkpoints: [2, 3]"), "publishing.checkpoints[0] is 2");
    // At L it is final.
    assertThat(JobDefinitionTest.parse(edited("checkpoints: auto", "checkpoints: [3]")).publicationAges()
        .toString(), equalTo("[3, 63]"));
  }

  @Test
  void aCheckpointAtOrAfterMaturityIsPointless() {
    refusedWith("checkpoints: auto", "checkpoints: [4, 7, 28, 63]",
        "publishing.checkpoints[3] is 63; allowed: auto, or integers from 3 to 62. Rows are published at the"
            + " maturity age 63 (longest window 60 + allowed_lateness_days 3) anyway, so a checkpoint at or after"
            + " it is pointless");
    refused(edited("checkpoints: auto", "checkpoints: [100, 4]"), "publishing.checkpoints[0] is 100");
    // Just below maturity is a real, if late, checkpoint.
    assertThat(JobDefinitionTest.parse(edited("checkpoints: auto", "checkpoints: [4, 62]")).publicationAges()
        .toString(), equalTo("[4, 62, 63]"));
  }

  @Test
  void theMaturityCheckFollowsTheEditedHorizons() {
    // With a 90-day horizon, maturity moves to 93 and 63 becomes a fine checkpoint.
    assertThat(JobDefinitionTest.parse(edited("[7, 28, 60]", "[7, 28, 90]").replace("auto", "[4, 10, 31, 63]"))
        .publicationAges().toString(), equalTo("[4, 10, 31, 63, 93]"));
    // auto follows the horizons: 1, 7, 28 and 90 (+ 3).
    assertThat(JobDefinitionTest.parse(edited("[7, 28, 60]", "[7, 28, 90]")).publicationAges().toString(),
        equalTo("[4, 10, 31, 93]"));
  }

  // ---- several problems, syntax and shape of the file

  @Test
  void everyProblemIsReportedAtOnce() {
    String message =
        refused(edited("allowed_lateness_days: 3", "allowed_lateness_days: 45")
                .replace("[artist, show]", "[artist, show, podcast]")
                .replace("gap_minutes: 30", "gap_minutes: \"30\""),
            "Job definition " + SOURCE + " has 3 problems:\n",
            "  plays.allowed_lateness_days is 45; allowed: an integer from 0 to 30.\n",
            "  sessions.gap_minutes is \"30\" (a string); allowed: an integer >= 1.\n",
            "  discovery.entity_levels[2] is \"podcast\"; allowed: one of artist, show, track, album.\n");
    assertThat(message, containsString("pipelines/nightly.yaml is a complete example"));
  }

  @Test
  void aSyntaxErrorNamesTheFileAndLine() {
    // An unclosed list is noticed at the next key; the message also names the line where the list started.
    refused(edited("active_days_horizons: [7, 28, 60]", "active_days_horizons: [7, 28, 60"),
        "Job definition " + SOURCE + ": YAML syntax error at line " + lineOf("  volume_horizons: [28]") + ", column 3:",
        "(while parsing a flow sequence started at line " + lineOf("  active_days_horizons: [7, 28, 60]") + ")");
    refused("version: 2\nplays:\n  allowed_lateness_days: 3\n    gap_minutes: 30\n",
        "Job definition " + SOURCE + ": YAML syntax error at line 4, column 16: mapping values are not allowed here",
        "    gap_minutes: 30\n");
    refused("version: 2\nplays:\n\tallowed_lateness_days: 3\n",
        "Job definition " + SOURCE + ": YAML syntax error at line 3, column 1:", "TAB");
  }

  @Test
  void aDuplicateKeyIsRefusedWithItsLine() {
    refused(edited("  gap_minutes: 30\n", "  gap_minutes: 30\n  gap_minutes: 45\n"),
        "Job definition " + SOURCE + ": YAML error at line " + (lineOf("  gap_minutes: 30") + 1),
        "Duplicate field 'gap_minutes'; a key may appear only once in a map");
  }

  /** The 1-based line of the committed file that is exactly this text. */
  static int lineOf(String line) {
    int index = nightlyText().lines().toList().indexOf(line);
    assertThat("line not found: " + line, index >= 0);
    return index + 1;
  }

  @Test
  void anEmptyFileIsRefused() {
    refused("", "Job definition " + SOURCE + " is empty; it must be a map with the keys version, plays, sessions,"
        + " user_rewards, discovery, publishing");
    refused("# nothing but a comment\n", "is empty");
  }

  @Test
  void aFileThatIsNotAMapIsRefused() {
    refused("- version: 1\n",
        "Job definition " + SOURCE + ": the file is [{\"version\":1}] (a list); allowed: a map with the keys"
            + " version, plays, sessions, user_rewards, discovery, publishing, predictions.");
  }

  @Test
  void aSecondYamlDocumentIsRefused() {
    long secondStart = nightlyText().lines().count() + 2;
    refused(nightlyText() + "---\nversion: 1\n",
        "Job definition " + SOURCE + " holds more than one YAML document (the second starts at line " + secondStart
            + ")");
  }
}
