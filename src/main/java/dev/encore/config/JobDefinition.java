package dev.encore.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.encore.EncoreException;
import dev.encore.rewards.UserRewardColumns;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The whole job definition read from a {@code pipelines/*.yaml} file: what counts as a play, how sessions are cut,
 * which rewards are computed and when they are published. Serializable because Beam ships it to workers.
 *
 * @param source where it was read from: the file path as given, or {@value #BUILT_IN_SOURCE}
 * @param playRules stream thresholds (TRACK, EPISODE) and {@code allowed_lateness_days}
 * @param sessionRules session gap and cap, in whole minutes and hours as the file states them
 * @param userRewards the horizons of each {@code user_rewards} column family
 * @param discovery the discovery labels
 * @param checkpoints ages at which rows are published besides the maturity age; sorted ascending, distinct,
 *     immutable; null for {@code auto}: every label horizon plus {@code allowed_lateness_days}
 * @param predictions how the stickiness predictions are fitted; null when the file has no {@code predictions}
 *     section, which publishes none
 */
public record JobDefinition(
    String source,
    PlayRules playRules,
    SessionRules sessionRules,
    UserRewardsDefinition userRewards,
    DiscoveryDefinition discovery,
    List<Integer> checkpoints,
    PredictionRules predictions)
    implements Serializable {

  /** Classpath resource of the built-in definition: the committed {@code pipelines/nightly.yaml}. */
  static final String BUILT_IN_RESOURCE = "/pipelines/nightly.yaml";

  /** {@link #source()} of the built-in definition. */
  public static final String BUILT_IN_SOURCE = "built-in pipelines/nightly.yaml";

  /** The value of {@code publishing.checkpoints} that publishes each label when it has just become final. */
  public static final String AUTO = "auto";

  /** The only file format version this code reads. */
  static final int VERSION = 2;

  private static final long MINUTE_MS = Duration.ofMinutes(1).toMillis();
  private static final long HOUR_MS = Duration.ofHours(1).toMillis();

  /** Sorted keys make the rendering independent of the order values were put in. */
  private static final ObjectMapper CANONICAL_JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  public JobDefinition {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(playRules, "playRules");
    Objects.requireNonNull(sessionRules, "sessionRules");
    Objects.requireNonNull(userRewards, "userRewards");
    Objects.requireNonNull(discovery, "discovery");
    checkpoints = checkpoints == null ? null : UserRewardsDefinition.sortedDistinct(checkpoints);
    // toMap() and digest() state the session rules in the file's units; a value they cannot state exactly would
    // make two different definitions look the same.
    if (sessionRules.gapMs() % MINUTE_MS != 0 || sessionRules.maxSessionMs() % HOUR_MS != 0) {
      throw new IllegalArgumentException("session rules must be whole minutes of gap and whole hours of cap");
    }
  }

  /** Reads and checks a definition file; a missing, unreadable or bad file is a usage error naming the file. */
  public static JobDefinition load(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new EncoreException(EncoreException.USAGE, "Job definition " + file + " does not exist.", e);
    } catch (IOException e) {
      throw new EncoreException(EncoreException.USAGE, "Cannot read job definition " + file + ": " + e, e);
    }
    return parse(yaml, file.toString());
  }

  /** The definition committed as {@code pipelines/nightly.yaml}, packaged on the classpath by the build. */
  public static JobDefinition builtIn() {
    try (InputStream in = JobDefinition.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            BUILT_IN_RESOURCE + " is not on the classpath; pom.xml packages the pipelines/ directory as resources.");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), BUILT_IN_SOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the built-in " + BUILT_IN_RESOURCE, e);
    }
  }

  /** Parses and checks YAML text; {@code source} names it in messages. Every problem found is reported at once. */
  public static JobDefinition parse(String yaml, String source) {
    return new DefinitionReader(source).read(yaml);
  }

  /**
   * Age (days after the anchor or discovery day) from which every label is mature: the longest window of any
   * reward plus {@code allowed_lateness_days} (60 + 3 = 63 by default).
   */
  public int maturityAge() {
    int longest = Math.max(longestUserHorizon(), discovery.traceLength());
    for (int horizon : discovery.activeDaysHorizons()) {
      longest = Math.max(longest, horizon);
    }
    return longest + playRules.allowedLatenessDays();
  }

  /**
   * Ages at which a partition is (re)published, sorted: the checkpoints (with {@code auto}, N + L for every label
   * horizon N: 1 of return_d1, the user_rewards and the discovery horizons) and the maturity age: [4, 10, 31, 63]
   * by default.
   */
  public List<Integer> publicationAges() {
    TreeSet<Integer> ages = new TreeSet<>();
    if (checkpoints == null) {
      labelHorizons().forEach(n -> ages.add(n + playRules.allowedLatenessDays()));
    } else {
      ages.addAll(checkpoints);
    }
    ages.add(maturityAge());
    return List.copyOf(ages);
  }

  /** Whether the checkpoints are {@code auto}. */
  public boolean autoCheckpoints() {
    return checkpoints == null;
  }

  /** Every label window's horizon: 1 (return_d1), the user_rewards horizons and the discovery horizons. */
  public List<Integer> labelHorizons() {
    TreeSet<Integer> all = new TreeSet<>();
    all.add(1);
    userRewards.horizons().values().forEach(all::addAll);
    all.addAll(discovery.activeDaysHorizons());
    return List.copyOf(all);
  }

  /** The longest {@code user_rewards} horizon, over every column family's horizons (60 by default). */
  public int longestUserHorizon() {
    return userRewards.horizons().values().stream()
        .flatMap(List::stream)
        .mapToInt(Integer::intValue)
        .max()
        .orElseThrow();
  }

  /**
   * Hex SHA-256 of every value, rendered as JSON with sorted keys: the same values give the same digest whatever
   * the key order, comments or {@link #source()} of the file, and any changed value changes it.
   */
  public String digest() {
    try {
      byte[] canonical = CANONICAL_JSON.writeValueAsBytes(toMap());
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot digest the job definition", e);
    }
  }

  /**
   * Every value as plain nested maps and lists with the file's keys (not {@link #source()}), for the run metadata
   * JSON; unmodifiable.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("version", VERSION);
    map.put(
        "plays",
        ordered(
            "stream_threshold_ms",
            ordered("TRACK", playRules.trackStreamMs(), "EPISODE", playRules.episodeStreamMs()),
            "allowed_lateness_days",
            playRules.allowedLatenessDays()));
    map.put(
        "sessions",
        ordered(
            "gap_minutes", sessionRules.gapMs() / MINUTE_MS,
            "max_session_hours", sessionRules.maxSessionMs() / HOUR_MS));
    Map<String, Object> userRewardsMap = new LinkedHashMap<>();
    userRewards.horizons().forEach((family, horizons) -> {
      // An optional family without horizons is left out, as the file may leave it out, so that definitions
      // written before the family existed keep their digest: run records and reuse compare it.
      if (family.presence() != UserRewardColumns.Presence.OPTIONAL || !horizons.isEmpty()) {
        userRewardsMap.put(family.yamlKey(), horizons);
      }
    });
    map.put("user_rewards", Collections.unmodifiableMap(userRewardsMap));
    Map<String, Object> discoveryMap = new LinkedHashMap<>();
    discoveryMap.put("entity_levels", discovery.entityLevels().stream().map(EntityLevel::id).toList());
    discoveryMap.put("lookback_days", discovery.lookbackDays());
    discoveryMap.put("stickiness_days", discovery.stickinessDays());
    discoveryMap.put("active_days_horizons", discovery.activeDaysHorizons());
    map.put("discovery", Collections.unmodifiableMap(discoveryMap));
    map.put("publishing", ordered("checkpoints", checkpoints == null ? AUTO : checkpoints));
    // Only when present, so that files without the section keep their digest.
    if (predictions != null) {
      map.put("predictions", ordered("fit_days", predictions.fitDays(), "min_discoverers",
          predictions.minDiscoverers(), "ridge", predictions.ridge()));
    }
    return Collections.unmodifiableMap(map);
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
