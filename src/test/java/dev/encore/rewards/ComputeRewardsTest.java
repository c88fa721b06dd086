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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/**
 * {@link ComputeRewards} on a hand-built activity history, every value worked out from docs/rewards.md with the
 * defaults of pipelines/nightly.yaml: horizons 7, 28, 60; volume 28; levels artist and show; lookback 60;
 * stickiness 60 (a trace of 59 days); L = 3.
 *
 * <p>Days are written as offsets from 2024-01-01 (day 0). The run is T = day 130 (2024-05-10); the publication
 * ages 63, 28, 7, 1 make the anchors 67, 102, 123 and 129. The logs start on F = day 7, exactly the first lookback
 * day of a discovery on 67 (67 - 60), so every lookback is complete; the second test moves F one day later.
 * Activity (user rows with streams / ms; entity rows):
 *
 * <pre>
 * uA  user   67 (2/70 000), 68 (1/40 000), 74 (3/100 000), 75 (1/30 000), 95 (2/65 000), 96 (1/50 000),
 *            127 (1/31 000), 129 (1/45 000), 130 (2/90 000), 131 (after T, ignored)
 *     artist X: 67 (editorial_playlist, clickrow), 68, 75, 127, 131;  artist Y: 129 (radio, trackdone), 131
 * uB  user   67 (1/60 000), 70 (2/70 000), 102 (1/35 000), 123 (4/200 000)
 *     artist X: 67 (search, playbtn), 70;  show S: 102 (no context), 123
 * </pre>
 */
class ComputeRewardsTest {
  /** The defaults of pipelines/nightly.yaml. */
  private static final RewardSpec SPEC = RewardMathTest.SPEC;
  private static final LocalDate DAY0 = LocalDate.parse("2024-01-01");
  private static final int T = 130;
  private static final List<Long> ANCHORS = List.of(day(67), day(102), day(123), day(129));
  private static final Schema USER = RewardSchemas.userRewards(SPEC);
  private static final Schema DISCOVERY = RewardSchemas.userEntityRewards(SPEC);
  private static final Schema ENTITY = RewardSchemas.entityRewards(SPEC);

  private static List<Activity> history() {
    return List.of(
        user("uA", 67, 2, 70_000), user("uA", 68, 1, 40_000), user("uA", 74, 3, 100_000),
        user("uA", 75, 1, 30_000), user("uA", 95, 2, 65_000), user("uA", 96, 1, 50_000),
        user("uA", 127, 1, 31_000), user("uA", 129, 1, 45_000), user("uA", 130, 2, 90_000),
        user("uA", 131, 5, 999_000),
        entity("uA", "artist", "X", 67, "editorial_playlist", "clickrow"), entity("uA", "artist", "X", 68),
        entity("uA", "artist", "X", 75), entity("uA", "artist", "X", 127), entity("uA", "artist", "X", 131),
        entity("uA", "artist", "Y", 129, "radio", "trackdone"), entity("uA", "artist", "Y", 131),
        user("uB", 67, 1, 60_000), user("uB", 70, 2, 70_000), user("uB", 102, 1, 35_000),
        user("uB", 123, 4, 200_000),
        entity("uB", "artist", "X", 67, "search", "playbtn"), entity("uB", "artist", "X", 70),
        entity("uB", "show", "S", 102, null, null), entity("uB", "show", "S", 123));
  }

