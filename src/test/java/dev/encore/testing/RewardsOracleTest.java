package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.encore.testing.RewardsOracle.Definition;
import dev.encore.testing.SpecOracle.OraclePlay;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-worked cases for {@link RewardsOracle} (docs/rewards.md, definition version 2). Unless a test says otherwise
 * the first input day is F = 2024-01-01, every arrival day from F to the last run date of the test is a sealed
 * partition ({@link #sealEveryDay}), lateness L = 3 and the definition is pipelines/nightly.yaml's. Publication
 * ages are auto: {4, 10, 31, 63}, so run T publishes the final days among T-4, T-10, T-31, T-63 (those ≥ F).
 *
 * <p>With complete input, day d is final in run T when d + 3 ≤ T and d − 1 ≥ F (arrival d − 1 must be complete), so
 * F itself is never final; days_final of D in run T is min(W, T − 3 − D); the lookback of D is complete from
 * D = F + 61 on.
 *
 * <p>Plays made by {@link #track} end at noon and last one minute unless told: they start at 11:59:00 UTC, item
 * "trk-&lt;artist&gt;", platform "android", context "catalog", reason "clickrow".
 *
 * <p>Rendered columns, for reading the expected lines:
 *
 * <ul>
 *   <li>user_rewards: user_id|anchor_date|active_days_7|active_days_28|active_days_60|streams_28|ms_played_28|
 *       return_d1|days_to_return_60|user_first_active_date|as_of|days_final|mature_1|mature_7|mature_28|mature_60
 *   <li>user_entity_rewards: user_id|entity_level|entity_id|discovery_date|trace|stickiness_60|active_days_7|
 *       active_days_28|discovery_kind|discovery_ts|discovery_item_id|discovery_platform|discovery_context_type|
 *       discovery_reason_start|lookback_complete|as_of|days_final|mature_7|mature_28|trace_mature
 *   <li>entity_rewards: entity_level|entity_id|discovery_date|discoverers|new_user_discoverers|
 *       mean_stickiness_60|active_by_offset|as_of|days_final|trace_mature
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
        .set("platform", "android")
        .set("context_type", "catalog")
        .set("reason_start", "clickrow");
  }

  /** A one-minute TRACK play ending at noon UTC of day (so starting at 11:59:00). */
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

  /** Epoch milliseconds of an ISO instant. */
  private static long ms(String isoInstant) {
    return Instant.parse(isoInstant).toEpochMilli();
  }

  /** discovery_ts of a default {@link #track} play on day: its start, 11:59:00 UTC. */
  private static long noonStart(LocalDate day) {
    return ms(day + "T11:59:00Z");
  }

  /** Writes the plays as one new file of arrival partition dt (with _SUCCESS); returns the file. */
  private Path arrive(LocalDate dt, GenericRecordBuilder... plays) {
    List<GenericRecord> records = new ArrayList<>();
    for (GenericRecordBuilder p : plays) {
      records.add(p.build());
    }
    Path dir = ListeningLogs.partitionDir(logs, dt);
    Path file = dir.resolve("part-" + files++ + ".avro");
    ListeningLogs.write(file, SCHEMA, records);
    ListeningLogs.markSuccess(dir);
    return file;
  }

  /** Each play arrives on its own day (the UTC day of its ts). */
  private void onTime(GenericRecordBuilder... plays) {
    for (GenericRecordBuilder p : plays) {
      arrive(SpecOracle.dayOf((Long) p.get("ts")), p);
    }
  }

  /** Every arrival day F .. last is a sealed partition (empty unless plays arrive in it). */
  private void sealEveryDay(LocalDate last) {
    for (LocalDate d = F; !d.isAfter(last); d = d.plusDays(1)) {
      ListeningLogs.markSuccess(ListeningLogs.partitionDir(logs, d));
    }
  }

  /** Every arrival day F .. last is a sealed partition, except the given ones (no partition at all). */
  private void sealEveryDayBut(LocalDate last, LocalDate... missing) {
    for (LocalDate d = F; !d.isAfter(last); d = d.plusDays(1)) {
      if (!Arrays.asList(missing).contains(d)) {
        ListeningLogs.markSuccess(ListeningLogs.partitionDir(logs, d));
      }
    }
  }

  private RewardsOracle oracle() {
    return RewardsOracle.load(logs);
  }

  /** A rendered trace of 59 entries: t at the given offsets k, f elsewhere up to daysFinal, null after it. */
  private static String trace(int daysFinal, int... trueOffsets) {
    List<String> entries = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      int offset = k;
      boolean active = Arrays.stream(trueOffsets).anyMatch(o -> o == offset);
      entries.add(k > daysFinal ? "null" : active ? "t" : "f");
    }
    return "[" + String.join(",", entries) + "]";
  }

  /** A rendered active_by_offset of 59 entries: the given counts per offset k, 0 elsewhere up to daysFinal, null after. */
  private static String counts(int daysFinal, Map<Integer, Integer> countByOffset) {
    List<String> entries = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      entries.add(k > daysFinal ? "null" : String.valueOf(countByOffset.getOrDefault(k, 0)));
    }
    return "[" + String.join(",", entries) + "]";
  }

  /** The middle of a default discovery row: kind|ts|item|platform|context|reason of a default track of artist on day. */
  private static String attribution(String kind, String artist, LocalDate day) {
    return kind + "|" + noonStart(day) + "|trk-" + artist + "|android|catalog|clickrow";
  }

  // ---------------------------------------------------------------- calendar, publication ages

  @Test
  void checkpointsAutoAreEachLabelHorizonPlusLatenessAndTheMaturityAge() {
    Definition def = Definition.defaults();
    assertThat(def.autoCheckpoints(), equalTo(true));
    // {1} ∪ {7, 28, 60} ∪ {7, 28} = {1, 7, 28, 60}, + L = {4, 10, 31, 63}; M = max(60, 28, 59) + 3 = 63.
    assertThat(def.labelHorizons(), contains(1, 7, 28, 60));
    assertThat(def.maturityAge(), equalTo(63));
    assertThat(def.publicationAges(), contains(4, 10, 31, 63));
    // active_weeks 4, 14, 70 are label horizons too: {1,4,7,14,28,60,70} + 3; M = 70 + 3 = 73.
    assertThat(
        def.withActiveWeeksHorizons(4, 14, 70).publicationAges(), contains(4, 7, 10, 17, 31, 63, 73));
    assertThat(def.withActiveWeeksHorizons(70).daysToReturnColumn(), equalTo("days_to_return_70"));
    // An explicit list: every value ≥ L and < M, M added.
    assertThat(def.withCheckpoints(5, 3).publicationAges(), contains(3, 5, 63));
    assertThat(def.withCheckpoints().publicationAges(), contains(63));
    assertThrows(IllegalArgumentException.class, () -> def.withCheckpoints(2));
    assertThrows(IllegalArgumentException.class, () -> def.withCheckpoints(63));
    assertThat(def.withCheckpoints(5).withAutoCheckpoints().publicationAges(), contains(4, 10, 31, 63));
  }

  @Test
  void columnsAreInTheOrderOfDefinitionVersionTwo() {
    Definition def = Definition.defaults();
    assertThat(
        def.userRewardColumns(),
        contains(
            "user_id", "anchor_date", "active_days_7", "active_days_28", "active_days_60", "streams_28",
            "ms_played_28", "return_d1", "days_to_return_60", "user_first_active_date", "as_of", "days_final",
            "mature_1", "mature_7", "mature_28", "mature_60"));
    assertThat(
        def.withActiveWeeksHorizons(14).userRewardColumns().subList(5, 9),
        contains("streams_28", "ms_played_28", "active_weeks_14", "return_d1"));
    assertThat(
        def.userEntityRewardColumns(),
        contains(
            "user_id", "entity_level", "entity_id", "discovery_date", "trace", "stickiness_60", "active_days_7",
            "active_days_28", "discovery_kind", "discovery_ts", "discovery_item_id", "discovery_platform",
            "discovery_context_type", "discovery_reason_start", "lookback_complete", "as_of", "days_final",
            "mature_7", "mature_28", "trace_mature"));
    assertThat(
        def.entityRewardColumns(),
        contains(
            "entity_level", "entity_id", "discovery_date", "discoverers", "new_user_discoverers",
            "mean_stickiness_60", "active_by_offset", "as_of", "days_final", "trace_mature"));
  }

  @Test
  void theAnchorsOfARunAreItsPublicationAgesNotBeforeFAndFinal() {
    sealEveryDay(LocalDate.of(2024, 4, 30));
    // u is active every day from F to 2024-04-30.
    for (LocalDate day = F; !day.isAfter(LocalDate.of(2024, 4, 30)); day = day.plusDays(1)) {
      onTime(track("e" + day, "u", "A", day));
    }

    try (RewardsOracle oracle = oracle()) {
      // F is never final: its first hour could have arrived in F - 1, which has no partition.
      assertThat(oracle.isFinal(F, LocalDate.of(2024, 4, 30)), equalTo(false));
      assertThat(oracle.isFinal(F.plusDays(1), LocalDate.of(2024, 4, 30)), equalTo(true));
      // d + L <= T: 01-10 is final in run 01-13, not in run 01-12.
      assertThat(oracle.isFinal(LocalDate.of(2024, 1, 10), LocalDate.of(2024, 1, 13)), equalTo(true));
      assertThat(oracle.isFinal(LocalDate.of(2024, 1, 10), LocalDate.of(2024, 1, 12)), equalTo(false));
      // T = F + 3: every T - a is before F.
      assertThat(oracle.anchors(F.plusDays(3)), empty());
      assertThat(oracle.userRewards(F.plusDays(3)), empty());
      // T = F + 4 = 01-05: T - 4 = F is a candidate but not final: withheld.
      assertThat(oracle.candidateAnchors(F.plusDays(4)), contains(F));
      assertThat(oracle.withheldAnchors(F.plusDays(4)), contains(F));
      assertThat(oracle.publishedAnchors(F.plusDays(4)), empty());
      assertThat(oracle.userRewards(F.plusDays(4)), empty());
      // T = 02-01: 01-28 (4), 01-22 (10); 02-01 - 31 = F, withheld; T - 63 is before F.
      LocalDate t = LocalDate.of(2024, 2, 1);
      assertThat(oracle.publishedAnchors(t), contains(LocalDate.of(2024, 1, 22), LocalDate.of(2024, 1, 28)));
      assertThat(oracle.withheldAnchors(t), contains(F));
      assertThat(
          oracle.userRewards(t).stream().map(r -> r.get("anchor_date")).toList(),
          contains(LocalDate.of(2024, 1, 22), LocalDate.of(2024, 1, 28)));
      // Anchor 01-22 in run 02-01: days_final = 32 - 3 - 22 = 7; every day active, so 7 active days in each
      // window (only D+1 .. D+7 counted), 7 streams of 60 000 ms, return after 1 day. user_first_active_date:
      // f must have 60 final days before it with no activity; u is active every day since F, and no f in
      // 11-23 .. 01-22 has 60 final days before it (F is not final): null. mature_1 and mature_7.
      assertThat(
          oracle.renderedUserRewards(t).get(0),
          equalTo("u|2024-01-22|7|7|7|7|420000|t|1|null|2024-02-01|7|t|t|f|f"));
      // T = F + 64 = 03-05: T - 63 = 01-02 = F + 1, the first final day, is published.
      assertThat(
          oracle.publishedAnchors(LocalDate.of(2024, 3, 5)),
          contains(
              LocalDate.of(2024, 1, 2), LocalDate.of(2024, 2, 3), LocalDate.of(2024, 2, 24),
              LocalDate.of(2024, 3, 1)));
    }
  }

  // ---------------------------------------------------------------- user_rewards with complete input

  @Test
  void userRewardsAtEachAgeCountOnlyTheFinalPrefix() {
    LocalDate d = LocalDate.of(2024, 4, 20); // lookback 02-20 .. 04-19, all final
    sealEveryDay(d.plusDays(63)); // 06-22
    onTime(
        // u: active on D, D+7, D+8, D+28, D+29, D+60, D+61 (04-27, 04-28, 05-18, 05-19, 06-19, 06-20).
        track("u0", "u", "A", d),
        track("u7", "u", "A", d.plusDays(7)),
        track("u8", "u", "A", d.plusDays(8)),
        track("u28", "u", "A", d.plusDays(28)),
        track("u29", "u", "A", d.plusDays(29)),
        track("u60", "u", "A", d.plusDays(60)),
        track("u61", "u", "A", d.plusDays(61)),
        // v: active 30 days before D (03-21), on D and D+8.
        track("v-30", "v", "A", d.minusDays(30)),
        track("v0", "v", "A", d),
        track("v8", "v", "A", d.plusDays(8)),
        // w: active 61 days before D (02-19) and on D.
        track("w-61", "w", "A", d.minusDays(61)),
        track("w0", "w", "A", d),
        // x: active on D and D+62 only.
        track("x0", "x", "A", d),
        track("x62", "x", "A", d.plusDays(62)));

    try (RewardsOracle oracle = oracle()) {
      // Run D+4 (age 4): days_final 1 (D+2 + 3 > T). Nobody is active on D+1: return_d1 false, no return within
      // the 1 final day, every count 0; mature_1 only.
      // user_first_active_date: u, x have no activity in D-60 .. D-1 (all final): f = D. v: f = D-30 = 03-21 (its
      // lookback 01-21 .. 03-20 is final and empty; D is not, v played on 03-21). w: D-61 is outside D-60 .. D,
      // and D's lookback 02-20 .. 04-19 is empty: f = D ("listening began on D within the last 60 days").
      assertThat(
          oracle.renderedUserRewards(d.plusDays(4)),
          contains(
              "u|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-04-24|1|t|f|f|f",
              "v|2024-04-20|0|0|0|0|0|f|null|2024-03-21|2024-04-24|1|t|f|f|f",
              "w|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-04-24|1|t|f|f|f",
              "x|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-04-24|1|t|f|f|f"));
      // Run D+10 (age 10): days_final 7. u: D+7 counts in every window (D+8 is not final yet): 1, 1, 1; one stream;
      // returned after 7 days. v: D+8 not final: 0 and no return yet. mature_1, mature_7.
      List<String> age10 = oracle.renderedUserRewards(d.plusDays(10));
      assertThat(age10.get(0), equalTo("u|2024-04-20|1|1|1|1|60000|f|7|2024-04-20|2024-04-30|7|t|t|f|f"));
      assertThat(age10.get(1), equalTo("v|2024-04-20|0|0|0|0|0|f|null|2024-03-21|2024-04-30|7|t|t|f|f"));
      // Run D+31 (age 31): days_final 28. u: {D+7} in 7; {D+7, D+8, D+28} in 28 and so far in 60; 3 streams.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(31)).get(0),
          equalTo("u|2024-04-20|1|3|3|3|180000|f|7|2024-04-20|2024-05-21|28|t|t|t|f"));
      // Run D+63 (age 63, M): days_final 60, everything mature; the other anchors (D+59, D+53, D+32) have no
      // active user. u: 60-day window {D+7, D+8, D+28, D+29, D+60} = 5 (D+61 outside). v: D+8 in 28 and 60.
      // x: D+62 is beyond the 60-day window: days_to_return_60 null with mature_60, a final "no return".
      assertThat(
          oracle.renderedUserRewards(d.plusDays(63)),
          contains(
              "u|2024-04-20|1|3|5|3|180000|f|7|2024-04-20|2024-06-22|60|t|t|t|t",
              "v|2024-04-20|0|1|1|1|60000|f|8|2024-03-21|2024-06-22|60|t|t|t|t",
              "w|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-06-22|60|t|t|t|t",
              "x|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-06-22|60|t|t|t|t"));
    }
  }

  // ---------------------------------------------------------------- incomplete input

  @Test
  void aMissingPartitionStopsDaysFinalBeforeItAndWithholdsItsAnchors() {
    LocalDate d = LocalDate.of(2024, 4, 20);
    LocalDate x = d.plusDays(10); // 04-30: no partition at all
    sealEveryDayBut(d.plusDays(63), x);
    onTime(
        // u: D, D+1, D+5, D+8 (non-final), D+12.
        track("u0", "u", "A", d),
        track("u1", "u", "A", d.plusDays(1)),
        track("u5", "u", "A", d.plusDays(5)),
        track("u8", "u", "A", d.plusDays(8)),
        track("u12", "u", "A", d.plusDays(12)),
        // y: D and D+8 only.
        track("y0", "y", "B", d),
        track("y8", "y", "B", d.plusDays(8)),
        // z: a new user on D+27 = 05-17 only.
        track("z27", "z", "C", d.plusDays(27)));
    // A play of X = D+10 arrives a day late, in D+11: u is active on X, an anchor of run D+14.
    arrive(d.plusDays(11), track("u10", "u", "A", x));

    try (RewardsOracle oracle = oracle()) {
      // Days whose arrival window d-1 .. d+3 holds X: X-3 .. X+1 = 04-27 .. 05-01.
      LocalDate late = d.plusDays(63);
      for (LocalDate day = x.minusDays(4); !day.isAfter(x.plusDays(2)); day = day.plusDays(1)) {
        boolean expected = day.isBefore(x.minusDays(3)) || day.isAfter(x.plusDays(1));
        assertThat(day.toString(), oracle.isFinal(day, late), equalTo(expected));
      }
      assertThat(oracle.arrivalDayComplete(x), equalTo(false));
      // D + 7 = X - 3 is the first non-final day: days_final of D is 6 in every later run.
      assertThat(oracle.userDaysFinal(d, late), equalTo(6));
      assertThat(oracle.discoveryDaysFinal(d, late), equalTo(6));

      // Run D+14 = 05-04: candidates 03-02 (63), 04-03 (31), 04-24 (10), 04-30 = X (4). X is not final: withheld,
      // no row for u although u is active on X.
      LocalDate t14 = d.plusDays(14);
      assertThat(oracle.withheldAnchors(t14), contains(x));
      assertThat(
          oracle.publishedAnchors(t14),
          contains(LocalDate.of(2024, 3, 2), LocalDate.of(2024, 4, 3), LocalDate.of(2024, 4, 24)));
      assertThat(oracle.userRewards(t14), empty());

      // Run D+31 = 05-21: candidates 03-19, 04-20 = D, 05-11, 05-17, all final.
      // u (anchor D): days_final 6; D+1 and D+5 count (D+8 and D+12 are beyond the final prefix): 2, 2, 2; 2
      // streams; return_d1 true, days_to_return_60 1; first active D (lookback 02-20 .. 04-19 final, empty).
      // mature_1 only: the window never becomes mature.
      // y: D+8 is beyond days_final: no return known, and not a final "no" (mature_60 false).
      // z (anchor 05-17): days_final 1 (05-18 final in run 05-21, 05-19 not); the lookback of 05-17,
      // 03-18 .. 05-16, holds the non-final days 04-27 .. 05-01: user_first_active_date null.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(31)),
          contains(
              "u|2024-04-20|2|2|2|2|120000|t|1|2024-04-20|2024-05-21|6|t|f|f|f",
              "y|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-05-21|6|t|f|f|f",
              "z|2024-05-17|0|0|0|0|0|f|null|null|2024-05-21|1|t|f|f|f"));

      // Run D+63 = 06-22 (age 63): still days_final 6. u's discovery of A: trace t at D+1 and D+5, f at the other
      // final days, null from k = 7 on; never trace_mature, so stickiness_60 stays null. Lookback complete, no
      // activity in it: new_user.
      assertThat(
          oracle.renderedUserEntityRewards(late).get(0),
          equalTo(
              "u|artist|A|2024-04-20|" + trace(6, 1, 5) + "|null|2|2|" + attribution("new_user", "A", d)
                  + "|t|2024-06-22|6|f|f|f"));
      // z's discovery on 05-17: its lookback holds non-final days: lookback_complete false, no kind, and
      // entity_rewards leaves it out.
      List<Map<String, Object>> z = oracle.userEntityRewards(d.plusDays(31)).stream()
          .filter(r -> r.get("user_id").equals("z")).toList();
      assertThat(z.size(), equalTo(1));
      assertThat(z.get(0).get("lookback_complete"), equalTo(false));
      assertThat(z.get(0).get("discovery_kind"), equalTo(null));
      assertThat(
          oracle.entityRewards(d.plusDays(31)).stream().map(r -> r.get("entity_id")).toList(),
          not(hasItem("C")));
    }
  }

  @Test
  void aDeclaredIncompleteArrivalDayCountsAsMissing() {
    LocalDate d = LocalDate.of(2024, 4, 20);
    sealEveryDay(d.plusDays(31));
    onTime(track("u0", "u", "A", d), track("u1", "u", "A", d.plusDays(1)), track("u3", "u", "A", d.plusDays(3)));

    try (RewardsOracle oracle = oracle()) {
      // Complete input: run D+31 has days_final 28 for D; u returned on D+1 and D+3.
      assertThat(oracle.userDaysFinal(d, d.plusDays(31)), equalTo(28));
      // Declared incomplete (say the first run that looked for D+4 ran without it): D+1 .. D+5 are not final,
      // days_final 0, return_d1 null (D+1 not final), nothing counted. The plays of dt=D+4 stay as they are.
      oracle.withIncompleteArrivalDays(Set.of(d.plusDays(4)));
      assertThat(oracle.arrivalDayComplete(d.plusDays(4)), equalTo(false));
      assertThat(
          oracle.renderedUserRewards(d.plusDays(31)),
          contains("u|2024-04-20|0|0|0|0|0|null|null|2024-04-20|2024-05-21|0|f|f|f|f"));
      // D+4 - 3 = D+1 .. D+5 are not final; the anchor D+21 (age 10) is final.
      assertThat(oracle.withheldAnchors(d.plusDays(8)), contains(d.plusDays(4)));
    }
    // The same through load().
    try (RewardsOracle oracle =
        RewardsOracle.load(logs, Definition.defaults(), Set.of(d.plusDays(4)))) {
      assertThat(oracle.userDaysFinal(d, d.plusDays(31)), equalTo(0));
    }
  }

  @Test
  void aCorruptFileMakesItsArrivalDayIncompleteAndIsLeftOutWhole() throws IOException {
    LocalDate d = LocalDate.of(2024, 4, 20);
    LocalDate x = d.plusDays(5); // 04-25
    sealEveryDay(d.plusDays(31));
    onTime(track("u0", "u", "A", d), track("u1", "u", "A", d.plusDays(1)), track("v0", "v", "B", d));
    // Partition X: one good file (u on D+2, late) and one cut in half (v's plays of D+2 .. D+5).
    arrive(x, track("u2", "u", "A", d.plusDays(2)));
    GenericRecordBuilder[] bad = new GenericRecordBuilder[40];
    for (int i = 0; i < bad.length; i++) {
      bad[i] = track("bad" + i, "v", "B", d.plusDays(2 + i % 4) + "T12:00:00Z", MIN);
    }
    Path corrupt = arrive(x, bad);
    try (RandomAccessFile f = new RandomAccessFile(corrupt.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }

    assertThat(SpecOracle.readsCompletely(corrupt), equalTo(false));
    assertThat(SpecOracle.completeArrivalDays(logs), not(hasItem(x)));
    List<String> accepted =
        SpecOracle.acceptedPlays(logs, d.plusDays(31)).stream().map(OraclePlay::eventId).toList();
    assertThat(accepted, hasItem("u2"));
    assertThat(accepted.stream().filter(e -> e.startsWith("bad")).toList(), empty());

    try (RewardsOracle oracle = oracle()) {
      // X incomplete: X-3 = D+2 .. X+1 = D+6 are not final: days_final of D is 1 for good.
      // Run D+31: u returned on D+1 (counted) and D+2 (not final, not counted); v's plays are all in the bad file.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(31)),
          contains(
              "u|2024-04-20|1|1|1|1|60000|t|1|2024-04-20|2024-05-21|1|t|f|f|f",
              "v|2024-04-20|0|0|0|0|0|f|null|2024-04-20|2024-05-21|1|t|f|f|f"));
    }
  }

  @Test
  void anUnsealedPartitionIsNotReadAndItsDayIsIncomplete() {
    LocalDate d = LocalDate.of(2024, 4, 20);
    sealEveryDay(d.plusDays(10));
    onTime(track("u0", "u", "A", d));
    // dt=D+12 without _SUCCESS: not read, not complete.
    Path dir = ListeningLogs.partitionDir(logs, d.plusDays(12));
    ListeningLogs.write(dir.resolve("part-x.avro"), SCHEMA, List.of(track("u12", "u", "A", d.plusDays(12)).build()));

    assertThat(SpecOracle.completeArrivalDays(logs), not(hasItem(d.plusDays(12))));
    assertThat(
        SpecOracle.acceptedPlays(logs, d.plusDays(12)).stream().map(OraclePlay::eventId).toList(),
        contains("u0"));
    try (RewardsOracle oracle = oracle()) {
      assertThat(oracle.arrivalDayComplete(d.plusDays(12)), equalTo(false));
      // D + 9 needs arrivals D+8 .. D+12: not final in any run.
      assertThat(oracle.userDaysFinal(d, d.plusDays(40)), equalTo(7));
    }
  }

  // ---------------------------------------------------------------- discoveries

  @Test
  void discoveryKindsAndEntityRewardsAggregateNewToEntityOnly() {
    LocalDate d = LocalDate.of(2024, 4, 20);
    sealEveryDay(d.plusDays(63));
    onTime(
        // a: plays B on D-10, so a is an existing user; on D plays A (new) and B (not new); A again on D+1.
        track("a-10", "a", "B", d.minusDays(10)),
        track("a0", "a", "A", d),
        track("a0b", "a", "B", d),
        track("a1", "a", "A", d.plusDays(1)),
        // b: only a qualifying episode on D-30: active (any entity) in the lookback; A on D.
        episode("b-30", "b", "S", d.minusDays(30) + "T12:00:00Z", 2 * MIN),
        track("b0", "b", "A", d),
        // n: a new user: A and N on D, A on D+1.
        track("n0", "n", "A", d),
        track("n0n", "n", "N", d),
        track("n1", "n", "A", d.plusDays(1)),
        // o: A on D-61 (outside the lookback) and D: a discovery, and o is inactive in D-60 .. D-1: new_user.
        track("o-61", "o", "A", d.minusDays(61)),
        track("o0", "o", "A", d));

    try (RewardsOracle oracle = oracle()) {
      // Run D+4: days_final 1; lookback 02-20 .. 04-19 complete.
      LocalDate t = d.plusDays(4);
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains(
              "a|artist|A|2024-04-20|" + trace(1, 1) + "|null|1|1|" + attribution("new_to_entity", "A", d)
                  + "|t|2024-04-24|1|f|f|f",
              "b|artist|A|2024-04-20|" + trace(1) + "|null|0|0|" + attribution("new_to_entity", "A", d)
                  + "|t|2024-04-24|1|f|f|f",
              "n|artist|A|2024-04-20|" + trace(1, 1) + "|null|1|1|" + attribution("new_user", "A", d)
                  + "|t|2024-04-24|1|f|f|f",
              "n|artist|N|2024-04-20|" + trace(1) + "|null|0|0|" + attribution("new_user", "N", d)
                  + "|t|2024-04-24|1|f|f|f",
              "o|artist|A|2024-04-20|" + trace(1) + "|null|0|0|" + attribution("new_user", "A", d)
                  + "|t|2024-04-24|1|f|f|f"));
      // A: discoverers a, b (new_to_entity); new users n, o. On D+1 a is active (n too, but not counted).
      // N: only n's new_user discovery: a row with 0 discoverers, offsets 0 where final.
      assertThat(
          oracle.renderedEntityRewards(t),
          contains(
              "artist|A|2024-04-20|2|2|null|" + counts(1, Map.of(1, 1)) + "|2024-04-24|1|f",
              "artist|N|2024-04-20|0|1|null|" + counts(1, Map.of()) + "|2024-04-24|1|f"));

      // Run D+63: everything final. a: stickiness 1 + 1 = 2; b: 1; mean over a, b only: 1.5 (n's 2 and o's 1
      // are left out). N: no new_to_entity discoverer, mean null.
      LocalDate t63 = d.plusDays(63);
      assertThat(
          oracle.renderedEntityRewards(t63),
          contains(
              "artist|A|2024-04-20|2|2|1.500000000|" + counts(59, Map.of(1, 1)) + "|2024-06-22|59|t",
              "artist|N|2024-04-20|0|1|null|" + counts(59, Map.of()) + "|2024-06-22|59|t"));
      assertThat(
          oracle.renderedUserEntityRewards(t63).get(0),
          equalTo(
              "a|artist|A|2024-04-20|" + trace(59, 1) + "|2|1|1|" + attribution("new_to_entity", "A", d)
                  + "|t|2024-06-22|59|t|t|t"));
    }
  }

  @Test
  void aGapOfSixtyDaysIsNoDiscoveryAGapOfSixtyOneIs() {
    LocalDate d = LocalDate.of(2024, 3, 15);
    LocalDate t = d.plusDays(4); // D is published at age 4
    sealEveryDay(t);
    onTime(
        // A on D-60 = 01-15: inside the lookback D-60 .. D-1, so A on D is not new.
        track("a60", "u", "A", d.minusDays(60)),
        track("a0", "u", "A", d),
        // B on D-61 = 01-14: just outside the lookback, so B on D is a discovery.
        track("b61", "u", "B", d.minusDays(61)),
        track("b0", "u", "B", d));

    try (RewardsOracle oracle = oracle()) {
      // days_final 1 (D+1 final, without a play); the lookback 01-15 .. 03-14 is final; u is active on 01-15
      // (A): new_to_entity.
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains(
              "u|artist|B|2024-03-15|" + trace(1) + "|null|0|0|" + attribution("new_to_entity", "B", d)
                  + "|t|2024-03-19|1|f|f|f"));
      assertThat(
          oracle.renderedEntityRewards(t),
          contains("artist|B|2024-03-15|1|0|null|" + counts(1, Map.of()) + "|2024-03-19|1|f"));
    }
  }

  @Test
  void lookbackIsCompleteFromFPlusSixtyOne() {
    sealEveryDay(LocalDate.of(2024, 3, 6));
    // F + 60 = 03-01: its lookback 01-01 .. 02-29 holds F, which is never final. F + 61 = 03-02: 01-02 .. 03-01.
    onTime(track("early", "u", "A", LocalDate.of(2024, 1, 8)));
    onTime(track("f60", "u", "B", LocalDate.of(2024, 3, 1)));
    onTime(track("f61", "u", "C", LocalDate.of(2024, 3, 2)));

    try (RewardsOracle oracle = oracle()) {
      assertThat(oracle.lookbackComplete(LocalDate.of(2024, 3, 1), LocalDate.of(2024, 3, 6)), equalTo(false));
      assertThat(oracle.lookbackComplete(LocalDate.of(2024, 3, 2), LocalDate.of(2024, 3, 6)), equalTo(true));
      // Run 01-12 publishes 01-08 (age 4): a discovery, flagged, no kind; entity_rewards leaves it out.
      List<Map<String, Object>> early = oracle.userEntityRewards(LocalDate.of(2024, 1, 12));
      assertThat(early.size(), equalTo(1));
      assertThat(early.get(0).get("lookback_complete"), equalTo(false));
      assertThat(early.get(0).get("discovery_kind"), equalTo(null));
      assertThat(oracle.entityRewards(LocalDate.of(2024, 1, 12)), empty());

      List<Map<String, Object>> f60 = oracle.userEntityRewards(LocalDate.of(2024, 3, 5));
      assertThat(f60.get(0).get("entity_id"), equalTo("B"));
      assertThat(f60.get(0).get("lookback_complete"), equalTo(false));
      assertThat(oracle.entityRewards(LocalDate.of(2024, 3, 5)), empty());

      // 03-02: complete, and u was active on 03-01 (B): new_to_entity.
      List<Map<String, Object>> f61 = oracle.userEntityRewards(LocalDate.of(2024, 3, 6));
      assertThat(f61.get(0).get("entity_id"), equalTo("C"));
      assertThat(f61.get(0).get("lookback_complete"), equalTo(true));
      assertThat(f61.get(0).get("discovery_kind"), equalTo("new_to_entity"));
      assertThat(oracle.entityRewards(LocalDate.of(2024, 3, 6)).size(), equalTo(1));
    }
  }

  @Test
  void aLatePlayFromBeforeFStillCountsInTheLookback() {
    // Reading chosen for docs/rewards.md: a discovery needs no qualifying play on D-60 .. D-1 among the plays
    // read so far, and a play that arrived (within lateness) in partition F with a day before F is a play like any
    // other; only lookback_complete and discovery_kind speak about observation.
    LocalDate beforeF = F.minusDays(1); // 12-31, arrives in F (1 day late)
    sealEveryDay(LocalDate.of(2024, 3, 4));
    arrive(F, track("old", "u", "A", beforeF));
    onTime(track("d", "u", "A", LocalDate.of(2024, 2, 29))); // D = F + 59; D - 60 = 12-31
    onTime(track("x", "u", "X", LocalDate.of(2024, 2, 29)));

    try (RewardsOracle oracle = oracle()) {
      assertThat(oracle.firstInputDay(), equalTo(F));
      // Only X is new on D; A was played on D - 60.
      assertThat(
          oracle.userEntityRewards(LocalDate.of(2024, 3, 4)).stream().map(r -> r.get("entity_id")).toList(),
          contains("X"));
    }
  }

  @Test
  void theDiscoveringPlayIsTheFirstQualifyingPlayByStartThenEndThenEventId() {
    LocalDate d = LocalDate.of(2024, 2, 10);
    sealEveryDay(d.plusDays(4));
    onTime(
        // A: a2 [09:40, 10:30] starts first although it ends after a1 [09:50, 10:00].
        track("a1", "u", "A", d + "T10:00:00Z", 10 * MIN).set("context_type", "radio").set("item_id", "a1-item"),
        track("a2", "u", "A", d + "T10:30:00Z", 50 * MIN)
            .set("context_type", "home")
            .set("item_id", "a2-item")
            .set("platform", "ios"),
        // B: same start 09:50; b2 ends first (10:00 < 10:05) and wins.
        track("b1", "u", "B", d + "T10:05:00Z", 15 * MIN).set("context_type", "search").set("item_id", "b1-item"),
        track("b2", "u", "B", d + "T10:00:00Z", 10 * MIN)
            .set("context_type", "radio")
            .set("item_id", "b2-item")
            .set("platform", null),
        // C: same start and end; event id c1 < c2. A non-qualifying play at 07:59:50 does not count.
        track("c2", "u", "C", d + "T10:00:00Z", 10 * MIN).set("context_type", "charts").set("item_id", "c2-item"),
        track("c1", "u", "C", d + "T10:00:00Z", 10 * MIN)
            .set("context_type", "search")
            .set("reason_start", "uriopen")
            .set("item_id", "c1-item")
            .set("platform", "web"),
        track("c0", "u", "C", d + "T08:00:00Z", 10 * SEC).set("context_type", "home").set("item_id", "c0-item"),
        // E: a play that started on D-1 (23:50) but ended on D (00:10) belongs to D and started first.
        track("e1", "u", "E", d + "T00:10:00Z", 20 * MIN)
            .set("context_type", "editorial_playlist")
            .set("item_id", "e1-item"),
        track("e2", "u", "E", d + "T09:00:00Z", 5 * MIN).set("context_type", "radio").set("item_id", "e2-item"));

    try (RewardsOracle oracle = oracle()) {
      Map<String, String> attribution = new TreeMap<>();
      for (Map<String, Object> r : oracle.userEntityRewards(d.plusDays(4))) {
        attribution.put(
            (String) r.get("entity_id"),
            r.get("discovery_ts") + "/" + r.get("discovery_item_id") + "/" + r.get("discovery_platform") + "/"
                + r.get("discovery_context_type") + "/" + r.get("discovery_reason_start"));
      }
      assertThat(
          attribution,
          equalTo(
              Map.of(
                  "A", ms("2024-02-10T09:40:00Z") + "/a2-item/ios/home/clickrow",
                  "B", ms("2024-02-10T09:50:00Z") + "/b2-item/null/radio/clickrow",
                  "C", ms("2024-02-10T09:50:00Z") + "/c1-item/web/search/uriopen",
                  "E", ms("2024-02-09T23:50:00Z") + "/e1-item/android/editorial_playlist/clickrow")));
      // discovery_ts is a plain long of epoch milliseconds.
      assertThat(oracle.userEntityRewards(d.plusDays(4)).get(0).get("discovery_ts"), equalTo(1707558000000L));
    }
  }

  // ---------------------------------------------------------------- what counts as a play

  @Test
  void privatePlaysNeverCount() {
    LocalDate d = LocalDate.of(2024, 3, 10); // lookback 01-10 .. 03-09, final
    LocalDate t = d.plusDays(4);
    sealEveryDay(t);
    onTime(
        // Private play of A on D-5: would make A on D not new, and u not a new user.
        track("p-5", "u", "A", d.minusDays(5) + "T12:00:00Z", MIN).set("incognito_mode", true),
        // Private play of A earlier on D: would be the discovering play.
        track("p0", "u", "A", d + "T08:00:00Z", MIN)
            .set("incognito_mode", true)
            .set("context_type", "private_ctx"),
        track("a0", "u", "A", d + "T12:00:00Z", MIN).set("context_type", "search"),
        // Private play on D+1: would make return_d1 true.
        track("p1", "u", "A", d.plusDays(1) + "T12:00:00Z", MIN).set("incognito_mode", true),
        // w's only play on D is private: w is not active on D.
        track("w0", "w", "A", d + "T12:00:00Z", MIN).set("incognito_mode", true));

    try (RewardsOracle oracle = oracle()) {
      // u: nothing after D; days_final 1; first active D.
      assertThat(
          oracle.renderedUserRewards(t), contains("u|2024-03-10|0|0|0|0|0|f|null|2024-03-10|2024-03-14|1|t|f|f|f"));
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains(
              "u|artist|A|2024-03-10|" + trace(1) + "|null|0|0|new_user|" + noonStart(d)
                  + "|trk-A|android|search|clickrow|t|2024-03-14|1|f|f|f"));
    }
  }

  @Test
  void aFortyFiveSecondEpisodeDoesNotQualifyAFortyFiveSecondTrackDoes() {
    LocalDate d = LocalDate.of(2024, 2, 10);
    LocalDate t = d.plusDays(4);
    sealEveryDay(t);
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
    LocalDate d = LocalDate.of(2024, 2, 10);
    sealEveryDay(d.plusDays(4));
    onTime(
        track("a", "u", "A", d),
        // An episode has no track, album or artist.
        episode("e", "u", "S", d + "T13:00:00Z", 10 * MIN));

    try (RewardsOracle oracle =
        RewardsOracle.load(logs, Definition.defaults().withEntityLevels("track", "album"))) {
      assertThat(
          oracle.userEntityRewards(d.plusDays(4)).stream()
              .map(r -> r.get("entity_level") + "/" + r.get("entity_id"))
              .toList(),
          contains("album/alb-A", "track/trk-A"));
    }
  }

  @Test
  void aDuplicateDeliveryIsOnePlay() {
    LocalDate d = LocalDate.of(2024, 3, 10);
    LocalDate t = d.plusDays(10);
    sealEveryDay(t);
    onTime(track("u0", "u", "A", d));
    // The only play of D+3, delivered twice: in its own partition and again the next day.
    arrive(d.plusDays(3), track("dup", "u", "A", d.plusDays(3)));
    arrive(d.plusDays(4), track("dup", "u", "A", d.plusDays(3)));

    try (RewardsOracle oracle = oracle()) {
      // Run D+10: days_final 7; one active day and one stream of 60 000 ms; mature_1 and mature_7.
      assertThat(
          oracle.renderedUserRewards(t),
          contains("u|2024-03-10|1|1|1|1|60000|f|3|2024-03-10|2024-03-20|7|t|t|f|f"));
      assertThat(
          oracle.renderedUserEntityRewards(t),
          contains(
              "u|artist|A|2024-03-10|" + trace(7, 3) + "|null|1|1|" + attribution("new_user", "A", d)
                  + "|t|2024-03-20|7|t|f|f"));
    }
  }

  // ---------------------------------------------------------------- late and future data

  @Test
  void latePlaysCountOnceTheyArriveAndTooLateOrFuturePlaysDoNot() {
    LocalDate d = LocalDate.of(2024, 3, 10);
    sealEveryDay(d.plusDays(10));
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
      // Run D+4: D+1 is final and "late" arrived by then: return_d1 true; days_final 1.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(4)),
          contains("u|2024-03-10|1|1|1|1|60000|t|1|2024-03-10|2024-03-14|1|t|f|f|f"));
      // Run D+10: D+1 (late) and D+2 (future) are active, D+3 never is; 2 streams; days_final 7.
      assertThat(
          oracle.renderedUserRewards(d.plusDays(10)),
          contains("u|2024-03-10|2|2|2|2|120000|t|1|2024-03-10|2024-03-20|7|t|t|f|f"));
      assertThat(
          oracle.renderedUserEntityRewards(d.plusDays(10)),
          contains(
              "u|artist|A|2024-03-10|" + trace(7, 1, 2) + "|null|2|2|" + attribution("new_user", "A", d)
                  + "|t|2024-03-20|7|t|f|f"));
    }
  }

  // ---------------------------------------------------------------- progressive and mature labels

  @Test
  void partlyFinalWindowsThenTheMatureRow() {
    LocalDate d = LocalDate.of(2024, 3, 5); // lookback 01-05 .. 03-04: complete
    sealEveryDay(d.plusDays(63));
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
        track("w0", "w", "A", d),
        // All three were active with Z on D-5: existing users, so their discoveries of A are new_to_entity.
        track("uz", "u", "Z", d.minusDays(5)),
        track("vz", "v", "Z", d.minusDays(5)),
        track("wz", "w", "Z", d.minusDays(5)));

    try (RewardsOracle oracle = oracle()) {
      // Run D+10 = 03-15: days_final 7, trace nulls from k = 8, mature_7 only.
      LocalDate t10 = d.plusDays(10);
      String kind = "new_to_entity";
      assertThat(
          oracle.renderedUserEntityRewards(t10),
          contains(
              "u|artist|A|2024-03-05|" + trace(7, 2, 7) + "|null|2|2|" + attribution(kind, "A", d)
                  + "|t|2024-03-15|7|t|f|f",
              "v|artist|A|2024-03-05|" + trace(7, 1) + "|null|1|1|" + attribution(kind, "A", d)
                  + "|t|2024-03-15|7|t|f|f",
              "w|artist|A|2024-03-05|" + trace(7) + "|null|0|0|" + attribution(kind, "A", d)
                  + "|t|2024-03-15|7|t|f|f"));
      assertThat(
          oracle.renderedEntityRewards(t10),
          contains("artist|A|2024-03-05|3|0|null|" + counts(7, Map.of(1, 1, 2, 1, 7, 1)) + "|2024-03-15|7|f"));
      // u's user row: D+2 and D+7 in every window so far; first returned after 2 days; u was active on D-5, and
      // D-5's own lookback reaches 12-31 (before F, not final): user_first_active_date null.
      assertThat(
          oracle.renderedUserRewards(t10).get(0),
          equalTo("u|2024-03-05|2|2|2|2|120000|f|2|null|2024-03-15|7|t|t|f|f"));

      // Run D+63 = 05-07: everything final. u: stickiness 1 + |{2, 7, 59}| = 4; v: 2; w: 1;
      // mean (4 + 2 + 1) / 3 = 2.333333333.
      LocalDate t63 = d.plusDays(63);
      assertThat(
          oracle.renderedUserEntityRewards(t63),
          contains(
              "u|artist|A|2024-03-05|" + trace(59, 2, 7, 59) + "|4|2|2|" + attribution(kind, "A", d)
                  + "|t|2024-05-07|59|t|t|t",
              "v|artist|A|2024-03-05|" + trace(59, 1) + "|2|1|1|" + attribution(kind, "A", d)
                  + "|t|2024-05-07|59|t|t|t",
              "w|artist|A|2024-03-05|" + trace(59) + "|1|0|0|" + attribution(kind, "A", d)
                  + "|t|2024-05-07|59|t|t|t"));
      assertThat(
          oracle.renderedEntityRewards(t63),
          contains(
              "artist|A|2024-03-05|3|0|2.333333333|"
                  + counts(59, Map.of(1, 1, 2, 1, 7, 1, 59, 1))
                  + "|2024-05-07|59|t"));
      // u: active days D+2, D+7 (7 and 28); + D+59 and D+60 within 60.
      assertThat(
          oracle.renderedUserRewards(t63).get(0),
          equalTo("u|2024-03-05|2|2|4|2|120000|f|2|null|2024-05-07|60|t|t|t|t"));
    }
  }

  @Test
  void maturityIsDaysFinalReachingTheHorizon() {
    LocalDate d = LocalDate.of(2024, 3, 5);
    sealEveryDay(d.plusDays(63));
    onTime(track("u0", "u", "A", d));

    try (RewardsOracle oracle = oracle()) {
      // With complete input days_final = T - 3 - D. Age 4: 1, mature_1 only.
      Map<String, Object> row = oracle.userRewards(d.plusDays(4)).get(0);
      assertThat(row.get("days_final"), equalTo(1));
      assertThat(row.get("mature_1"), equalTo(true));
      assertThat(row.get("mature_7"), equalTo(false));
      // Age 10: 7, mature_7.
      row = oracle.userRewards(d.plusDays(10)).get(0);
      assertThat(row.get("mature_7"), equalTo(true));
      assertThat(row.get("mature_28"), equalTo(false));
      // Age 31: 28.
      row = oracle.userRewards(d.plusDays(31)).get(0);
      assertThat(row.get("days_final"), equalTo(28));
      assertThat(row.get("mature_28"), equalTo(true));
      assertThat(row.get("mature_60"), equalTo(false));
      // Age 63 = M: 60 for user_rewards, 59 (the whole trace) for the discovery.
      assertThat(oracle.userRewards(d.plusDays(63)).get(0).get("mature_60"), equalTo(true));
      Map<String, Object> discovery = oracle.userEntityRewards(d.plusDays(63)).get(0);
      assertThat(discovery.get("days_final"), equalTo(59));
      assertThat(discovery.get("trace_mature"), equalTo(true));
      assertThat(discovery.get("stickiness_60"), equalTo(1L));
      // Age 31 for the discovery: 28 final days, mature_28 but not trace_mature, stickiness null.
      discovery = oracle.userEntityRewards(d.plusDays(31)).get(0);
      assertThat(discovery.get("mature_28"), equalTo(true));
      assertThat(discovery.get("trace_mature"), equalTo(false));
      assertThat(discovery.get("stickiness_60"), equalTo(null));
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
    // Timestamps render as epoch milliseconds, like discovery_ts as a BIGINT.
    long at = ms("2024-02-10T09:40:00Z");
    assertThat(
        RewardsOracle.renderRow(
            Arrays.asList(
                at,
                Instant.ofEpochMilli(at),
                java.time.OffsetDateTime.parse("2024-02-10T10:40:00+01:00"),
                java.time.LocalDateTime.parse("2024-02-10T09:40:00"),
                java.sql.Timestamp.valueOf(java.time.LocalDateTime.parse("2024-02-10T09:40:00")))),
        equalTo(at + "|" + at + "|" + at + "|" + at + "|" + at));
    assertThat(
        RewardsOracle.renderUserReward(
            Definition.defaults(),
            new TreeMap<>(
                Map.ofEntries(
                    Map.entry("mature_60", false),
                    Map.entry("mature_28", true),
                    Map.entry("mature_7", true),
                    Map.entry("mature_1", true),
                    Map.entry("days_final", 28),
                    Map.entry("as_of", LocalDate.of(2024, 4, 2)),
                    Map.entry("user_first_active_date", LocalDate.of(2024, 3, 2)),
                    Map.entry("days_to_return_60", 7),
                    Map.entry("return_d1", false),
                    Map.entry("ms_played_28", 540_000L),
                    Map.entry("streams_28", 3L),
                    Map.entry("active_days_60", 2),
                    Map.entry("active_days_28", 2),
                    Map.entry("active_days_7", 1),
                    Map.entry("anchor_date", LocalDate.of(2024, 3, 2)),
                    Map.entry("user_id", "u1")))),
        equalTo("u1|2024-03-02|1|2|2|3|540000|f|7|2024-03-02|2024-04-02|28|t|t|t|f"));
  }

  @Test
  void renderQueryReadsAnyRelationTheSameWay() {
    LocalDate d = LocalDate.of(2024, 3, 5);
    sealEveryDay(d.plusDays(10));
    onTime(track("u0", "u", "A", d), track("u2", "u", "A", d.plusDays(2)));
    try (RewardsOracle oracle = oracle();
        DuckDb db = DuckDb.open()) {
      // What an end-to-end test does with the pipeline's Parquet: here the same rows written by hand as SQL,
      // discovery_ts once as a BIGINT of epoch milliseconds and once as a TIMESTAMPTZ.
      String discovery =
          "SELECT 'u' AS user_id, 'artist' AS entity_level, 'A' AS entity_id,"
              + " DATE '2024-03-05' AS discovery_date,"
              + " list_concat([false, true, false, false, false, false, false], repeat([NULL::BOOLEAN], 52))"
              + " AS trace, NULL::INTEGER AS stickiness_60, 1 AS active_days_7, 1 AS active_days_28,"
              + " 'new_user' AS discovery_kind, %s AS discovery_ts, 'trk-A' AS discovery_item_id,"
              + " 'android' AS discovery_platform,"
              + " 'catalog' AS discovery_context_type, 'clickrow' AS discovery_reason_start,"
              + " true AS lookback_complete, DATE '2024-03-15' AS as_of, 7 AS days_final,"
              + " true AS mature_7, false AS mature_28, false AS trace_mature";
      db.execute(
          "CREATE TABLE uer_bigint AS " + discovery.formatted(noonStart(d) + "::BIGINT"));
      db.execute(
          "CREATE TABLE uer_timestamp AS " + discovery.formatted("TIMESTAMPTZ '2024-03-05 11:59:00+00'"));
      List<String> expected = oracle.renderedUserEntityRewards(d.plusDays(10));
      assertThat(expected.size(), equalTo(1));
      List<String> columns = oracle.definition().userEntityRewardColumns();
      assertEquals(expected, RewardsOracle.renderQuery(db, "uer_bigint", columns));
      assertEquals(expected, RewardsOracle.renderQuery(db, "uer_timestamp", columns));
      // user_rewards with its DATE user_first_active_date, as Parquet DATE reads back.
      db.execute(
          "CREATE TABLE ur AS SELECT 'u' AS user_id, DATE '2024-03-05' AS anchor_date, 1 AS active_days_7,"
              + " 1 AS active_days_28, 1 AS active_days_60, 1::BIGINT AS streams_28, 60000::BIGINT AS ms_played_28,"
              + " false AS return_d1, 2 AS days_to_return_60, DATE '2024-03-05' AS user_first_active_date,"
              + " DATE '2024-03-15' AS as_of, 7 AS days_final, true AS mature_1, true AS mature_7,"
              + " false AS mature_28, false AS mature_60");
      assertEquals(
          oracle.renderedUserRewards(d.plusDays(10)),
          RewardsOracle.renderQuery(db, "ur", oracle.definition().userRewardColumns()));
    }
  }

  // ---------------------------------------------------------------- the committed sample

  /** How many entries of a trace are true (nulls are days not final yet). */
  private static long trues(List<?> trace) {
    return trace.stream().filter(Boolean.TRUE::equals).count();
  }

  @Test
  void acceptedPlaysUpToTAreTheFullHistoryFilteredByArrival() {
    Path sample = Path.of("testdata", "logs");
    LocalDate t = LocalDate.of(2024, 2, 15);
    List<OraclePlay> all = SpecOracle.acceptedPlays(sample, LocalDate.of(2024, 5, 29)); // the last day
    List<OraclePlay> upToT = SpecOracle.acceptedPlays(sample, t);
    assertThat(upToT.size(), greaterThan(0));
    assertThat(all.stream().filter(p -> !p.arrival().isAfter(t)).toList(), equalTo(upToT));
    // The manifest's totals: every valid, non-private first delivery is accepted.
    assertThat(all.size(), equalTo(40698));
    assertThat(SpecOracle.firstInputDay(sample), equalTo(LocalDate.of(2024, 1, 1)));
    // Every partition of the sample is sealed and reads completely.
    assertThat(SpecOracle.completeArrivalDays(sample).size(), equalTo(150));
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
      // Ages 63, 31, 10, 4; complete input, so all four are final and published.
      List<LocalDate> anchors = oracle.publishedAnchors(t);
      assertThat(
          anchors,
          contains(
              LocalDate.of(2024, 1, 27),
              LocalDate.of(2024, 2, 28),
              LocalDate.of(2024, 3, 20),
              LocalDate.of(2024, 3, 26)));
      assertThat(oracle.withheldAnchors(t), empty());

      for (Map<String, Object> r : users) {
        LocalDate d = (LocalDate) r.get("anchor_date");
        assertThat(anchors.contains(d), equalTo(true));
        long a7 = (Long) r.get("active_days_7");
        long a28 = (Long) r.get("active_days_28");
        long a60 = (Long) r.get("active_days_60");
        assertThat(r.toString(), a7, lessThanOrEqualTo(a28));
        assertThat(r.toString(), a28, lessThanOrEqualTo(a60));
        assertThat(r.get("as_of"), equalTo(t));
        // Complete input: days_final = min(60, T - 3 - D).
        int daysFinal = (Integer) r.get("days_final");
        assertThat(r.toString(), (long) daysFinal, equalTo(Math.min(60, t.toEpochDay() - 3 - d.toEpochDay())));
        assertThat(r.toString(), a60, lessThanOrEqualTo((long) daysFinal));
        // Two SQL paths that must agree: return_d1 and days_to_return_60.
        if (r.get("return_d1") != null) {
          assertThat(r.toString(), r.get("return_d1"), equalTo(Long.valueOf(1).equals(r.get("days_to_return_60"))));
        }
        Object dtr = r.get("days_to_return_60");
        if (dtr != null) {
          assertThat(r.toString(), (Long) dtr, lessThanOrEqualTo((long) daysFinal));
        }
        // user_first_active_date lies in D - 60 .. D, and after F + 60 (its own lookback must be final).
        LocalDate first = (LocalDate) r.get("user_first_active_date");
        if (first != null) {
          assertThat(r.toString(), first.isAfter(d), equalTo(false));
          assertThat(r.toString(), first.isBefore(LocalDate.of(2024, 3, 2)), equalTo(false));
        }
      }
      // Anchors 03-20 and 03-26 can have a first active date (from F + 61 = 03-02 on), and some users have one.
      assertThat(users.stream().anyMatch(r -> r.get("user_first_active_date") != null), equalTo(true));
      for (Map<String, Object> r : discoveries) {
        LocalDate d = (LocalDate) r.get("discovery_date");
        List<?> trace = (List<?>) r.get("trace");
        assertThat(trace.size(), equalTo(59));
        int daysFinal = (Integer) r.get("days_final");
        assertThat(r.toString(), (long) daysFinal, equalTo(Math.min(59, t.toEpochDay() - 3 - d.toEpochDay())));
        for (int k = 1; k <= 59; k++) {
          // null exactly where k > days_final
          assertThat(r.toString(), trace.get(k - 1) == null, equalTo(k > daysFinal));
        }
        Long stickiness = (Long) r.get("stickiness_60");
        assertThat(stickiness == null, equalTo(!(Boolean) r.get("trace_mature")));
        if (stickiness != null) {
          assertThat(stickiness, greaterThan(0L));
          assertThat(stickiness, lessThanOrEqualTo(60L));
          assertThat(stickiness, equalTo(1 + trues(trace)));
        }
        // active_days_N with the entity (a join on days) must equal the true entries among trace[0 .. N-1].
        assertThat(r.toString(), r.get("active_days_7"), equalTo(trues(trace.subList(0, 7))));
        assertThat(r.toString(), r.get("active_days_28"), equalTo(trues(trace.subList(0, 28))));
        // discovery_kind exactly when the lookback is complete (D ≥ F + 61 = 03-02).
        boolean complete = (Boolean) r.get("lookback_complete");
        assertThat(r.toString(), complete, equalTo(!d.isBefore(LocalDate.of(2024, 3, 2))));
        assertThat(r.toString(), r.get("discovery_kind") != null, equalTo(complete));
        // The discovering play starts at most one day before D (it ends on D and lasts at most 7 days, in theory).
        assertThat(r.toString(), r.get("discovery_ts") instanceof Long, equalTo(true));
        assertThat(r.get("discovery_item_id") != null, equalTo(true));
      }
      // context_type may be null in the input, but attribution is there for most discoveries.
      assertThat(
          discoveries.stream().filter(r -> r.get("discovery_context_type") != null).count(),
          greaterThan(discoveries.size() / 2L));
      // 01-27 is the only anchor with a mature trace, and its lookback (11-28) was never observed.
      assertThat(discoveries.stream().anyMatch(r -> r.get("stickiness_60") != null), equalTo(true));
      // The sample's users all listen before 03-02, so its complete discoveries are all new_to_entity.
      assertThat(
          discoveries.stream().anyMatch(r -> "new_to_entity".equals(r.get("discovery_kind"))), equalTo(true));
      // entity_rewards again, summed in Java from the lookback-complete discoveries.
      Map<String, long[]> discoverers = new TreeMap<>();
      Map<String, List<Long>> offsets = new TreeMap<>();
      for (Map<String, Object> r : discoveries) {
        if (!(Boolean) r.get("lookback_complete")) {
          continue;
        }
        String key = r.get("entity_level") + "|" + r.get("entity_id") + "|" + r.get("discovery_date");
        long[] n = discoverers.computeIfAbsent(key, k -> new long[2]);
        boolean toEntity = "new_to_entity".equals(r.get("discovery_kind"));
        n[toEntity ? 0 : 1]++;
        List<?> trace = (List<?>) r.get("trace");
        List<Long> sums = offsets.computeIfAbsent(key, k -> new ArrayList<>(Arrays.asList(new Long[59])));
        for (int i = 0; i < 59; i++) {
          if (trace.get(i) != null) {
            long add = toEntity && Boolean.TRUE.equals(trace.get(i)) ? 1 : 0;
            sums.set(i, (sums.get(i) == null ? 0 : sums.get(i)) + add);
          }
        }
      }
      assertThat(entities.size(), equalTo(discoverers.size()));
      for (Map<String, Object> r : entities) {
        String key = r.get("entity_level") + "|" + r.get("entity_id") + "|" + r.get("discovery_date");
        assertThat(key, r.get("discoverers"), equalTo(discoverers.get(key)[0]));
        assertThat(key, r.get("new_user_discoverers"), equalTo(discoverers.get(key)[1]));
        assertThat(key, r.get("active_by_offset"), equalTo(offsets.get(key)));
      }
      // Reading 150 partitions and three queries take a few seconds at most.
      assertThat(seconds, lessThan(15L));
    }
  }
}
