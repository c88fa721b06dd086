package dev.encore.rewards;

import dev.encore.avro.Activity;
import dev.encore.records.RecordCoder;
import dev.encore.testing.TestPipelines;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.junit.jupiter.api.Test;

/**
 * {@link ComputeRewards} on a hand-built activity history, every value worked out from docs/rewards.md with the
 * defaults of pipelines/nightly.yaml: horizons 7, 28, 60; volume 28; levels artist and show; lookback 60;
 * stickiness 60 (a trace of 59 days); L = 3; checkpoints auto (ages 4, 10, 31, 63).
 *
 * <p>Days are written as offsets from 2024-01-01 (day 0). The run is T = day 130; the publication ages make the
 * anchors 67, 99, 120 and 126. Input is complete from F = day 0 on, so the final days are 1 .. 127 (day 0 has no
 * arrival day before it; d + 3 ≤ 130). Activity (user rows with streams / ms; entity rows):
 *
 * <pre>
 * uA  user   30 (1/30 000), 67 (2/70 000), 68 (1/40 000), 74 (3/100 000), 75 (1/30 000), 95 (2/65 000),
 *            96 (1/50 000), 126 (1/33 000), 127 (1/31 000), 128 (1/45 000), 130 (2/90 000), 131 (after T)
 *     artist X: 67 (editorial_playlist, clickrow), 68, 75, 127, 131;  artist Y: 126 (radio, trackdone), 127
 * uB  user   67 (1/60 000), 70 (2/70 000), 99 (1/35 000), 120 (4/200 000)
 *     artist X: 67 (search, playbtn), 70;  show S: 99 (no context), 120
 * </pre>
 */
class ComputeRewardsTest {
  /** The defaults of pipelines/nightly.yaml. */
  private static final RewardSpec SPEC = RewardMathTest.SPEC;
  private static final LocalDate DAY0 = LocalDate.parse("2024-01-01");
  private static final int T = 130;
  private static final List<Long> ANCHORS = List.of(day(67), day(99), day(120), day(126));
  private static final Finality COMPLETE = Finality.completeFrom(day(0), day(T), 3);
  private static final Schema USER = RewardSchemas.userRewards(SPEC);
  private static final Schema DISCOVERY = RewardSchemas.userEntityRewards(SPEC);
  private static final Schema ENTITY = RewardSchemas.entityRewards(SPEC);

  private static List<Activity> history() {
    return List.of(
        user("uA", 30, 1, 30_000), user("uA", 67, 2, 70_000), user("uA", 68, 1, 40_000),
        user("uA", 74, 3, 100_000), user("uA", 75, 1, 30_000), user("uA", 95, 2, 65_000),
        user("uA", 96, 1, 50_000), user("uA", 126, 1, 33_000), user("uA", 127, 1, 31_000),
        user("uA", 128, 1, 45_000), user("uA", 130, 2, 90_000), user("uA", 131, 5, 999_000),
        entity("uA", "artist", "X", 67, "editorial_playlist", "clickrow"), entity("uA", "artist", "X", 68),
        entity("uA", "artist", "X", 75), entity("uA", "artist", "X", 127), entity("uA", "artist", "X", 131),
        entity("uA", "artist", "Y", 126, "radio", "trackdone"), entity("uA", "artist", "Y", 127),
        user("uB", 67, 1, 60_000), user("uB", 70, 2, 70_000), user("uB", 99, 1, 35_000),
        user("uB", 120, 4, 200_000),
        entity("uB", "artist", "X", 67, "search", "playbtn"), entity("uB", "artist", "X", 70),
        entity("uB", "show", "S", 99, null, null), entity("uB", "show", "S", 120));
  }

