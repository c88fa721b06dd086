package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.encore.testing.RewardsOracle.Definition;
import dev.encore.testing.SpecOracle.OraclePlay;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-worked cases for {@link RewardsOracle}. Unless a test says otherwise the first input day is F = 2024-01-01
 * (an empty partition), lateness L = 3 and the definition is pipelines/nightly.yaml's. Publication ages are
 * {1, 7, 28, 63}: run T publishes the anchors T-1, T-7, T-28, T-63 (those ≥ F).
 *
 * <p>Rendered columns, for reading the expected lines:
 *
 * <ul>
 *   <li>user_rewards: user_id|anchor_date|active_days_7|active_days_28|active_days_60|return_d1|days_to_return|
 *       streams_28|ms_played_28|as_of|days_observed|mature_1|mature_7|mature_28|mature_60
 *   <li>user_entity_rewards: user_id|entity_level|entity_id|discovery_date|trace|stickiness_60|active_days_7|
 *       active_days_28|discovery_context_type|discovery_reason_start|lookback_complete|as_of|days_observed|
 *       mature_7|mature_28|mature_60
 *   <li>entity_rewards: entity_level|entity_id|discovery_date|discoverers|mean_stickiness_60|active_by_offset|
 *       as_of|days_observed|mature_60
 * </ul>
 */
class RewardsOracleTest {
  private static final Schema SCHEMA = ListeningLogs.schema();
  private static final LocalDate F = LocalDate.of(2024, 1, 1);
  private static final long SEC = 1_000L;
  private static final long MIN = 60 * SEC;

  @TempDir Path logs;
  private int files;

  // ---------------------------------------------------------------- helpers

  /** A TRACK play by user of artist (album "alb-<artist>", item "trk-<artist>") ending at endUtc. */
  private static GenericRecordBuilder track(String eventId, String user, String artist, String endUtc, long ms) {
    return new GenericRecordBuilder(SCHEMA)
        .set("event_id", eventId)
        .set("user_id", user)
        .set("ts", Instant.parse(endUtc).toEpochMilli())
        .set("ms_played", ms)
        .set("content_type", "TRACK")
        .set("item_id", "trk-" + artist)
        .set("artist_id", artist)
        .set("album_id", "alb-" + artist)
        .set("context_type", "catalog")
        .set("reason_start", "clickrow");
  }

  /** A one-minute TRACK play ending at noon UTC of day. */
  private static GenericRecordBuilder track(String eventId, String user, String artist, LocalDate day) {
    return track(eventId, user, artist, day + "T12:00:00Z", MIN);
  }

  /** An EPISODE play of show (item "ep-<show>") ending at endUtc. */
  private static GenericRecordBuilder episode(String eventId, String user, String show, String endUtc, long ms) {
    return new GenericRecordBuilder(SCHEMA)
        .set("event_id", eventId)
        .set("user_id", user)
        .set("ts", Instant.parse(endUtc).toEpochMilli())
        .set("ms_played", ms)
        .set("content_type", "EPISODE")
        .set("item_id", "ep-" + show)
        .set("show_id", show);
  }

  /** Writes the plays as one new file of arrival partition dt (with _SUCCESS). */
  private void arrive(LocalDate dt, GenericRecordBuilder... plays) {
    List<GenericRecord> records = new ArrayList<>();
    for (GenericRecordBuilder p : plays) {
      records.add(p.build());
    }
    Path dir = ListeningLogs.partitionDir(logs, dt);
    ListeningLogs.write(dir.resolve("part-" + files++ + ".avro"), SCHEMA, records);
    ListeningLogs.markSuccess(dir);
  }

  /** Each play arrives on its own day (the UTC day of its ts). */
  private void onTime(GenericRecordBuilder... plays) {
    for (GenericRecordBuilder p : plays) {
      arrive(SpecOracle.dayOf((Long) p.get("ts")), p);
    }
  }

  /** An empty, complete partition: makes day the first input day F when it is the earliest. */
  private void emptyPartition(LocalDate day) {
    ListeningLogs.markSuccess(ListeningLogs.partitionDir(logs, day));
  }

  private RewardsOracle oracle() {
    return RewardsOracle.load(logs);
  }

