package dev.encore.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.avro.Activity;
import dev.encore.avro.Session;
import dev.encore.avro.internal.Play;
import dev.encore.config.JobDefinition;
import dev.encore.config.PredictionRules;
import dev.encore.config.SessionRules;
import dev.encore.ingest.ArrivalPartitions;
import dev.encore.ingest.IngestListeningLogs;
import dev.encore.ingest.InputPartition;
import dev.encore.ingest.ListeningLogReader;
import dev.encore.ingest.PlayValidator;
import dev.encore.ingest.Verdict;
import dev.encore.nightly.NightlyPlan;
import dev.encore.nightly.Outputs;
import dev.encore.predictions.DiscoveryTrace;
import dev.encore.predictions.PredictStickiness;
import dev.encore.predictions.PredictionRows;
import dev.encore.predictions.StickinessModel;
import dev.encore.publish.Dataset;
import dev.encore.publish.ParquetFiles;
import dev.encore.rewards.DiscoveryMath;
import dev.encore.rewards.Finality;
import dev.encore.rewards.RewardRows;
import dev.encore.rewards.RewardSpec;
import dev.encore.rewards.UserRewardLabels;
import dev.encore.sessions.UserSessions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Reference (a) of the benchmark: what {@code nightly --date=T} publishes on a fresh output root, computed by one
 * plain single-threaded Java pass with no Beam. It reads every Avro file of the run's arrival partitions once,
 * validates each record ({@link PlayValidator}), keeps each user's plays in memory, then user by user (in user_id
 * order) leaves out hot user-days, deduplicates, cuts sessions and builds the daily activity and the rewards with
 * the very per-user functions the pipeline's stages call ({@link UserSessions}, {@link UserRewardLabels}), and
 * writes the same datasets ({@code sessions}, {@code activity},
 * {@code user_rewards}, {@code user_entity_rewards}, {@code entity_rewards}, {@code rejected}, and with a
 * {@code predictions} section {@code reward_priors} and {@code entity_predictions}), one sorted Parquet file per
 * partition with {@link ParquetFiles}. The stickiness predictions ({@link StickinessModel}, as {@link
 * PredictStickiness} computes them) need every user's traces, so the user_entity_rewards rows that get one are kept
 * until the end and written to a second sorted file of their partition. No staging, run metadata, {@code _SUCCESS}
 * or report: it is a reference for speed and for row counts, not a publisher.
 *
 * <p>With {@code --published=ROOT} it is the steady-state night instead: ROOT is an output root where the nightly
 * of an earlier date has published (the benchmark prepares it with {@code nightly --date=T-1}), and, as the
 * pipeline does, it reads only the arrival partitions of the run's late window (T-3-L .. T), reads the published
 * activity of the older days the rewards and predictions need back from ROOT (activity published by a run on or
 * after its day plus the lateness; ROOT is trusted to be built with this definition and activity logic), and writes
 * what that night publishes: sessions T-1-L .. T-1, the activity of T-L .. T, the reward partitions of the anchors,
 * the predictions of T, and rejected records of the arrivals ROOT has none for and of T. ROOT is only read.
 *
 * <p>{@code java -cp target/encore-bench.jar dev.encore.bench.PlainJavaNightly --date=T --logs=DIR
 * --output=DIR} [{@code --published=ROOT --maxPlaysPerUserDay=5000}], with the built-in definitions. Exit code 0
 * on success, 2 on a bad command line, 1 on any failure.
 */
public final class PlainJavaNightly {
  private PlainJavaNightly() {}

