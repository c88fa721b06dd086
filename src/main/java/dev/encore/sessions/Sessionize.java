package dev.encore.sessions;

import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.SessionRules;
import dev.encore.publish.RunStats;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
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
 * Stage 2: groups the plays by user (one shuffle), drops duplicate deliveries, cuts sessions and keeps those that
 * start on the session days this run publishes. Emits sessions keyed by their day and the duplicate counts per
 * arrival partition.
 */
public class Sessionize extends PTransform<PCollection<Play>, PCollectionTuple> {
  /** Sessions keyed by the UTC day of their start (yyyy-MM-dd). */
  public static final TupleTag<KV<String, Session>> SESSIONS = new TupleTag<>() {};
  /** Duplicate deliveries dropped, per arrival partition of the dropped copy. */
  public static final TupleTag<KV<String, Long>> STATS = new TupleTag<>() {};

  private final SessionRules rules;
  private final LocalDate firstDay;
  private final LocalDate lastDay;

  /** Sessionizes and keeps the sessions starting on {@code firstDay..lastDay} (inclusive). */
  public Sessionize(SessionRules rules, LocalDate firstDay, LocalDate lastDay) {
    this.rules = rules;
    this.firstDay = firstDay;
    this.lastDay = lastDay;
  }

  @Override
  public PCollectionTuple expand(PCollection<Play> plays) {
    PCollectionTuple out =
        plays
            .apply("KeyByUser", WithKeys.of(Play::getUserId).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Play.class)))
            .apply("GroupByUser", GroupByKey.create())
            .apply(
                "DeduplicateAndCutSessions",
                ParDo.of(new CutSessionsFn(rules, firstDay.toEpochDay(), lastDay.toEpochDay()))
                    .withOutputTags(SESSIONS, TupleTagList.of(STATS)));
    out.get(SESSIONS).setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Session.class)));
    out.get(STATS).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** Per user: deduplicate, cut, keep the sessions of the published days. */
  static class CutSessionsFn extends DoFn<KV<String, Iterable<Play>>, KV<String, Session>> {
    private static final long DAY_MS = 86_400_000L;
    private final Counter sessionsCut = Metrics.counter("sessions", "sessions_cut");
    private final SessionRules rules;
    private final long firstDay;
    private final long lastDay;

    CutSessionsFn(SessionRules rules, long firstDay, long lastDay) {
      this.rules = rules;
      this.firstDay = firstDay;
      this.lastDay = lastDay;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Play>> user, MultiOutputReceiver out) {
      Deduplication.Result dedup = Deduplication.keepFirstDelivery(user.getValue());
      if (!dedup.dropped().isEmpty()) {
        Map<String, Long> perArrival = new TreeMap<>();
        for (Play p : dedup.dropped()) {
          perArrival.merge(LocalDate.ofEpochDay(p.getArrivalDay()).toString(), 1L, Long::sum);
        }
        perArrival.forEach(
            (dt, n) -> out.get(STATS).output(KV.of(RunStats.inputKey(dt, RunStats.DUPLICATES), n)));
      }
      List<Session> sessions = SessionCutter.cut(dedup.kept(), rules);
      sessionsCut.inc(sessions.size());
      for (Session s : sessions) {
        long day = Math.floorDiv(s.getSessionStart().toEpochMilli(), DAY_MS);
        if (day >= firstDay && day <= lastDay) {
          out.get(SESSIONS).output(KV.of(LocalDate.ofEpochDay(day).toString(), s));
        }
      }
    }
  }
}