  @Test
  void labelsUsersDiscoveriesAndEntitiesOfThePublishedAnchors() {
    TestPipeline p = TestPipelines.create();
    PCollectionTuple out = p
        .apply("Activity", Create.of(history()).withCoder(RecordCoder.of(Activity.class)))
        .apply("ComputeRewards", new ComputeRewards(SPEC, day(T), day(7), ANCHORS));

    PAssert.that(out.get(ComputeRewards.USER_REWARDS)).containsInAnyOrder(
        // uA on 67: (67,74] = {68, 74}; (67,95] = {68, 74, 75, 95}; (67,127] adds 96, 127: 6. Back on 68.
        // streams_28 / ms over 68, 74, 75, 95: 1+3+1+2 = 7, 40 000+100 000+30 000+65 000 = 235 000.
        // Observed min(60, 130-67) = 60; mature_N: 67+N+3 <= 130 for N = 1, 7, 28, 60 (67+60+3 = 130).
        userReward("uA", 67, 2, 4, 6, true, 1, 7, 235_000, 60, true, true, true, true),
        // uA on 129: only day 130 is observed after it (131 is after T): 1 day, 2 streams, 90 000 ms.
        // mature_1 needs 129+1+3 = 133 <= 130: nothing is mature.
        userReward("uA", 129, 1, 1, 1, true, 1, 2, 90_000, 1, false, false, false, false),
        // uB on 67: (67,74] = {70}; (67,95] = {70}; (67,127] = {70, 102, 123}. Next active day 70: 3 days.
        userReward("uB", 67, 1, 1, 3, false, 3, 2, 70_000, 60, true, true, true, true),
        // uB on 102: (102,109] empty; (102,130] = {123}: 21 days to return, 4 streams, 200 000 ms.
        // Observed min(60, 28) = 28; mature_1 (106) and mature_7 (112), not 28 (133) nor 60 (165).
        userReward("uB", 102, 0, 1, 1, false, 21, 4, 200_000, 28, true, true, false, false),
        // uB on 123: nothing after it up to 130: no return yet (null). Observed 7; mature_1 only (127).
        userReward("uB", 123, 0, 0, 0, false, null, 0, 0, 7, true, false, false, false));

    PAssert.that(out.get(ComputeRewards.USER_ENTITY_REWARDS)).containsInAnyOrder(expectedDiscoveries(true));

    PAssert.that(out.get(ComputeRewards.ENTITY_REWARDS)).containsInAnyOrder(
        // X on 67: uA (stickiness 3) and uB (2); mean 2.5. Active on 68 (k=1, uA), 70 (k=3, uB), 75 (k=8, uA).
        entityReward("artist", "X", 67, 2, 2.5, counts(59, Map.of(1, 1L, 3, 1L, 8, 1L)), 59, true),
        // S on 102: uB only; 103..130 observed (k = 1..28), active on 123 (k = 21); not mature: no mean.
        entityReward("show", "S", 102, 1, null, counts(28, Map.of(21, 1L)), 28, false),
        // Y on 129: uA only, not active on 130 (k = 1).
        entityReward("artist", "Y", 129, 1, null, counts(1, Map.of()), 1, false));

    p.run().waitUntilFinish();
  }

  @Test
  void discoveriesWhoseLookbackWasNotObservedAreFlaggedAndLeftOutOfEntityRewards() {
    // The same history, with logs starting on day 8 (every activity day is after it). The discoveries of 67 look
    // back to day 7, one day before F: lookback_complete is false and entity_rewards leaves them out. Those of 102
    // (back to 42) and 129 (back to 69) are complete.
    TestPipeline p = TestPipelines.create();
    PCollectionTuple out = p
        .apply("Activity", Create.of(history()).withCoder(RecordCoder.of(Activity.class)))
        .apply("ComputeRewards", new ComputeRewards(SPEC, day(T), day(8), ANCHORS));

    PAssert.that(out.get(ComputeRewards.USER_ENTITY_REWARDS)).containsInAnyOrder(expectedDiscoveries(false));
    PAssert.that(out.get(ComputeRewards.ENTITY_REWARDS)).containsInAnyOrder(
        entityReward("show", "S", 102, 1, null, counts(28, Map.of(21, 1L)), 28, false),
        entityReward("artist", "Y", 129, 1, null, counts(1, Map.of()), 1, false));

    p.run().waitUntilFinish();
  }

  /**
   * The four discoveries (uB's S on 123 is none: S was active on 102, within its 60-day lookback).
   *
   * @param lookback67 whether the lookback of the discoveries on day 67 (days 7..66) was observed
   */
  private static List<KV<String, GenericRecord>> expectedDiscoveries(boolean lookback67) {
    return List.of(
        // uA, X on 67: trace over 68..126 (k = 1..59, all observed) true on 68 (k=1) and 75 (k=8); 127 is k=60,
        // outside. Mature (67+59+3 = 129 <= 130): stickiness 1 + 2 = 3. (67,74] = {68}; (67,95] = {68, 75}.
        discovery("uA", "artist", "X", 67, trace(59, 1, 8), 3, 1, 2, "editorial_playlist", "clickrow",
            lookback67, 59, true, true, true),
        // uB, X on 67: active on 70 (k=3) only: stickiness 2.
        discovery("uB", "artist", "X", 67, trace(59, 3), 2, 1, 1, "search", "playbtn",
            lookback67, 59, true, true, true),
        // uB, S on 102: 28 days observed, active on 123 (k=21); mature_7 (112 <= 130), not 28 (133), nor 60.
        discovery("uB", "show", "S", 102, trace(28, 21), null, 0, 1, null, null, true, 28, true, false, false),
        // uA, Y on 129: day 130 observed, not active.
        discovery("uA", "artist", "Y", 129, trace(1), null, 0, 0, "radio", "trackdone",
            true, 1, false, false, false));
  }

