package dev.encore.sessions;

import com.google.common.hash.Hashing;
import dev.encore.avro.Activity;
import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import dev.encore.publish.RunStats;
import dev.encore.records.RecordCoder;
import dev.encore.rewards.DailyActivity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Stage 2: groups the plays by user (one shuffle for everything per user), leaves out the user's hot days (more
 * plays than a person can make: a bot or a stuck client), drops duplicate deliveries, cuts sessions and keeps
 * those that start on the session days this run publishes, and summarizes the days whose activity the run
 * rebuilds. Emits sessions and activity rows keyed by their day, the duplicate counts per arrival partition and
 * the hot user-days with their play counts.
 */
public class Sessionize extends PTransform<PCollection<Play>, PCollectionTuple> {
  /** Sessions keyed by the UTC day of their start (yyyy-MM-dd). */
  public static final TupleTag<KV<String, Session>> SESSIONS = new TupleTag<>() {};
  /** Daily activity rows keyed by their day. */
  public static final TupleTag<KV<String, Activity>> ACTIVITY = new TupleTag<>() {};
  /** Duplicate deliveries dropped, per arrival partition of the dropped copy, and the hot user-days left out. */
  public static final TupleTag<KV<String, Long>> STATS = new TupleTag<>() {};

  private final SessionRules rules;
  private final LocalDate firstDay;
  private final LocalDate lastDay;
  private final TreeSet<Long> activityDays;
  private final List<String> levels;
  private final long maxPlaysPerUserDay;
  private final int userGroups;

  /**
   * Sessionizes and keeps the sessions starting on {@code firstDay..lastDay} (inclusive), and summarizes the
   * activity of {@code activityDays} at the entity {@code levels}; user-days with more than
   * {@code maxPlaysPerUserDay} plays are left out of everything.
   *
   * @param userGroups 0 to shuffle by user (each user's plays stream through on their own); N > 0 to shuffle by
   *     one of N groups of users and split a group by user in memory. The DirectRunner needs the latter: it copies
   *     a key's values once for every bundle that adds to them, and every stage after a shuffle gets one bundle
   *     per key, so per-user keys make each later shuffle copy its groups about once per user.
   */
  public Sessionize(
      SessionRules rules,
      LocalDate firstDay,
      LocalDate lastDay,
      Set<LocalDate> activityDays,
      List<String> levels,
      long maxPlaysPerUserDay,
      int userGroups) {
    this.rules = rules;
    this.userGroups = userGroups;
    this.maxPlaysPerUserDay = maxPlaysPerUserDay;
    this.firstDay = firstDay;
    this.lastDay = lastDay;
    this.activityDays = new TreeSet<>();
    activityDays.forEach(d -> this.activityDays.add(d.toEpochDay()));
    this.levels = List.copyOf(levels);
  }

  @Override
  public PCollectionTuple expand(PCollection<Play> plays) {
    int groups = userGroups;
    PCollection<KV<String, Iterable<Play>>> grouped =
        plays
            .apply("KeyByUser", WithKeys
                .of((Play p) -> groups == 0 ? p.getUserId() : userGroup(p.getUserId(), groups))
                .withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(Play.class)))
            .apply("GroupByUser", GroupByKey.create());
    PCollectionTuple out =
        grouped
            .apply(
                "DeduplicateAndCutSessions",
                ParDo.of(new CutSessionsFn(
                        rules, firstDay.toEpochDay(), lastDay.toEpochDay(), activityDays, levels,
                        maxPlaysPerUserDay, groups > 0))
                    .withOutputTags(SESSIONS, TupleTagList.of(STATS).and(ACTIVITY)));
    out.get(SESSIONS).setCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(Session.class)));
    out.get(ACTIVITY).setCoder(KvCoder.of(StringUtf8Coder.of(), RecordCoder.of(Activity.class)));
    out.get(STATS).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** The group of a user among {@code groups}: a stable hash of the user id (not String.hashCode's). */
  static String userGroup(String userId, int groups) {
    return Integer.toString(Math.floorMod(Hashing.murmur3_32_fixed().hashUnencodedChars(userId).asInt(), groups));
  }

  /**
   * Per user: leave out hot days, deduplicate, cut, keep the sessions of the published days, summarize the rebuilt
   * days.
   */
  static class CutSessionsFn extends DoFn<KV<String, Iterable<Play>>, KV<String, Session>> {
    private static final long DAY_MS = 86_400_000L;
    private final Counter sessionsCut = Metrics.counter("sessions", "sessions_cut");
    private final SessionRules rules;
    private final long firstDay;
    private final long lastDay;
    private final TreeSet<Long> activityDays;
    private final List<String> levels;
    private final long maxPlaysPerUserDay;
    private final boolean keyedByGroup;

    /** @param keyedByGroup the key is a group of users ({@link #userGroup}), not a user */
    CutSessionsFn(
        SessionRules rules,
        long firstDay,
        long lastDay,
        TreeSet<Long> activityDays,
        List<String> levels,
        long maxPlaysPerUserDay,
        boolean keyedByGroup) {
      this.rules = rules;
      this.maxPlaysPerUserDay = maxPlaysPerUserDay;
      this.keyedByGroup = keyedByGroup;
      this.firstDay = firstDay;
      this.lastDay = lastDay;
      this.activityDays = activityDays;
      this.levels = levels;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Play>> group, MultiOutputReceiver out) {
      if (!keyedByGroup) {
        cut(group.getKey(), group.getValue(), out);
        return;
      }
      Map<String, List<Play>> users = new TreeMap<>();
      for (Play p : group.getValue()) {
        users.computeIfAbsent(p.getUserId(), u -> new ArrayList<>()).add(p);
      }
      users.forEach((user, plays) -> cut(user, plays, out));
    }

    private void cut(String user, Iterable<Play> userPlays, MultiOutputReceiver out) {
      HotDays days = new HotDays(maxPlaysPerUserDay);
      userPlays.forEach(days::add);
      days.hot().forEach((day, n) -> out.get(STATS).output(
          KV.of(RunStats.hotUserDayKey(user, LocalDate.ofEpochDay(day).toString()), n)));
      Deduplication.Result dedup = Deduplication.keepFirstDelivery(days.kept());
      if (!dedup.dropped().isEmpty()) {
        Map<String, Long> perArrival = new TreeMap<>();
        for (Play p : dedup.dropped()) {
          perArrival.merge(LocalDate.ofEpochDay(p.getArrivalDay()).toString(), 1L, Long::sum);
        }
        perArrival.forEach(
            (dt, n) -> out.get(STATS).output(KV.of(RunStats.inputKey(dt, RunStats.DUPLICATES), n)));
      }
      List<Play> plays = dedup.kept();
      plays.sort(SessionCutter.PLAY_ORDER);
      List<Session> sessions = SessionCutter.cut(plays, rules);
      sessionsCut.inc(sessions.size());
      for (Session s : sessions) {
        long day = Math.floorDiv(s.getSessionStart().toEpochMilli(), DAY_MS);
        if (day >= firstDay && day <= lastDay) {
          out.get(SESSIONS).output(KV.of(LocalDate.ofEpochDay(day).toString(), s));
        }
      }
      if (!activityDays.isEmpty()) {
        for (Activity a : DailyActivity.of(plays, activityDays.first(), activityDays.last(), levels)) {
          if (activityDays.contains(a.getActivityDate().toEpochDay())) {
            out.get(ACTIVITY).output(KV.of(a.getActivityDate().toString(), a));
          }
        }
      }
    }
  }
}
