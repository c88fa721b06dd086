package dev.encore.sessions;

import dev.encore.avro.internal.Play;
import dev.encore.publish.RunStats;
import java.time.LocalDate;
import java.util.Map;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Finds user-days with more plays than a person can make (a bot or a stuck client) and takes those plays out of
 * the run before plays are grouped by user, so one such account cannot exhaust memory or stall the night. Plays
 * are counted per (user, day of ts) with a combiner, which never holds a user's plays together; the decision is
 * per day, so it does not depend on which other days a run reads. Emits the remaining plays, and counts naming
 * each excluded user-day.
 */
public class ExcludeHotUsers extends PTransform<PCollection<Play>, PCollectionTuple> {
  public static final TupleTag<Play> PLAYS = new TupleTag<>() {};
  public static final TupleTag<KV<String, Long>> STATS = new TupleTag<>() {};

  private static final long DAY_MS = 86_400_000L;
  private final long maxPlaysPerUserDay;

  public ExcludeHotUsers(long maxPlaysPerUserDay) {
    this.maxPlaysPerUserDay = maxPlaysPerUserDay;
  }

  @Override
  public PCollectionTuple expand(PCollection<Play> plays) {
    long max = maxPlaysPerUserDay;
    PCollection<KV<String, Long>> hotUserDays = plays
        .apply("KeyByUserDay", MapElements.into(TypeDescriptors.strings())
            .via(ExcludeHotUsers::userDay))
        .apply("CountPlaysPerUserDay", Count.perElement())
        .apply("KeepHotUserDays", Filter.by((KV<String, Long> kv) -> kv.getValue() > max));
    PCollectionView<Map<String, Long>> hotUsers = hotUserDays.apply("HotUserDaysView", View.asMap());
    PCollectionTuple out = plays.apply("DropHotUserPlays", ParDo.of(new DropFn(hotUsers))
        .withSideInputs(hotUsers)
        .withOutputTags(PLAYS, TupleTagList.empty()));
    PCollection<KV<String, Long>> listed = hotUserDays.apply("NameHotUserDays", MapElements
        .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
        .via((KV<String, Long> kv) -> KV.of(RunStats.hotUserDayKey(
            kv.getKey().substring(0, kv.getKey().indexOf('\u0000')),
            kv.getKey().substring(kv.getKey().indexOf('\u0000') + 1)), kv.getValue())));
    out.get(PLAYS).setCoder(plays.getCoder());
    return PCollectionTuple.of(PLAYS, out.get(PLAYS)).and(STATS, listed);
  }

  /** The (user, day of ts) a play counts towards. */
  static String userDay(Play p) {
    return p.getUserId() + "\u0000" + LocalDate.ofEpochDay(Math.floorDiv(p.getEndMs(), DAY_MS));
  }

  /** Passes the plays of every user-day that is not hot. */
  static class DropFn extends DoFn<Play, Play> {
    private final PCollectionView<Map<String, Long>> hotUsers;

    DropFn(PCollectionView<Map<String, Long>> hotUsers) {
      this.hotUsers = hotUsers;
    }

    @ProcessElement
    public void process(@Element Play p, ProcessContext c) {
      if (!c.sideInput(hotUsers).containsKey(userDay(p))) {
        c.output(p);
      }
    }
  }
}