  /** A rendered trace of 59 entries: t at the given offsets k, f elsewhere up to observed, null after it. */
  private static String trace(int observed, int... trueOffsets) {
    List<String> entries = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      int offset = k;
      boolean active = Arrays.stream(trueOffsets).anyMatch(o -> o == offset);
      entries.add(k > observed ? "null" : active ? "t" : "f");
    }
    return "[" + String.join(",", entries) + "]";
  }

  /** A rendered active_by_offset of 59 entries: the given counts per offset k, 0 elsewhere up to observed, null after. */
  private static String counts(int observed, Map<Integer, Integer> countByOffset) {
    List<String> entries = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      entries.add(k > observed ? "null" : String.valueOf(countByOffset.getOrDefault(k, 0)));
    }
    return "[" + String.join(",", entries) + "]";
  }

  // ---------------------------------------------------------------- user_rewards windows

  @Test
  void windowsAreDExclusiveAndDPlusNInclusive() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 2, 1);
    LocalDate t = d.plusDays(63); // 2024-04-04: D is published at its maturity age
    // u is active on D, D+7, D+8, D+28, D+29, D+60, D+61 (2024 is a leap year: D+28 = 02-29, D+29 = 03-01).
    onTime(
        track("u0", "u", "A", d),
        track("u7", "u", "A", d.plusDays(7)),
        track("u8", "u", "A", d.plusDays(8)),
        track("u28", "u", "A", d.plusDays(28)),
        track("u29", "u", "A", d.plusDays(29)),
        track("u60", "u", "A", d.plusDays(60)),
        track("u61", "u", "A", d.plusDays(61)),
        // v returns only at D+8
        track("v0", "v", "A", d),
        track("v8", "v", "A", d.plusDays(8)));

    try (RewardsOracle oracle = oracle()) {
      // The other anchors of T (D+35, D+56, D+62) have no active user, so these are all the rows.
      assertThat(
          oracle.renderedUserRewards(t),
          contains(
              // active_days_7 = {D+7} = 1 (D+8 is outside); _28 = {D+7, D+8, D+28} = 3;
              // _60 = {D+7, D+8, D+28, D+29, D+60} = 5 (D+61 outside); no play on D+1; first return after 7 days;
              // streams_28 = the 3 plays of D+7, D+8, D+28, 3 * 60 000 ms; 60 days observed; all mature
              // (D+60+3 = T).
              "u|2024-02-01|1|3|5|f|7|3|180000|2024-04-04|60|t|t|t|t",
              // v: D+8 counts for 28 and 60 only.
              "v|2024-02-01|0|1|1|f|8|1|60000|2024-04-04|60|t|t|t|t"));
    }
  }

  @Test
  void theAnchorsOfARunAreItsPublicationAgesNotBeforeF() {
    emptyPartition(F);
    // u is active every day from F to 2024-04-30.
    for (LocalDate day = F; !day.isAfter(LocalDate.of(2024, 4, 30)); day = day.plusDays(1)) {
      onTime(track("e" + day, "u", "A", day));
    }

    try (RewardsOracle oracle = oracle()) {
      assertThat(oracle.definition().publicationAges(), contains(1, 7, 28, 63));
      // T = F: every T - a is before F.
      assertThat(oracle.anchors(F), empty());
      assertThat(oracle.userRewards(F), empty());
      // T = F + 30 = 01-31: 01-30 (1), 01-24 (7), 01-03 (28); T - 63 is before F.
      LocalDate t = LocalDate.of(2024, 1, 31);
      assertThat(
          oracle.anchors(t),
          contains(LocalDate.of(2024, 1, 3), LocalDate.of(2024, 1, 24), LocalDate.of(2024, 1, 30)));
      assertThat(
          oracle.userRewards(t).stream().map(r -> r.get("anchor_date")).toList(),
          contains(LocalDate.of(2024, 1, 3), LocalDate.of(2024, 1, 24), LocalDate.of(2024, 1, 30)));
      // T = F + 63 = 03-04: F itself is published, at its maturity age.
      assertThat(
          oracle.anchors(LocalDate.of(2024, 3, 4)),
          contains(F, LocalDate.of(2024, 2, 5), LocalDate.of(2024, 2, 26), LocalDate.of(2024, 3, 3)));
      // Every day active: active_days_N = min(N, T - D), return after 1 day. Anchor 01-03 in run 01-31:
      // 28 days observed, 28 active; 28 one-minute streams in (D, D+28]; mature_1 and mature_7 only.
      assertThat(
          oracle.renderedUserRewards(t).get(0), equalTo("u|2024-01-03|7|28|28|t|1|28|1680000|2024-01-31|28|t|t|f|f"));
    }
  }

  // ---------------------------------------------------------------- discovery lookback

  @Test
  void aGapOfSixtyDaysIsNoDiscoveryAGapOfSixtyOneIs() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 15);
    LocalDate t = d.plusDays(1); // D is published at age 1
    onTime(
        // A on D-60 = 01-15: inside the lookback D-60 .. D-1, so A on D is not new.
        track("a60", "u", "A", d.minusDays(60)),
        track("a0", "u", "A", d),
        // B on D-61 = 01-14: just outside the lookback, so B on D is a discovery.
        track("b61", "u", "B", d.minusDays(61)),
        track("b0", "u", "B", d));

    try (RewardsOracle oracle = oracle()) {
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains(
              // D+1 = T observed without a play: [f, null x 58]; stickiness null (not mature); no later days;
              // context of b0; D-60 = 01-15 >= F, so the lookback was observed; 1 day observed; nothing mature.
              "u|artist|B|2024-03-15|" + trace(1) + "|null|0|0|catalog|clickrow|t|2024-03-16|1|f|f|f"));
      assertThat(
          oracle.renderedEntityRewards(t),
          contains("artist|B|2024-03-15|1|null|" + counts(1, Map.of()) + "|2024-03-16|1|f"));
    }
  }

  @Test
  void lookbackIsCompleteOnlyWhenDMinusSixtyIsObserved() {
    emptyPartition(F);
    // F + 59 = 02-29: D - 60 = 12-31, before F. F + 60 = 03-01: D - 60 = F.
    onTime(track("early", "u", "A", LocalDate.of(2024, 1, 8)));
    onTime(track("f59", "u", "B", LocalDate.of(2024, 2, 29)));
    onTime(track("f60", "u", "C", LocalDate.of(2024, 3, 1)));

    try (RewardsOracle oracle = oracle()) {
      // Run 01-09 publishes 01-08 (age 1): a discovery, flagged; entity_rewards leaves it out.
      List<Map<String, Object>> early = oracle.userEntityRewards(LocalDate.of(2024, 1, 9));
      assertThat(early.size(), equalTo(1));
      assertThat(early.get(0).get("lookback_complete"), equalTo(false));
      assertThat(oracle.entityRewards(LocalDate.of(2024, 1, 9)), empty());

      List<Map<String, Object>> f59 = oracle.userEntityRewards(LocalDate.of(2024, 3, 1));
      assertThat(f59.get(0).get("entity_id"), equalTo("B"));
      assertThat(f59.get(0).get("lookback_complete"), equalTo(false));
      assertThat(oracle.entityRewards(LocalDate.of(2024, 3, 1)), empty());

      List<Map<String, Object>> f60 = oracle.userEntityRewards(LocalDate.of(2024, 3, 2));
      assertThat(f60.get(0).get("entity_id"), equalTo("C"));
      assertThat(f60.get(0).get("lookback_complete"), equalTo(true));
      assertThat(oracle.entityRewards(LocalDate.of(2024, 3, 2)).size(), equalTo(1));
    }
  }

  @Test
  void aLatePlayFromBeforeFStillCountsInTheLookback() {
    // Reading chosen for docs/rewards.md: a discovery needs no qualifying play on D-60 .. D-1, and a play that
    // arrived (within lateness) in partition F with a day before F is a play like any other; only the flag
    // lookback_complete speaks about observation.
    LocalDate beforeF = F.minusDays(1); // 12-31, arrives in F (1 day late)
    arrive(F, track("old", "u", "A", beforeF));
    onTime(track("d", "u", "A", LocalDate.of(2024, 2, 29))); // D = F + 59; D - 60 = 12-31
    onTime(track("x", "u", "X", LocalDate.of(2024, 2, 29)));

    try (RewardsOracle oracle = oracle()) {
      assertThat(oracle.firstInputDay(), equalTo(F));
      // Only X is new on D; A was played on D - 60.
      assertThat(
          oracle.userEntityRewards(LocalDate.of(2024, 3, 1)).stream().map(r -> r.get("entity_id")).toList(),
          contains("X"));
    }
  }

  // ---------------------------------------------------------------- what counts as a play

  @Test
  void privatePlaysNeverCount() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 10); // D - 60 = 01-10 >= F
    LocalDate t = d.plusDays(1);
    onTime(
        // Private play of A on D-5: would make A on D not new.
        track("p-5", "u", "A", d.minusDays(5) + "T12:00:00Z", MIN).set("incognito_mode", true),
        // Private play of A earlier on D: would be the discovery context.
        track("p0", "u", "A", d + "T08:00:00Z", MIN)
            .set("incognito_mode", true)
            .set("context_type", "private_ctx"),
        track("a0", "u", "A", d + "T12:00:00Z", MIN).set("context_type", "search"),
        // Private play on D+1: would make return_d1 true.
        track("p1", "u", "A", d.plusDays(1) + "T12:00:00Z", MIN).set("incognito_mode", true),
        // w's only play on D is private: w is not active on D.
        track("w0", "w", "A", d + "T12:00:00Z", MIN).set("incognito_mode", true));

    try (RewardsOracle oracle = oracle()) {
      // u: nothing after D; 1 day observed; mature_1 needs D+1+3 <= T.
      assertThat(
          oracle.renderedUserRewards(t), contains("u|2024-03-10|0|0|0|f|null|0|0|2024-03-11|1|f|f|f|f"));
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains("u|artist|A|2024-03-10|" + trace(1) + "|null|0|0|search|clickrow|t|2024-03-11|1|f|f|f"));
    }
  }

  @Test
  void aFortyFiveSecondEpisodeDoesNotQualifyAFortyFiveSecondTrackDoes() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 2, 10);
    LocalDate t = d.plusDays(1);
    onTime(
        // u: a 45 s episode of S (below 60 s) and a 45 s track of A (above 30 s).
        episode("u-ep", "u", "S", d + "T10:00:00Z", 45 * SEC),
        track("u-tr", "u", "A", d + "T11:00:00Z", 45 * SEC),
        // v: only the 45 s episode, so v is not active on D.
        episode("v-ep", "v", "S", d + "T10:00:00Z", 45 * SEC),
        // Thresholds are inclusive: w's 60 000 ms episode of S2 and 30 000 ms track of B qualify, x's 59 999 ms
        // episode and 29 999 ms track do not.
        episode("w-ep", "w", "S2", d + "T10:00:00Z", 60_000),
        track("w-tr", "w", "B", d + "T11:00:00Z", 30_000),
        episode("x-ep", "x", "S2", d + "T10:00:00Z", 59_999),
        track("x-tr", "x", "B", d + "T11:00:00Z", 29_999));

    try (RewardsOracle oracle = oracle()) {
      assertThat(
          oracle.userRewards(t).stream().map(r -> r.get("user_id")).toList(), contains("u", "w"));
      // Levels: artist from TRACK plays, show from EPISODE plays; u's episode of S is no discovery of S.
      assertThat(
          oracle.userEntityRewards(t).stream()
              .map(r -> r.get("user_id") + "/" + r.get("entity_level") + "/" + r.get("entity_id"))
              .toList(),
          contains("u/artist/A", "w/artist/B", "w/show/S2"));
    }
  }

  @Test
  void trackAndAlbumLevelsAreAvailable() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 2, 10);
    onTime(
        track("a", "u", "A", d),
        // An episode has no track, album or artist.
        episode("e", "u", "S", d + "T13:00:00Z", 10 * MIN));

    try (RewardsOracle oracle =
        RewardsOracle.load(logs, Definition.defaults().withEntityLevels("track", "album"))) {
      assertThat(
          oracle.userEntityRewards(d.plusDays(1)).stream()
              .map(r -> r.get("entity_level") + "/" + r.get("entity_id"))
              .toList(),
          contains("album/alb-A", "track/trk-A"));
    }
  }

  @Test
  void aDuplicateDeliveryIsOnePlay() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 10);
    LocalDate t = d.plusDays(7);
    onTime(track("u0", "u", "A", d));
    // The only play of D+3, delivered twice: in its own partition and again the next day.
    arrive(d.plusDays(3), track("dup", "u", "A", d.plusDays(3)));
    arrive(d.plusDays(4), track("dup", "u", "A", d.plusDays(3)));

    try (RewardsOracle oracle = oracle()) {
      // One active day and one stream of 60 000 ms in (D, D+7]; D+7+3 > T: mature_1 only.
      assertThat(
          oracle.renderedUserRewards(t), contains("u|2024-03-10|1|1|1|f|3|1|60000|2024-03-17|7|t|f|f|f"));
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains("u|artist|A|2024-03-10|" + trace(7, 3) + "|null|1|1|catalog|clickrow|t|2024-03-17|7|f|f|f"));
    }
  }

  // ---------------------------------------------------------------- late and future data

  @Test
  void latePlaysCountOnceTheyArriveAndTooLateOrFuturePlaysDoNot() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 10);
    onTime(track("e0", "u", "A", d));
    // A play of D+1 arriving on D+4: exactly L = 3 days late, accepted.
    arrive(d.plusDays(4), track("late", "u", "A", d.plusDays(1)));
    // A play ending at D+2 00:30 arriving on D+1: within the 1-hour future tolerance, accepted, day D+2.
    arrive(d.plusDays(1), track("future", "u", "A", d.plusDays(2) + "T00:30:00Z", MIN));
    // A play of D+3 arriving on D+7: 4 days late, rejected as too_late.
    arrive(d.plusDays(7), track("too-late", "u", "A", d.plusDays(3)));

    assertThat(
        SpecOracle.acceptedPlays(logs, d.plusDays(7)).stream().map(OraclePlay::eventId).toList(),
        contains("e0", "late", "future"));

    try (RewardsOracle oracle = oracle()) {
      // Run D+1: "late" has not arrived, "future" belongs to D+2 > T: no return observed.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(1)),
          contains("u|2024-03-10|0|0|0|f|null|0|0|2024-03-11|1|f|f|f|f"));
      // Run D+7: D+1 (late) and D+2 (future) are active, D+3 never is; 2 streams.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(7)),
          contains("u|2024-03-10|2|2|2|t|1|2|120000|2024-03-17|7|t|f|f|f"));
      // Run D+28: the same days, more of the window observed.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(28)),
          contains("u|2024-03-10|2|2|2|t|1|2|120000|2024-04-07|28|t|t|f|f"));
      assertThat(
          oracle.renderedUserEntityRewards(d.plusDays(7)),
          contains("u|artist|A|2024-03-10|" + trace(7, 1, 2) + "|null|2|2|catalog|clickrow|t|2024-03-17|7|f|f|f"));
    }
  }

  // ---------------------------------------------------------------- progressive and mature labels

  @Test
  void partlyObservedWindowsThenTheMatureRow() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 5); // D - 60 = 01-05 >= F: lookback complete
    onTime(
        // u: A on D, D+2, D+7, D+59 and D+60 (the last is outside the 59-day trace).
        track("u0", "u", "A", d),
        track("u2", "u", "A", d.plusDays(2)),
        track("u7", "u", "A", d.plusDays(7)),
        track("u59", "u", "A", d.plusDays(59)),
        track("u60", "u", "A", d.plusDays(60)),
        // v: A on D and D+1. w: A on D only.
        track("v0", "v", "A", d),
        track("v1", "v", "A", d.plusDays(1)),
        track("w0", "w", "A", d));

    try (RewardsOracle oracle = oracle()) {
      // Run D+7: 7 days observed, trace nulls from k = 8, nothing but mature_1 (user) mature.
      LocalDate t7 = d.plusDays(7);
      assertThat(
          oracle.renderedUserEntityRewards(t7),
          contains(
              "u|artist|A|2024-03-05|" + trace(7, 2, 7) + "|null|2|2|catalog|clickrow|t|2024-03-12|7|f|f|f",
              "v|artist|A|2024-03-05|" + trace(7, 1) + "|null|1|1|catalog|clickrow|t|2024-03-12|7|f|f|f",
              "w|artist|A|2024-03-05|" + trace(7) + "|null|0|0|catalog|clickrow|t|2024-03-12|7|f|f|f"));
      assertThat(
          oracle.renderedEntityRewards(t7),
          contains("artist|A|2024-03-05|3|null|" + counts(7, Map.of(1, 1, 2, 1, 7, 1)) + "|2024-03-12|7|f"));
      // u's user row: the window ends at T, so active_days_28 and _60 see only D+2 and D+7.
      assertThat(
          oracle.renderedUserRewards(t7).get(0), equalTo("u|2024-03-05|2|2|2|f|2|2|120000|2024-03-12|7|t|f|f|f"));

      // Run D+63: everything observed and mature. u: stickiness 1 + |{2, 7, 59}| = 4; v: 2; w: 1;
      // mean (4 + 2 + 1) / 3 = 2.333333333.
      LocalDate t63 = d.plusDays(63);
      assertThat(
          oracle.renderedUserEntityRewards(t63),
          contains(
              "u|artist|A|2024-03-05|" + trace(59, 2, 7, 59) + "|4|2|2|catalog|clickrow|t|2024-05-07|59|t|t|t",
              "v|artist|A|2024-03-05|" + trace(59, 1) + "|2|1|1|catalog|clickrow|t|2024-05-07|59|t|t|t",
              "w|artist|A|2024-03-05|" + trace(59) + "|1|0|0|catalog|clickrow|t|2024-05-07|59|t|t|t"));
      assertThat(
          oracle.renderedEntityRewards(t63),
          contains(
              "artist|A|2024-03-05|3|2.333333333|"
                  + counts(59, Map.of(1, 1, 2, 1, 7, 1, 59, 1))
                  + "|2024-05-07|59|t"));
      // u: active days D+2, D+7 (7); + none up to D+28; D+59 and D+60 within 60.
      assertThat(
          oracle.renderedUserRewards(t63).get(0), equalTo("u|2024-03-05|2|2|4|f|2|2|120000|2024-05-07|60|t|t|t|t"));
    }
  }

  @Test
  void maturityNeedsLatenessDaysAfterTheWindow() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 5);
    onTime(track("u0", "u", "A", d));

    try (RewardsOracle oracle = oracle()) {
      // mature_N is D + N + 3 <= T. At age 7: mature_1 (D+4) yes, mature_7 (D+10) no.
      Map<String, Object> row = oracle.userRewards(d.plusDays(7)).get(0);
      assertThat(row.get("mature_1"), equalTo(true));
      assertThat(row.get("mature_7"), equalTo(false));
      // At age 28: mature_7 yes, mature_28 (D+31) no.
      row = oracle.userRewards(d.plusDays(28)).get(0);
      assertThat(row.get("mature_7"), equalTo(true));
      assertThat(row.get("mature_28"), equalTo(false));
      // At age 63 = M: mature_60 (D+63); for the discovery, mature_60 is D+59+3 <= T.
      assertThat(oracle.userRewards(d.plusDays(63)).get(0).get("mature_60"), equalTo(true));
      assertThat(oracle.userEntityRewards(d.plusDays(63)).get(0).get("mature_60"), equalTo(true));
      assertThat(oracle.userEntityRewards(d.plusDays(63)).get(0).get("stickiness_60"), equalTo(1L));
    }
  }

  @Test
  void discoveryContextIsTheFirstQualifyingPlayByStartThenEndThenEventId() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 2, 10);
    onTime(
        // A: [09:40, 10:30] starts first although it ends after [09:50, 10:00].
        track("a1", "u", "A", d + "T10:00:00Z", 10 * MIN).set("context_type", "radio"),
        track("a2", "u", "A", d + "T10:30:00Z", 50 * MIN).set("context_type", "home"),
        // B: same start 09:50; the one ending first (10:00) wins.
        track("b1", "u", "B", d + "T10:05:00Z", 15 * MIN).set("context_type", "search"),
        track("b2", "u", "B", d + "T10:00:00Z", 10 * MIN).set("context_type", "radio"),
        // C: same start and end; event id c1 < c2. A non-qualifying play at 08:00 does not count.
        track("c2", "u", "C", d + "T10:00:00Z", 10 * MIN).set("context_type", "charts"),
        track("c1", "u", "C", d + "T10:00:00Z", 10 * MIN)
            .set("context_type", "search")
            .set("reason_start", "uriopen"),
        track("c0", "u", "C", d + "T08:00:00Z", 10 * SEC).set("context_type", "home"),
        // E: a play that started on D-1 but ended on D belongs to D and started first.
        track("e1", "u", "E", d + "T00:10:00Z", 20 * MIN).set("context_type", "editorial_playlist"),
        track("e2", "u", "E", d + "T09:00:00Z", 5 * MIN).set("context_type", "radio"));

    try (RewardsOracle oracle = oracle()) {
      Map<String, String> contexts = new TreeMap<>();
      for (Map<String, Object> r : oracle.userEntityRewards(d.plusDays(1))) {
        contexts.put(
            (String) r.get("entity_id"), r.get("discovery_context_type") + "/" + r.get("discovery_reason_start"));
      }
      assertThat(
          contexts,
          equalTo(
              Map.of(
                  "A", "home/clickrow",
                  "B", "radio/clickrow",
                  "C", "search/uriopen",
                  "E", "editorial_playlist/clickrow")));
    }
  }

  // ---------------------------------------------------------------- rendering

  @Test
  void renderingIsCanonical() {
    assertThat(
        RewardsOracle.renderRow(
            Arrays.asList(
                "u", LocalDate.of(2024, 3, 1), 7L, 7, true, false, null, 2.0 / 3, 1.0, 0.1f,
                Arrays.asList(true, null, false), List.of(3L, 0L), new java.math.BigInteger("12"))),
        equalTo("u|2024-03-01|7|7|t|f|null|0.666666667|1.000000000|0.100000000|[t,null,f]|[3,0]|12"));
    assertThat(
        RewardsOracle.renderUserReward(
            Definition.defaults(),
            new TreeMap<>(
                Map.ofEntries(
                    Map.entry("mature_60", false),
                    Map.entry("mature_28", false),
                    Map.entry("mature_7", true),
                    Map.entry("mature_1", true),
                    Map.entry("days_observed", 28),
                    Map.entry("as_of", LocalDate.of(2024, 3, 30)),
                    Map.entry("ms_played_28", 540_000L),
                    Map.entry("streams_28", 3L),
                    Map.entry("days_to_return", 7),
                    Map.entry("return_d1", false),
                    Map.entry("active_days_60", 2),
                    Map.entry("active_days_28", 2),
                    Map.entry("active_days_7", 1),
                    Map.entry("anchor_date", LocalDate.of(2024, 3, 2)),
                    Map.entry("user_id", "u1")))),
        equalTo("u1|2024-03-02|1|2|2|f|7|3|540000|2024-03-30|28|t|t|f|f"));
  }

  @Test
  void renderQueryReadsAnyRelationTheSameWay() {
    emptyPartition(F);
    LocalDate d = LocalDate.of(2024, 3, 5);
    onTime(track("u0", "u", "A", d), track("u2", "u", "A", d.plusDays(2)));
    try (RewardsOracle oracle = oracle();
        DuckDb db = DuckDb.open()) {
      // What an end-to-end test does with the pipeline's Parquet: here the same row written by hand as SQL.
      db.execute(
          "CREATE TABLE user_entity_rewards AS SELECT 'u' AS user_id, 'artist' AS entity_level, 'A' AS entity_id,"
              + " DATE '2024-03-05' AS discovery_date,"
              + " list_concat([false, true, false, false, false, false, false], repeat([NULL::BOOLEAN], 52))"
              + " AS trace, NULL::INTEGER AS stickiness_60, 1 AS active_days_7, 1 AS active_days_28,"
              + " 'catalog' AS discovery_context_type, 'clickrow' AS discovery_reason_start,"
              + " true AS lookback_complete, DATE '2024-03-12' AS as_of, 7 AS days_observed,"
              + " false AS mature_7, false AS mature_28, false AS mature_60");
      assertEquals(
          oracle.renderedUserEntityRewards(d.plusDays(7)),
          RewardsOracle.renderQuery(
              db, "user_entity_rewards", oracle.definition().userEntityRewardColumns()));
    }
  }

  // ---------------------------------------------------------------- the committed sample

  /** How many entries of a trace are true (nulls are days not yet observed). */
  private static long trues(List<?> trace) {
    return trace.stream().filter(Boolean.TRUE::equals).count();
  }

  @Test
  void acceptedPlaysUpToTAreTheFullHistoryFilteredByArrival() {
    Path sample = Path.of("testdata", "logs");
    LocalDate t = LocalDate.of(2024, 2, 15);
    List<OraclePlay> all = SpecOracle.acceptedPlays(sample, LocalDate.of(2024, 3, 30));
    List<OraclePlay> upToT = SpecOracle.acceptedPlays(sample, t);
    assertThat(upToT.size(), greaterThan(0));
    assertThat(all.stream().filter(p -> !p.arrival().isAfter(t)).toList(), equalTo(upToT));
    // The manifest's totals: every valid, non-private first delivery is accepted.
    assertThat(all.size(), equalTo(46_558));
    assertThat(SpecOracle.firstInputDay(sample), equalTo(LocalDate.of(2024, 1, 1)));
  }

  @Test
  void committedSampleInvariants() {
    LocalDate t = LocalDate.of(2024, 3, 30);
    long started = System.nanoTime();
    try (RewardsOracle oracle = RewardsOracle.load(Path.of("testdata", "logs"))) {
      List<Map<String, Object>> users = oracle.userRewards(t);
      List<Map<String, Object>> discoveries = oracle.userEntityRewards(t);
      List<Map<String, Object>> entities = oracle.entityRewards(t);
      long seconds = (System.nanoTime() - started) / 1_000_000_000L;

      assertThat(users.size(), greaterThan(0));
      assertThat(discoveries.size(), greaterThan(0));
      assertThat(entities.size(), greaterThan(0));
      List<LocalDate> anchors = oracle.anchors(t);
      assertThat(
          anchors,
          contains(
              LocalDate.of(2024, 1, 27),
              LocalDate.of(2024, 3, 2),
              LocalDate.of(2024, 3, 23),
              LocalDate.of(2024, 3, 29)));

      for (Map<String, Object> r : users) {
        assertThat(anchors.contains((LocalDate) r.get("anchor_date")), equalTo(true));
        long a7 = (Long) r.get("active_days_7");
        long a28 = (Long) r.get("active_days_28");
        long a60 = (Long) r.get("active_days_60");
        assertThat(r.toString(), a7, lessThanOrEqualTo(a28));
        assertThat(r.toString(), a28, lessThanOrEqualTo(a60));
        assertThat(r.get("as_of"), equalTo(t));
        // Two SQL paths that must agree: return_d1 and days_to_return.
        if (r.get("return_d1") != null) {
          assertThat(r.toString(), r.get("return_d1"), equalTo(Long.valueOf(1).equals(r.get("days_to_return"))));
        }
      }
      for (Map<String, Object> r : discoveries) {
        LocalDate d = (LocalDate) r.get("discovery_date");
        List<?> trace = (List<?>) r.get("trace");
        assertThat(trace.size(), equalTo(59));
        for (int k = 1; k <= 59; k++) {
          // null exactly where D + k > T
          assertThat(r.toString(), trace.get(k - 1) == null, equalTo(d.plusDays(k).isAfter(t)));
        }
        Long stickiness = (Long) r.get("stickiness_60");
        assertThat(stickiness == null, equalTo(!(Boolean) r.get("mature_60")));
        if (stickiness != null) {
          assertThat(stickiness, greaterThan(0L));
          assertThat(stickiness, lessThanOrEqualTo(60L));
          assertThat(stickiness, equalTo(1 + trues(trace)));
        }
        // active_days_N with the entity (a join on days) must equal the true entries among trace[0 .. N-1].
        assertThat(r.toString(), r.get("active_days_7"), equalTo(trues(trace.subList(0, 7))));
        assertThat(r.toString(), r.get("active_days_28"), equalTo(trues(trace.subList(0, 28))));
      }
      // context_type may be null in the input, but attribution is there for most discoveries.
      assertThat(
          discoveries.stream().filter(r -> r.get("discovery_context_type") != null).count(),
          greaterThan(discoveries.size() / 2L));
      // 01-27 is the only anchor with mature stickiness, and its lookback (11-28) was never observed.
      assertThat(
          discoveries.stream().anyMatch(r -> r.get("stickiness_60") != null), equalTo(true));
      // entity_rewards again, summed in Java from the lookback-complete discoveries.
      Map<String, long[]> discoverers = new TreeMap<>();
      Map<String, List<Long>> offsets = new TreeMap<>();
      for (Map<String, Object> r : discoveries) {
        if (!(Boolean) r.get("lookback_complete")) {
          continue;
        }
        String key = r.get("entity_level") + "|" + r.get("entity_id") + "|" + r.get("discovery_date");
        discoverers.computeIfAbsent(key, k -> new long[1])[0]++;
        List<?> trace = (List<?>) r.get("trace");
        List<Long> sums = offsets.computeIfAbsent(key, k -> new ArrayList<>(Arrays.asList(new Long[59])));
        for (int i = 0; i < 59; i++) {
          if (trace.get(i) != null) {
            sums.set(i, (sums.get(i) == null ? 0 : sums.get(i)) + (Boolean.TRUE.equals(trace.get(i)) ? 1 : 0));
          }
        }
      }
      assertThat(entities.size(), equalTo(discoverers.size()));
      for (Map<String, Object> r : entities) {
        String key = r.get("entity_level") + "|" + r.get("entity_id") + "|" + r.get("discovery_date");
        LocalDate d = (LocalDate) r.get("discovery_date");
        assertThat(d.minusDays(60).isBefore(LocalDate.of(2024, 1, 1)), equalTo(false));
        assertThat(key, r.get("discoverers"), equalTo(discoverers.get(key)[0]));
        assertThat(key, r.get("active_by_offset"), equalTo(offsets.get(key)));
      }
      // Reading 90 partitions and three queries take a few seconds at most.
      assertThat(seconds, lessThan(15L));
    }
  }
}