  /**
   * What the run wrote and read.
   *
   * @param rows rows written per dataset
   * @param records input records read
   * @param plays valid, non-private plays (duplicate deliveries included)
   * @param users listeners with a play
   * @param phases where the time went, for people
   */
  public record Result(Map<String, Long> rows, long records, long plays, long users, String phases) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the reference from a command line; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> given = ReferenceArgs.parse(
        "PlainJavaNightly", args, List.of("date", "logs", "output"), "--date=YYYY-MM-DD --logs=DIR --output=DIR", err);
    if (given == null) {
      return 2;
    }
    long started = System.nanoTime();
    try {
      Path published = given.containsKey("published") ? Path.of(given.get("published")) : null;
      Result r = run(LocalDate.parse(given.get("date")), Path.of(given.get("logs")), Path.of(given.get("output")),
          Long.parseLong(given.getOrDefault("maxPlaysPerUserDay", "5000")), JobDefinition.builtIn(), published);
      out.printf("plain-java nightly %s: %d records read, %d plays accepted, %d users, %.1f s (%s)%n",
          given.get("date"), r.records(), r.plays(), r.users(), (System.nanoTime() - started) / 1e9, r.phases());
      r.rows().forEach((dataset, n) -> out.printf("  %s: %d rows%n", dataset, n));
      return 0;
    } catch (RuntimeException | IOException e) {
      err.println("PlainJavaNightly: failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * Computes and writes the datasets of run {@code date} (on a fresh output root) under {@code output}.
   *
   * @param output a directory that does not exist yet or is empty
   */
  public static Result run(LocalDate date, Path logs, Path output, long maxPlaysPerUserDay, JobDefinition definition)
      throws IOException {
    return run(date, logs, output, maxPlaysPerUserDay, definition, null);
  }

  /**
   * Computes and writes the datasets of run {@code date} under {@code output}: on a fresh output root, or, with
   * {@code published}, the steady-state night on top of that published root (see the class doc).
   *
   * @param output a directory that does not exist yet or is empty
   * @param published an output root published by an earlier night, only read; null for a fresh root
   */
  public static Result run(LocalDate date, Path logs, Path output, long maxPlaysPerUserDay, JobDefinition definition,
      Path published) throws IOException {
    Path logsRoot = logs.toAbsolutePath().normalize();
    Path outRoot = output.toAbsolutePath().normalize();
    if (Files.isDirectory(outRoot)) {
      try (Stream<Path> children = Files.list(outRoot)) {
        if (children.findAny().isPresent()) {
          throw new IllegalArgumentException("--output=" + outRoot + " is not empty");
        }
      }
    }
    RewardSpec spec = RewardSpec.of(definition);
    int lateness = definition.playRules().allowedLatenessDays();
    LocalDate firstInputDay = ArrivalPartitions.firstDay(logsRoot.toString());
    NightlyPlan plan;
    Map<String, List<Activity>> history = new HashMap<>();
    Set<LocalDate> rejectedPublished = Set.of();
    long t0 = System.nanoTime();
    if (published == null) {
      // The nightly's own plan for a fresh output root: nothing published yet, every activity day rebuilt.
      plan = NightlyPlan.of(date, lateness, firstInputDay, definition.publicationAges(),
          definition.discovery().lookbackDays(), Set.of());
    } else {
      Path root = published.toAbsolutePath().normalize();
      // The planner's rule (NightlyPlanner.whyNotReusable): activity published by a run on or after D + L.
      Set<LocalDate> reusable = new TreeSet<>();
      for (LocalDate day : publishedDays(root, Outputs.ACTIVITY.name())) {
        if (!publishedBy(root, Outputs.ACTIVITY.name(), day).isBefore(day.plusDays(lateness))) {
          reusable.add(day);
        }
      }
      PredictionRules rules = definition.predictions();
      LocalDate firstModelDay = rules == null ? null : LocalDate.ofEpochDay(
          PredictStickiness.fitFrom(date.toEpochDay(), definition.maturityAge(), rules));
      plan = NightlyPlan.of(date, lateness, firstInputDay, definition.publicationAges(),
          definition.discovery().lookbackDays(), reusable, Set.of(), firstModelDay);
      history = readActivity(root, plan.activityReused());
      rejectedPublished = publishedDays(root, Outputs.REJECTED.name());
    }
    ArrivalPartitions.Found input =
        ArrivalPartitions.resolve(logsRoot.toString(), plan.firstArrival(), plan.lastArrival(), false);

    long tHistory = System.nanoTime();
    Intake intake;
    List<String> userIds;
    long t1;
    long t2;
    Writers writers = new Writers(outRoot);
    try (writers) {
      Set<LocalDate> noRejected = rejectedPublished;
      intake = read(input.partitions(), new PlayValidator(definition.playRules()), writers,
          day -> day.equals(date) || !noRejected.contains(day));
      t1 = System.nanoTime();
      PerUser perUser = new PerUser(plan, spec, definition.sessionRules(), maxPlaysPerUserDay, writers);
      Set<String> everyone = new TreeSet<>(intake.users().keySet());
      everyone.addAll(history.keySet());
      userIds = new ArrayList<>(everyone);
      for (String userId : userIds) {
        // Each user's plays are dropped once used, so memory shrinks as the pass goes on.
        UserPlays plays = intake.users().remove(userId);
        List<Activity> older = history.remove(userId);
        perUser.process(userId, plays == null ? List.of() : plays.toPlays(userId), older == null ? List.of() : older);
      }
      perUser.writeEntityRewards();
      perUser.writePredictions();
      t2 = System.nanoTime();
    }
    long t3 = System.nanoTime();
    String phases = String.format(Locale.ROOT,
        "reading published activity %.1f s, reading logs %.1f s, per user %.1f s, closing files %.1f s",
        (tHistory - t0) / 1e9, (t1 - tHistory) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    return new Result(writers.rows(), intake.records(), intake.plays(), userIds.size(), phases);
  }

  /** The days ({@code dt=} folders with {@code _SUCCESS}) a dataset has published under an output root. */
  private static Set<LocalDate> publishedDays(Path root, String dataset) throws IOException {
    Set<LocalDate> days = new TreeSet<>();
    Path dir = root.resolve(dataset);
    if (!Files.isDirectory(dir)) {
      return days;
    }
    try (Stream<Path> partitions = Files.list(dir)) {
      for (Path p : partitions.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith("dt=") && Files.exists(p.resolve("_SUCCESS"))) {
          days.add(LocalDate.parse(name.substring(3)));
        }
      }
    }
    return days;
  }

  /** The date of the run that last published a partition (its {@code _run.json}). */
  private static LocalDate publishedBy(Path root, String dataset, LocalDate day) throws IOException {
    Path meta = root.resolve(dataset).resolve("dt=" + day).resolve("_run.json");
    return LocalDate.parse(JSON.readTree(meta.toFile()).get("date").asText());
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The published activity of {@code days}, by user (as ReadActivity reads it back for the pipeline). */
  private static Map<String, List<Activity>> readActivity(Path root, List<LocalDate> days) throws IOException {
    Map<String, List<Activity>> byUser = new HashMap<>();
    Interner interner = new Interner();
    Configuration conf = new Configuration(false);
    for (LocalDate day : days) {
      List<Path> files;
      try (Stream<Path> list = Files.list(root.resolve(Outputs.ACTIVITY.name()).resolve("dt=" + day))) {
        files = list.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
      }
      for (Path f : files) {
        // Parquet's own reader on the local file: ParquetFiles.read goes through Beam's file systems.
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f.toUri()), conf))
            .withDataModel(GenericData.get()).build()) {
          for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
            // Every column as the generated class holds it: strings shared, the date from its epoch day.
            Activity a = new Activity();
            for (Schema.Field field : Activity.getClassSchema().getFields()) {
              Object value = r.get(field.name());
              if (value instanceof CharSequence text) {
                value = interner.intern(text.toString());
              } else if (value instanceof Integer epochDay && field.name().equals("activity_date")) {
                value = LocalDate.ofEpochDay(epochDay);
              }
              a.put(field.pos(), value);
            }
            byUser.computeIfAbsent(interner.intern(a.getUserId()), u -> new ArrayList<>()).add(a);
          }
        }
      }
    }
    return byUser;
  }

  /** The accepted plays of every user, and what was read. */
  private record Intake(Map<String, UserPlays> users, long records, long plays) {}

  /**
   * Reads and validates every record of the partitions, in (arrival day, path) order; files are numbered in that
   * order, as the pipeline numbers them, so deduplication keeps the same delivery. Rejections are written as read.
   */
  private static Intake read(List<InputPartition> partitions, PlayValidator validator, Writers writers,
      java.util.function.Predicate<LocalDate> publishRejected) throws IOException {
    Map<String, UserPlays> users = new HashMap<>();
    Interner interner = new Interner();
    Dataset<?> rejected = Outputs.REJECTED;
    long records = 0;
    long[] plays = {0};
    int fileIndex = 0;
    for (InputPartition partition : partitions) {
      LocalDate day = partition.day();
      String dt = day.toString();
      boolean rejections = publishRejected.test(day);
      records += ListeningLogReader.readPartition(partition, fileIndex, (event, path, index, position) -> {
        Verdict verdict = validator.judge(event, day, index, position);
        if (verdict instanceof Verdict.Accepted accepted) {
          Play p = accepted.play();
          users.computeIfAbsent(p.getUserId(), u -> new UserPlays()).add(p, interner);
          plays[0]++;
        } else if (verdict instanceof Verdict.Rejected r && rejections) {
          writers.write(rejected, dt, IngestListeningLogs.rejectedRecord(event, r, path, position));
        }
      });
      fileIndex += partition.files().size();
      // An arrival without rejections still has its (empty) partition, as the pipeline publishes it; the file is
      // complete once the partition is read (an open Parquet writer holds a few MB).
      if (rejections) {
        writers.touch(rejected, dt);
        writers.close(rejected, dt);
      }
    }
    return new Intake(users, records, plays[0]);
  }

  /**
   * Everything computed from one user's plays, by the pure per-user functions of the pipeline's stages
   * ({@link UserSessions}, {@link UserRewardLabels}), written as it is computed; entity statistics kept until the
   * end.
   */
  private static final class PerUser {
    private final RewardSpec spec;
    private final Writers writers;
    private final long asOf;
    private final UserSessions sessions;
    private final UserRewardLabels labels;
    private final Dataset<GenericRecord> userRewards;
    private final Dataset<GenericRecord> userEntityRewards;
    private final Dataset<GenericRecord> entityRewards;
    /** (level, entity, discovery day) → summed discovery statistics (RewardRows.discoveryStats). */
    private final Map<EntityDay, List<Long>> entityStats = new HashMap<>();
    /** Null when the definition has no predictions. */
    private final Predictions predictions;

    PerUser(NightlyPlan plan, RewardSpec spec, SessionRules sessionRules, long maxPlaysPerUserDay,
        Writers writers) {
      this.spec = spec;
      this.writers = writers;
      this.asOf = plan.date().toEpochDay();
      // The nightly's own arguments for Sessionize and ComputeRewards (NightlyPipeline.build).
      this.sessions = new UserSessions(sessionRules, plan.firstSessionDay(), plan.date().minusDays(1),
          Set.copyOf(plan.activityRebuilt()), spec.levels(), maxPlaysPerUserDay);
      // Complete input from the first input day on: the pipeline's input calendar on a fresh root.
      Finality finality = Finality.completeFrom(plan.firstInputDay().toEpochDay(), asOf, spec.lateness());
      List<Long> anchors = plan.rewardAnchors().stream().map(LocalDate::toEpochDay).toList();
      if (spec.predictions() == null) {
        this.labels = new UserRewardLabels(spec, finality, anchors);
        this.predictions = null;
      } else {
        // The model days of NightlyPipeline: the fit window's first day .. T.
        this.labels = new UserRewardLabels(spec, finality, anchors,
            PredictStickiness.fitFrom(asOf, spec.maturityAge(), spec.predictions()), asOf);
        this.predictions = new Predictions(spec, asOf);
        writers.touch(Outputs.rewardPriors(spec), plan.date().toString());
        writers.touch(Outputs.entityPredictions(spec), plan.date().toString());
      }
      this.userRewards = Outputs.userRewards(spec);
      this.userEntityRewards = Outputs.userEntityRewards(spec);
      this.entityRewards = Outputs.entityRewards(spec);
      // Every partition the pipeline publishes exists, with or without rows.
      plan.sessionDays().forEach(d -> writers.touch(Outputs.SESSIONS, d.toString()));
      plan.activityRebuilt().forEach(d -> writers.touch(Outputs.ACTIVITY, d.toString()));
      for (Dataset<GenericRecord> rewards : List.of(userRewards, userEntityRewards, entityRewards)) {
        // Partitions of days that are not final are withheld (NightlyPublisher).
        plan.rewardAnchors().stream().filter(d -> finality.isFinal(d.toEpochDay()))
            .forEach(d -> writers.touch(rewards, d.toString()));
      }
    }

    /**
     * One user's plays and published activity (empty on a fresh root); rows are written in key order, as the
     * pipeline sorts each file.
     */
    void process(String userId, List<Play> plays, List<Activity> history) throws IOException {
      UserSessions.Result perUser = sessions.of(plays);
      List<Session> userSessions = new ArrayList<>(perUser.sessions());
      userSessions.sort(Outputs.SESSIONS::compare);
      for (Session s : userSessions) {
        writers.write(Outputs.SESSIONS, RewardRows.dt(UserSessions.dayOf(s)), s);
      }

      // Daily activity, per day sorted by (entity_level, entity_id).
      TreeMap<Long, List<Activity>> byDay = new TreeMap<>();
      for (Activity a : perUser.activity()) {
        byDay.computeIfAbsent(a.getActivityDate().toEpochDay(), d -> new ArrayList<>()).add(a);
      }
      for (Map.Entry<Long, List<Activity>> day : byDay.entrySet()) {
        List<Activity> rows = day.getValue();
        rows.sort(Outputs.ACTIVITY::compare);
        String dt = RewardRows.dt(day.getKey());
        for (Activity a : rows) {
          writers.write(Outputs.ACTIVITY, dt, a);
        }
      }

      // Rewards from the activity, as ComputeRewards labels them: the rebuilt days and the days read back.
      List<Activity> activity = perUser.activity();
      if (!history.isEmpty()) {
        activity = new ArrayList<>(activity);
        activity.addAll(history);
      }
      UserRewardLabels.Labels l = labels.of(userId, activity);
      for (UserRewardLabels.DayRow r : l.userRewards()) {
        writers.write(userRewards, RewardRows.dt(r.day()), r.row());
      }
      for (UserRewardLabels.DayRow r : l.discoveries()) {
        if (predictions == null || !predictions.keep(r)) {
          writers.write(userEntityRewards, RewardRows.dt(r.day()), r.row());
        }
      }
      if (predictions != null) {
        l.traces().forEach(predictions::add);
      }
      for (UserRewardLabels.EntityShare share : l.entityShares()) {
        entityStats.merge(new EntityDay(share.level(), share.entityId(), share.day(), share.daysFinal()),
            share.stats(), RewardRows::sum);
      }
    }

    /** entity_rewards, sorted by (entity_level, entity_id, discovery_date). */
    void writeEntityRewards() throws IOException {
      List<EntityDay> keys = new ArrayList<>(entityStats.keySet());
      keys.sort(Comparator.comparing(EntityDay::level).thenComparing(EntityDay::entity)
          .thenComparingLong(EntityDay::day));
      for (EntityDay k : keys) {
        writers.write(entityRewards, RewardRows.dt(k.day()), RewardRows.entityReward(
            entityRewards.schema(), spec, k.level(), k.entity(), k.day(), asOf, k.daysFinal(), entityStats.get(k)));
      }
    }

    /** reward_priors, entity_predictions and the kept user_entity_rewards rows, once every user is labelled. */
    void writePredictions() throws IOException {
      if (predictions != null) {
        predictions.write(writers, userEntityRewards);
      }
    }
  }

  private record EntityDay(String level, String entity, long day, int daysFinal) {}

  /**
   * The stickiness predictions of the run, as {@link PredictStickiness} computes them with the same pure functions:
   * the model discoveries' traces (fit window and recent ones) and the user_entity_rewards rows that get a
   * per-discovery prediction (new_to_entity, not trace_mature), kept per level and entity until every user is
   * labelled.
   */
  private static final class Predictions {
    private final RewardSpec spec;
    private final PredictionRules rules;
    private final long asOf;
    private final long fitFrom;
    private final long fitTo;
    private final long recentFrom;
    /** level → the mature traces of the fit window. */
    private final Map<String, List<DiscoveryTrace>> fitTraces = new TreeMap<>();
    /** level → entity → its recent traces (D in (T - M, T]). */
    private final Map<String, Map<String, List<DiscoveryTrace>>> recent = new TreeMap<>();
    /** level → entity → its rows to predict. */
    private final Map<String, Map<String, List<UserRewardLabels.DayRow>>> toPredict = new TreeMap<>();

    Predictions(RewardSpec spec, long asOf) {
      this.spec = spec;
      this.rules = spec.predictions();
      this.asOf = asOf;
      this.fitFrom = PredictStickiness.fitFrom(asOf, spec.maturityAge(), rules);
      this.fitTo = PredictStickiness.fitTo(asOf, spec.maturityAge());
      this.recentFrom = asOf - spec.maturityAge() + 1;
    }

    /** One model discovery's trace: kept when it is in the fit set or recent, as PredictStickiness filters them. */
    void add(UserRewardLabels.LevelTrace levelTrace) {
      DiscoveryTrace t = levelTrace.trace();
      if (t.day() >= fitFrom && t.day() <= fitTo && t.daysFinal() == spec.traceLength()) {
        fitTraces.computeIfAbsent(levelTrace.level(), l -> new ArrayList<>()).add(t);
      }
      if (t.day() >= recentFrom) {
        entities(recent, levelTrace.level()).computeIfAbsent(t.entityId(), e -> new ArrayList<>()).add(t);
      }
    }

    /** Keeps a user_entity_rewards row that gets a prediction (PredictStickiness.SplitRowsFn); false for others. */
    boolean keep(UserRewardLabels.DayRow row) {
      GenericRecord r = row.row();
      if (!DiscoveryMath.NEW_TO_ENTITY.equals(String.valueOf(r.get("discovery_kind")))
          || (Boolean) r.get("trace_mature")) {
        return false;
      }
      entities(toPredict, r.get("entity_level").toString())
          .computeIfAbsent(r.get("entity_id").toString(), e -> new ArrayList<>()).add(row);
      return true;
    }

    private static <V> Map<String, List<V>> entities(Map<String, Map<String, List<V>>> byLevel, String level) {
      return byLevel.computeIfAbsent(level, l -> new TreeMap<>());
    }

    /**
     * Fits each level's prior (with its backtest), predicts every entity with recent discoveries or rows to predict
     * from its recent traces, and writes the three datasets, each partition's rows in key order.
     */
    void write(Writers writers, Dataset<GenericRecord> userEntityRewards) throws IOException {
      int stickinessDays = spec.stickinessDays();
      String dt = RewardRows.dt(asOf);
      Dataset<GenericRecord> priorsDataset = Outputs.rewardPriors(spec);
      Dataset<GenericRecord> predictionsDataset = Outputs.entityPredictions(spec);
      Schema predictionSchema = predictionsDataset.schema();
      List<String> levels = new ArrayList<>(spec.levels());
      levels.sort(Comparator.naturalOrder());
      List<GenericRecord> entityRows = new ArrayList<>();
      Map<String, List<GenericRecord>> predictedRows = new TreeMap<>();
      for (String level : levels) {
        // A level without mature traces fits on none: no prior, 0 entities and traces, as PriorRowFn's default.
        PredictionRows.LevelFit fit = PredictionRows.fitLevel(
            level, fitTraces.getOrDefault(level, List.of()), spec.traceLength(), rules, fitFrom, fitTo);
        writers.write(priorsDataset, dt, PredictionRows.rewardPrior(priorsDataset.schema(), stickinessDays, fit, asOf));

        Map<String, List<DiscoveryTrace>> recentByEntity = recent.getOrDefault(level, Map.of());
        Map<String, List<UserRewardLabels.DayRow>> rowsByEntity = toPredict.getOrDefault(level, Map.of());
        Set<String> entities = new TreeSet<>(recentByEntity.keySet());
        entities.addAll(rowsByEntity.keySet());
        for (String entityId : entities) {
          List<UserRewardLabels.DayRow> rows = rowsByEntity.getOrDefault(entityId, List.of());
          PredictionRows.EntityPredictions p = PredictionRows.predictEntity(predictionSchema, stickinessDays, level,
              entityId, asOf, fit.fit().prior(), recentByEntity.getOrDefault(entityId, List.of()),
              rows.stream().map(UserRewardLabels.DayRow::row).toList());
          if (p.entityRow() != null) {
            entityRows.add(p.entityRow());
          }
          for (int i = 0; i < rows.size(); i++) {
            predictedRows.computeIfAbsent(RewardRows.dt(rows.get(i).day()), d -> new ArrayList<>()).add(p.rows().get(i));
          }
        }
      }
      entityRows.sort(predictionsDataset::compare);
      for (GenericRecord r : entityRows) {
        writers.write(predictionsDataset, dt, r);
      }
      toPredict.clear();
      recent.clear();
      fitTraces.clear();
      for (Map.Entry<String, List<GenericRecord>> partition : predictedRows.entrySet()) {
        List<GenericRecord> rows = partition.getValue();
        rows.sort(userEntityRewards::compare);
        for (GenericRecord r : rows) {
          writers.write(userEntityRewards, partition.getKey(), PREDICTED_FILE, r);
        }
      }
    }
  }

  /** The file of a partition that holds its user_entity_rewards rows with a per-discovery prediction. */
  private static final String PREDICTED_FILE = "part-00001.parquet";

  /**
   * One user's accepted plays, column by column: the strings that repeat (items, artists, context …) shared
   * through an {@link Interner}, event ids as UTF-8 bytes. About 70 bytes a play instead of the ~500 of a
   * {@link Play} object with its own strings, so 30M plays fit in a few GiB.
   */
  static final class UserPlays {
    private static final byte EPISODE = 1;
    private static final byte QUALIFYING = 2;
    private static final byte SKIP = 4;

    private int size;
    private long[] end = new long[4];
    private int[] msPlayed = new int[4];
    private int[] arrivalDay = new int[4];
    private int[] fileIndex = new int[4];
    private int[] position = new int[4];
    private byte[] flags = new byte[4];
    private String[] item = new String[4];
    private String[] artist = new String[4];
    private String[] album = new String[4];
    private String[] show = new String[4];
    private String[] context = new String[4];
    private String[] reasonStart = new String[4];
    private String[] platform = new String[4];
    private byte[] eventIds = new byte[64];
    private int[] eventIdEnd = new int[4];

    void add(Play p, Interner interner) {
      if (size == end.length) {
        grow();
      }
      int i = size;
      end[i] = p.getEndMs();
      // PlayValidator accepts at most 7 days played and files of fewer than 2^31 records.
      msPlayed[i] = Math.toIntExact(p.getMsPlayed());
      arrivalDay[i] = p.getArrivalDay();
      fileIndex[i] = p.getFileIndex();
      position[i] = Math.toIntExact(p.getPosition());
      flags[i] = (byte) ((p.getEpisode() ? EPISODE : 0) | (p.getQualifying() ? QUALIFYING : 0)
          | (p.getSkip() ? SKIP : 0));
      item[i] = interner.intern(p.getItemId());
      artist[i] = interner.intern(p.getArtistId());
      album[i] = interner.intern(p.getAlbumId());
      show[i] = interner.intern(p.getShowId());
      context[i] = interner.intern(p.getContextType());
      reasonStart[i] = interner.intern(p.getReasonStart());
      platform[i] = interner.intern(p.getPlatform());
      byte[] id = p.getEventId().getBytes(StandardCharsets.UTF_8);
      int from = i == 0 ? 0 : eventIdEnd[i - 1];
      if (from + id.length > eventIds.length) {
        eventIds = Arrays.copyOf(eventIds, Math.max(from + id.length, eventIds.length + (eventIds.length >> 1)));
      }
      System.arraycopy(id, 0, eventIds, from, id.length);
      eventIdEnd[i] = from + id.length;
      size++;
    }

    private void grow() {
      int n = size + (size >> 1) + 1;
      end = Arrays.copyOf(end, n);
      msPlayed = Arrays.copyOf(msPlayed, n);
      arrivalDay = Arrays.copyOf(arrivalDay, n);
      fileIndex = Arrays.copyOf(fileIndex, n);
      position = Arrays.copyOf(position, n);
      flags = Arrays.copyOf(flags, n);
      item = Arrays.copyOf(item, n);
      artist = Arrays.copyOf(artist, n);
      album = Arrays.copyOf(album, n);
      show = Arrays.copyOf(show, n);
      context = Arrays.copyOf(context, n);
      reasonStart = Arrays.copyOf(reasonStart, n);
      platform = Arrays.copyOf(platform, n);
      eventIdEnd = Arrays.copyOf(eventIdEnd, n);
    }

    /** The plays again as {@link Play} records, in the order they were read. */
    List<Play> toPlays(String userId) {
      List<Play> plays = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        int from = i == 0 ? 0 : eventIdEnd[i - 1];
        String eventId = new String(eventIds, from, eventIdEnd[i] - from, StandardCharsets.UTF_8);
        long ms = msPlayed[i];
        plays.add(new Play(userId, eventId, end[i] - ms, end[i], ms, (flags[i] & EPISODE) != 0, item[i],
            artist[i], album[i], show[i], context[i], reasonStart[i], platform[i], (flags[i] & QUALIFYING) != 0,
            (flags[i] & SKIP) != 0, arrivalDay[i], fileIndex[i], (long) position[i]));
      }
      return plays;
    }
  }

  /** One shared copy of each repeating string. */
  static final class Interner {
    private final Map<String, String> strings = new HashMap<>();

    String intern(String s) {
      if (s == null) {
        return null;
      }
      String seen = strings.putIfAbsent(s, s);
      return seen == null ? s : seen;
    }
  }

  /**
   * One open Parquet file per partition ({@code <output>/<dataset>/dt=<dt>/part-00000.parquet}, and {@code
   * part-00001.parquet} for the user_entity_rewards rows predicted at the end), rows appended in the order given
   * (callers keep the key order), counted per dataset.
   */
  private static final class Writers implements AutoCloseable {
    /** A partition's first (usually only) file. */
    private static final String FILE = "part-00000.parquet";
    private final Path root;
    private final Map<String, ParquetWriter<GenericRecord>> open = new HashMap<>();
    private final Map<String, Long> rows = new TreeMap<>();

    Writers(Path root) {
      this.root = root;
    }

    void write(Dataset<?> dataset, String dt, GenericRecord row) throws IOException {
      write(dataset, dt, FILE, row);
    }

    /** Writes to another file of the partition (rows written after the partition's first file). */
    void write(Dataset<?> dataset, String dt, String file, GenericRecord row) throws IOException {
      writer(dataset, dt, file).write(row);
      rows.merge(dataset.name(), 1L, Long::sum);
    }

    /** Opens the partition's file even when no row comes (an empty partition is published too). */
    void touch(Dataset<?> dataset, String dt) {
      try {
        writer(dataset, dt, FILE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private ParquetWriter<GenericRecord> writer(Dataset<?> dataset, String dt, String name) throws IOException {
      String key = dataset.name() + "/dt=" + dt + "/" + name;
      ParquetWriter<GenericRecord> w = open.get(key);
      if (w == null) {
        Path file = root.resolve(dataset.name()).resolve("dt=" + dt).resolve(name);
        Files.createDirectories(file.getParent());
        w = ParquetFiles.open(file.toString(), dataset.schema(), dataset.model());
        open.put(key, w);
        rows.putIfAbsent(dataset.name(), 0L);
      }
      return w;
    }

    /** Completes one partition's file; no row may be written to it afterwards. */
    void close(Dataset<?> dataset, String dt) throws IOException {
      ParquetWriter<GenericRecord> w = open.remove(dataset.name() + "/dt=" + dt + "/" + FILE);
      if (w != null) {
        w.close();
      }
    }

    Map<String, Long> rows() {
      return Collections.unmodifiableMap(rows);
    }

    @Override
    public void close() throws IOException {
      IOException first = null;
      for (ParquetWriter<GenericRecord> w : open.values()) {
        try {
          w.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      open.clear();
      if (first != null) {
        throw first;
      }
    }
  }
}