  /** Epoch day of day {@code n} after 2024-01-01. */
  private static long day(int n) {
    return DAY0.plusDays(n).toEpochDay();
  }

  private static Activity user(String user, int day, int streams, long ms) {
    return Activity.newBuilder()
        .setUserId(user).setEntityLevel("user").setEntityId(null).setActivityDate(DAY0.plusDays(day))
        .setStreams(streams).setStreamMs(ms).build();
  }

  private static Activity entity(String user, String level, String id, int day) {
    return entity(user, level, id, day, "home", "clickrow");
  }

  private static Activity entity(String user, String level, String id, int day, String context, String reason) {
    return Activity.newBuilder()
        .setUserId(user).setEntityLevel(level).setEntityId(id).setActivityDate(DAY0.plusDays(day))
        .setStreams(1).setStreamMs(40_000).setFirstContextType(context).setFirstReasonStart(reason).build();
  }

  private static KV<String, GenericRecord> userReward(
      String user, int anchor, int active7, int active28, int active60, boolean returnD1, Integer daysToReturn,
      long streams28, long ms28, int observed, boolean mature1, boolean mature7, boolean mature28,
      boolean mature60) {
    GenericRecord r = new GenericData.Record(USER);
    r.put("user_id", user);
    r.put("anchor_date", (int) day(anchor));
    r.put("active_days_7", active7);
    r.put("active_days_28", active28);
    r.put("active_days_60", active60);
    r.put("return_d1", returnD1);
    r.put("days_to_return", daysToReturn);
    r.put("streams_28", streams28);
    r.put("ms_played_28", ms28);
    r.put("as_of", (int) day(T));
    r.put("days_observed", observed);
    r.put("mature_1", mature1);
    r.put("mature_7", mature7);
    r.put("mature_28", mature28);
    r.put("mature_60", mature60);
    return KV.of(DAY0.plusDays(anchor).toString(), r);
  }

  private static KV<String, GenericRecord> discovery(
      String user, String level, String entity, int d, List<Boolean> trace, Integer stickiness, int active7,
      int active28, String context, String reasonStart, boolean lookbackComplete, int observed, boolean mature7,
      boolean mature28, boolean mature60) {
    GenericRecord r = new GenericData.Record(DISCOVERY);
    r.put("user_id", user);
    r.put("entity_level", level);
    r.put("entity_id", entity);
    r.put("discovery_date", (int) day(d));
    r.put("trace", trace);
    r.put("stickiness_60", stickiness);
    r.put("active_days_7", active7);
    r.put("active_days_28", active28);
    r.put("discovery_context_type", context);
    r.put("discovery_reason_start", reasonStart);
    r.put("lookback_complete", lookbackComplete);
    r.put("as_of", (int) day(T));
    r.put("days_observed", observed);
    r.put("mature_7", mature7);
    r.put("mature_28", mature28);
    r.put("mature_60", mature60);
    return KV.of(DAY0.plusDays(d).toString(), r);
  }

  private static KV<String, GenericRecord> entityReward(
      String level, String entity, int d, long discoverers, Double meanStickiness, List<Long> byOffset,
      int observed, boolean mature60) {
    GenericRecord r = new GenericData.Record(ENTITY);
    r.put("entity_level", level);
    r.put("entity_id", entity);
    r.put("discovery_date", (int) day(d));
    r.put("discoverers", discoverers);
    r.put("mean_stickiness_60", meanStickiness);
    r.put("active_by_offset", byOffset);
    r.put("as_of", (int) day(T));
    r.put("days_observed", observed);
    r.put("mature_60", mature60);
    return KV.of(DAY0.plusDays(d).toString(), r);
  }

  /** A 59-day trace: days k = 1..observed are known (true at {@code activeOffsets}), the rest null. */
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
