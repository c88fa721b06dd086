package dev.encore.sessions;

import com.google.common.hash.Hashing;
import dev.encore.avro.Activity;
import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import dev.encore.publish.RunStats;
import dev.encore.records.RecordCoder;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * rebuilds ({@link UserSessions}, per user). Emits sessions and activity rows keyed by their day, the duplicate
 * counts per arrival partition and the hot user-days with their play counts.
 */
public class Sessionize extends PTransform<PCollection<Play>, PCollectionTuple> {
  /** Sessions keyed by the UTC day of their start (yyyy-MM-dd). */
  public static final TupleTag<KV<String, Session>> SESSIONS = new TupleTag<>() {};
  /** Daily activity rows keyed by their day. */
  public static final TupleTag<KV<String, Activity>> ACTIVITY = new TupleTag<>() {};
  /** Duplicate deliveries dropped, per arrival partition of the dropped copy, and the hot user-days left out. */
  public static final TupleTag<KV<String, Long>> STATS = new TupleTag<>() {};

  private final UserSessions perUser;
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
    this.perUser = new UserSessions(rules, firstDay, lastDay, activityDays, levels, maxPlaysPerUserDay);
    this.userGroups = userGroups;
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
                ParDo.of(new CutSessionsFn(perUser, groups > 0))
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

  /** Per user: {@link UserSessions}, its results emitted keyed by their day. */
  static class CutSessionsFn extends DoFn<KV<String, Iterable<Play>>, KV<String, Session>> {
    private final Counter sessionsCut = Metrics.counter("sessions", "sessions_cut");
    private final UserSessions perUser;
    private final boolean keyedByGroup;

    /** @param keyedByGroup the key is a group of users ({@link #userGroup}), not a user */
    CutSessionsFn(UserSessions perUser, boolean keyedByGroup) {
      this.perUser = perUser;
      this.keyedByGroup = keyedByGroup;
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
      UserSessions.Result r = perUser.of(userPlays);
      r.hotDays().forEach((day, n) -> out.get(STATS).output(
          KV.of(RunStats.hotUserDayKey(user, LocalDate.ofEpochDay(day).toString()), n)));
      r.duplicates().forEach((day, n) -> out.get(STATS).output(
          KV.of(RunStats.inputKey(LocalDate.ofEpochDay(day).toString(), RunStats.DUPLICATES), n)));
      sessionsCut.inc(r.sessionsCut());
      for (Session s : r.sessions()) {
        out.get(SESSIONS).output(KV.of(LocalDate.ofEpochDay(UserSessions.dayOf(s)).toString(), s));
      }
      for (Activity a : r.activity()) {
        out.get(ACTIVITY).output(KV.of(a.getActivityDate().toString(), a));
      }
    }
  }
}