  @Test
  void labelsUsersDiscoveriesAndEntitiesOfThePublishedAnchors() {
    TestPipeline p = TestPipelines.create();
    PCollectionTuple out = p
        .apply("Activity", Create.of(history()).withCoder(RecordCoder.of(Activity.class)))
        .apply("ComputeRewards", new ComputeRewards(SPEC, COMPLETE, ANCHORS));

    PAssert.that(out.get(ComputeRewards.USER_REWARDS)).containsInAnyOrder(
        // uA on 67: days_final min(60, 127-67) = 60. (67,74] = {68, 74}; (67,95] = {68, 74, 75, 95}; (67,127]
        // adds 96, 126, 127: 7. Back on 68. streams_28 / ms over 68, 74, 75, 95: 7, 235 000. Active on 30: the
        // days 7..66 before 67 are not empty, and 30's own 60 days before reach days that are not final: null.
        userReward("uA", 67, 2, 4, 7, true, 1, 7, 235_000, null, 60, true, true, true, true),
        // uA on 126: days_final 1 (127 final, 128 not). 127 active: 1 day, 1 stream, 31 000 ms.
        userReward("uA", 126, 1, 1, 1, true, 1, 1, 31_000, null, 1, true, false, false, false),
        // uB on 67: (67,74] = {70}; (67,95] = {70}; (67,127] = {70, 99, 120}. First back on 70: 3 days.
        // No activity on 7..66, all final: listening began on 67.
        userReward("uB", 67, 1, 1, 3, false, 3, 2, 70_000, 67, 60, true, true, true, true),
        // uB on 99: days_final 28 (100..127). (99,106] empty; (99,127] = {120}: 21 days, 4 streams, 200 000 ms.
        userReward("uB", 99, 0, 1, 1, false, 21, 4, 200_000, 67, 28, true, true, true, false),
        // uB on 120: days_final 7 (121..127), none active: no return known yet (null).
        userReward("uB", 120, 0, 0, 0, false, null, 0, 0, 67, 7, true, true, false, false));

    PAssert.that(out.get(ComputeRewards.USER_ENTITY_REWARDS)).containsInAnyOrder(
        // uA, X on 67: trace over 68..126 (k = 1..59, all final) true on 68 (k=1) and 75 (k=8); 127 is k=60,
        // outside. Trace mature: stickiness 1 + 2 = 3. (67,74] = {68}; (67,95] = {68, 75}. uA was active on 30,
        // within the complete lookback 7..66: new to the entity.
        discovery("uA", "artist", "X", 67, trace(59, 1, 8), 3, 1, 2, "new_to_entity", "editorial_playlist",
            "clickrow", true, 59, true, true, true),
        // uB, X on 67: active on 70 (k=3) only: stickiness 2. No activity in 7..66: the user's first day.
        discovery("uB", "artist", "X", 67, trace(59, 3), 2, 1, 1, "new_user", "search", "playbtn",
            true, 59, true, true, true),
        // uB, S on 99: 28 days final, active on 120 (k=21); mature_7 and mature_28, not the trace.
        discovery("uB", "show", "S", 99, trace(28, 21), null, 0, 1, "new_to_entity", null, null,
            true, 28, true, true, false),
        // uA, Y on 126: day 127 final and active.
        discovery("uA", "artist", "Y", 126, trace(1, 1), null, 1, 1, "new_to_entity", "radio", "trackdone",
            true, 1, false, false, false));

    PAssert.that(out.get(ComputeRewards.ENTITY_REWARDS)).containsInAnyOrder(
        // X on 67: uA (new to it, stickiness 3) aggregated; uB (a new user) only counted. Active: k=1, k=8.
        entityReward("artist", "X", 67, 1, 1, 3.0, counts(59, Map.of(1, 1L, 8, 1L)), 59, true),
        // S on 99: uB; 28 days final, active on 120 (k = 21); the trace is not final: no mean.
        entityReward("show", "S", 99, 1, 0, null, counts(28, Map.of(21, 1L)), 28, false),
        // Y on 126: uA, active on 127 (k = 1).
        entityReward("artist", "Y", 126, 1, 0, null, counts(1, Map.of(1, 1L)), 1, false));

    p.run().waitUntilFinish();
  }

  @Test
  void anArrivalDayFoundIncompleteWhileReadingStopsEveryWindowAndLookbackOverItsDays() {
    // Arrival day 100 had a corrupt file (the side input): days 97..101 (whose plays it can hold) are not final.
    // Anchor 99 is not final: no rows. Windows from 67 stop at 96 (days_final 29); the lookback of 126 (66..125)
    // covers them: not complete, no kind, no entity row for Y.
    TestPipeline p = TestPipelines.create();
    PCollectionView<List<Long>> incomplete =
        p.apply("IncompleteDays", Create.of(day(100))).apply("AsList", View.asList());
    PCollectionTuple out = p
        .apply("Activity", Create.of(history()).withCoder(RecordCoder.of(Activity.class)))
        .apply("ComputeRewards", new ComputeRewards(SPEC, COMPLETE, ANCHORS).withIncompleteArrivals(incomplete));

    PAssert.that(out.get(ComputeRewards.USER_REWARDS)).containsInAnyOrder(
        // uA on 67: (67,96] final: active 68, 74, 75, 95, 96 → active_days_60 = 5; not mature_60.
        userReward("uA", 67, 2, 4, 5, true, 1, 7, 235_000, null, 29, true, true, true, false),
        userReward("uA", 126, 1, 1, 1, true, 1, 1, 31_000, null, 1, true, false, false, false),
        // uB on 67: (67,96] holds 70 only.
        userReward("uB", 67, 1, 1, 1, false, 3, 2, 70_000, 67, 29, true, true, true, false),
        userReward("uB", 120, 0, 0, 0, false, null, 0, 0, 67, 7, true, true, false, false));

    PAssert.that(out.get(ComputeRewards.USER_ENTITY_REWARDS)).containsInAnyOrder(
        discovery("uA", "artist", "X", 67, trace(29, 1, 8), null, 1, 2, "new_to_entity", "editorial_playlist",
            "clickrow", true, 29, true, true, false),
        discovery("uB", "artist", "X", 67, trace(29, 3), null, 1, 1, "new_user", "search", "playbtn",
            true, 29, true, true, false),
        discovery("uA", "artist", "Y", 126, trace(1, 1), null, 1, 1, null, "radio", "trackdone",
            false, 1, false, false, false));
    PAssert.that(out.get(ComputeRewards.ENTITY_REWARDS)).containsInAnyOrder(
        entityReward("artist", "X", 67, 1, 1, null, counts(29, Map.of(1, 1L, 8, 1L)), 29, false));

    p.run().waitUntilFinish();
  }

  /** Epoch day of day {@code n} after 2024-01-01. */
  private static long day(int n) {
    return DAY0.plusDays(n).toEpochDay();
  }

  private static Activity user(String user, int day, int streams, long ms) {
    return Activity.newBuilder()
        .setUserId(user).setEntityLevel("user").setEntityId(null).setActivityDate(DAY0.plusDays(day))
        .setStreams(streams).setStreamMs(ms).setFirstStartMs(startMs(day)).setFirstItemId("i-" + user)
        .setFirstPlatform("ios").build();
  }

  private static Activity entity(String user, String level, String id, int day) {
    return entity(user, level, id, day, "home", "clickrow");
  }

  private static Activity entity(String user, String level, String id, int day, String context, String reason) {
    return Activity.newBuilder()
        .setUserId(user).setEntityLevel(level).setEntityId(id).setActivityDate(DAY0.plusDays(day))
        .setStreams(1).setStreamMs(40_000).setFirstStartMs(startMs(day) + user.hashCode() % 1000)
        .setFirstItemId(id + "-item-" + user).setFirstPlatform("android").setFirstContextType(context)
        .setFirstReasonStart(reason).build();
  }

  /** 09:00 UTC on day {@code n}. */
  private static long startMs(int n) {
    return DAY0.plusDays(n).toEpochDay() * 86_400_000L + 9 * 3_600_000L;
  }

  private static KV<String, GenericRecord> userReward(
      String user, int anchor, int active7, int active28, int active60, Boolean returnD1, Integer daysToReturn,
      long streams28, long ms28, Integer firstActive, int daysFinal, boolean mature1, boolean mature7,
      boolean mature28, boolean mature60) {
    GenericRecord r = new GenericData.Record(USER);
    r.put("user_id", user);
    r.put("anchor_date", (int) day(anchor));
    r.put("active_days_7", active7);
    r.put("active_days_28", active28);
    r.put("active_days_60", active60);
    r.put("streams_28", streams28);
    r.put("ms_played_28", ms28);
    r.put("return_d1", returnD1);
    r.put("days_to_return_60", daysToReturn);
    r.put("user_first_active_date", firstActive == null ? null : (int) day(firstActive));
    r.put("as_of", (int) day(T));
    r.put("days_final", daysFinal);
    r.put("mature_1", mature1);
    r.put("mature_7", mature7);
    r.put("mature_28", mature28);
    r.put("mature_60", mature60);
    return KV.of(DAY0.plusDays(anchor).toString(), r);
  }

  private static KV<String, GenericRecord> discovery(
      String user, String level, String entity, int d, List<Boolean> trace, Integer stickiness, int active7,
      int active28, String kind, String context, String reasonStart, boolean lookbackComplete, int daysFinal,
      boolean mature7, boolean mature28, boolean traceMature) {
    GenericRecord r = new GenericData.Record(DISCOVERY);
    r.put("user_id", user);
    r.put("entity_level", level);
    r.put("entity_id", entity);
    r.put("discovery_date", (int) day(d));
    r.put("trace", trace);
    r.put("stickiness_60", stickiness);
    r.put("active_days_7", active7);
    r.put("active_days_28", active28);
    r.put("discovery_kind", kind);
    r.put("discovery_ts", startMs(d) + user.hashCode() % 1000);
    r.put("discovery_item_id", entity + "-item-" + user);
    r.put("discovery_platform", "android");
    r.put("discovery_context_type", context);
    r.put("discovery_reason_start", reasonStart);
    r.put("lookback_complete", lookbackComplete);
    r.put("as_of", (int) day(T));
    r.put("days_final", daysFinal);
    r.put("mature_7", mature7);
    r.put("mature_28", mature28);
    r.put("trace_mature", traceMature);
    return KV.of(DAY0.plusDays(d).toString(), r);
  }

  private static KV<String, GenericRecord> entityReward(
      String level, String entity, int d, long discoverers, long newUsers, Double meanStickiness,
      List<Long> byOffset, int daysFinal, boolean traceMature) {
    GenericRecord r = new GenericData.Record(ENTITY);
    r.put("entity_level", level);
    r.put("entity_id", entity);
    r.put("discovery_date", (int) day(d));
    r.put("discoverers", discoverers);
    r.put("new_user_discoverers", newUsers);
    r.put("mean_stickiness_60", meanStickiness);
    r.put("active_by_offset", byOffset);
    r.put("as_of", (int) day(T));
    r.put("days_final", daysFinal);
    r.put("trace_mature", traceMature);
    return KV.of(DAY0.plusDays(d).toString(), r);
  }

  /** A 59-day trace: days k = 1..daysFinal are known (true at {@code activeOffsets}), the rest null. */
  private static List<Boolean> trace(int observed, Integer... activeOffsets) {
    List<Boolean> trace = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      trace.add(k <= observed ? Arrays.asList(activeOffsets).contains(k) : null);
    }
    return trace;
  }

  /** 59 counts by offset: days k = 1..observed are known (0 unless in {@code active}), the rest null. */
  private static List<Long> counts(int observed, Map<Integer, Long> active) {
    List<Long> counts = new ArrayList<>();
    for (int k = 1; k <= 59; k++) {
      counts.add(k <= observed ? active.getOrDefault(k, 0L) : null);
    }
    return counts;
  }
}
