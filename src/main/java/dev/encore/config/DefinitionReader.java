package dev.encore.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.encore.EncoreException;
import dev.encore.rewards.UserRewardColumns;
import dev.encore.rewards.UserRewardColumns.Presence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns the text of a {@code pipelines/*.yaml} file into a {@link JobDefinition}. The YAML is read into a tree and
 * checked by hand rather than bound to classes, so that every refusal can name the full key path (for example
 * {@code discovery.entity_levels[2]}), the bad value and what is allowed. Every key is required: a data scientist
 * starts from a copy of {@code pipelines/nightly.yaml}, and a forgotten key silently taking a default would be a
 * reward nobody asked for. The exception: {@code user_rewards} column families declared {@link Presence#OPTIONAL}
 * (those added after the format's first version) may be left out, which makes none of their columns rather than a
 * default, so files written before them keep working; likewise the {@code predictions} section, whose absence
 * publishes no predictions. Problems are collected rather than thrown one at a time, so
 * a file is fixed in one round.
 */
final class DefinitionReader {
  static final List<String> TOP_KEYS =
      List.of("version", "plays", "sessions", "user_rewards", "discovery", "publishing", "predictions");
  static final List<String> PLAYS_KEYS = List.of("stream_threshold_ms", "allowed_lateness_days");
  static final List<String> THRESHOLD_KEYS = List.of("TRACK", "EPISODE");
  static final List<String> SESSIONS_KEYS = List.of("gap_minutes", "max_session_hours");
  static final List<String> USER_REWARDS_KEYS =
      Arrays.stream(UserRewardColumns.values()).map(UserRewardColumns::yamlKey).toList();
  static final List<String> DISCOVERY_KEYS =
      List.of("entity_levels", "lookback_days", "stickiness_days", "active_days_horizons");
  static final List<String> PUBLISHING_KEYS = List.of("checkpoints");
  static final List<String> PREDICTIONS_KEYS = List.of("fit_days", "min_discoverers", "ridge");
  /** An entity's discoverers in the fit window; any bound works, this one only keeps the count an int. */
  static final int MAX_MIN_DISCOVERERS = 1_000_000;

  /** Longer lateness would make every run re-read and rewrite a month of days. */
  static final int MAX_LATENESS_DAYS = 30;
  /** A year: longer horizons would need more history than anyone keeps at daily resolution. */
  static final int MAX_HORIZON_DAYS = 365;

  // A key given twice is refused: YAML's last-one-wins would let a second horizons line silently replace the first.
  private static final YAMLFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper MAPPER = new ObjectMapper(YAML);
  private static final int MAX_SHOWN_CHARS = 60;

  /** A value at a key path of the file; {@code node} is null when the key is absent. */
  private record At(String path, JsonNode node) {}

  private final String source;
  private final List<String> problems = new ArrayList<>();

  DefinitionReader(String source) {
    this.source = source;
  }

  /** The checked definition, or an {@link EncoreException} listing every problem of the file. */
  JobDefinition read(String yaml) {
    At top = map(new At("", tree(yaml)), TOP_KEYS);
    if (top == null) {
      throw refusal();
    }
    checkVersion(at(top, "version"));

    At plays = map(at(top, "plays"), PLAYS_KEYS);
    At thresholds = map(at(plays, "stream_threshold_ms"), THRESHOLD_KEYS);
    Long trackMs = integer(at(thresholds, "TRACK"), 0, Long.MAX_VALUE);
    Long episodeMs = integer(at(thresholds, "EPISODE"), 0, Long.MAX_VALUE);
    Long lateness = integer(at(plays, "allowed_lateness_days"), 0, MAX_LATENESS_DAYS);

    // The upper bounds only keep the conversion to milliseconds from overflowing.
    At sessions = map(at(top, "sessions"), SESSIONS_KEYS);
    Long gapMinutes = integer(at(sessions, "gap_minutes"), 1, Integer.MAX_VALUE);
    Long capHours = integer(at(sessions, "max_session_hours"), 1, Integer.MAX_VALUE);

    At userRewards = map(at(top, "user_rewards"), USER_REWARDS_KEYS);
    Map<UserRewardColumns, List<Integer>> userHorizons = new EnumMap<>(UserRewardColumns.class);
    for (UserRewardColumns family : UserRewardColumns.values()) {
      At key = at(userRewards, family.yamlKey());
      boolean leftOut = key != null && key.node() == null;
      if (!(leftOut && family.presence() == Presence.OPTIONAL)) {
        userHorizons.put(family, horizons(key, family.presence() == Presence.REQUIRED_NON_EMPTY));
      }
    }

    At discovery = map(at(top, "discovery"), DISCOVERY_KEYS);
    List<EntityLevel> levels = entityLevels(at(discovery, "entity_levels"));
    Long lookback = integer(at(discovery, "lookback_days"), 1, MAX_HORIZON_DAYS);
    Long stickiness = integer(at(discovery, "stickiness_days"), 2, MAX_HORIZON_DAYS + 1);
    List<Integer> discoveryHorizons = horizons(at(discovery, "active_days_horizons"), false);

    At publishing = map(at(top, "publishing"), PUBLISHING_KEYS);
    At checkpointsAt = at(publishing, "checkpoints");
    boolean auto = checkpointsAt != null && checkpointsAt.node() != null && checkpointsAt.node().isTextual()
        && JobDefinition.AUTO.equals(checkpointsAt.node().asText());
    List<Integer> checkpoints = null;
    if (!auto && checkpointsAt != null && checkpointsAt.node() != null && !checkpointsAt.node().isArray()) {
      problems.add(name(checkpointsAt) + " is " + show(checkpointsAt.node()) + " (" + kind(checkpointsAt.node())
          + "); allowed: " + JobDefinition.AUTO + ", or a list of distinct integers >= 1");
    } else if (!auto) {
      checkpoints = integers(checkpointsAt, 1, Integer.MAX_VALUE, false);
    }

    // Optional: a file without the section (one written before predictions existed) publishes none.
    At predictionsAt = at(top, "predictions");
    PredictionRules predictions = null;
    if (predictionsAt != null && predictionsAt.node() != null) {
      At section = map(predictionsAt, PREDICTIONS_KEYS);
      Long fitDays = integer(at(section, "fit_days"), 1, MAX_HORIZON_DAYS);
      Long minDiscoverers = integer(at(section, "min_discoverers"), 2, MAX_MIN_DISCOVERERS);
      Double ridge = fraction(at(section, "ridge"));
      if (fitDays != null && minDiscoverers != null && ridge != null) {
        predictions = new PredictionRules(fitDays.intValue(), minDiscoverers.intValue(), ridge);
      }
    }

    if (!problems.isEmpty()) {
      throw refusal();
    }
    JobDefinition definition =
        new JobDefinition(
            source,
            new PlayRules(trackMs, episodeMs, lateness.intValue()),
            SessionRules.of(gapMinutes, capHours),
            new UserRewardsDefinition(userHorizons),
            new DiscoveryDefinition(levels, lookback.intValue(), stickiness.intValue(), discoveryHorizons),
            checkpoints,
            predictions);
    if (!auto) {
      checkCheckpoints(checkpointsAt, checkpoints, definition);
    }
    if (!problems.isEmpty()) {
      throw refusal();
    }
    return definition;
  }

  /** The YAML document as a tree; a syntax error, an empty file or a second document is refused at once. */
  private JsonNode tree(String yaml) {
    try (JsonParser parser = YAML.createParser(yaml)) {
      JsonNode root = MAPPER.readTree(parser);
      if (root == null) {
        throw usage(
            "Job definition " + source + " is empty; it must be a map with the keys " + String.join(", ", TOP_KEYS)
                + ". Start from a copy of pipelines/nightly.yaml.");
      }
      // readTree stops after the first document; anything after a `---` would otherwise be silently ignored.
      if (parser.nextToken() != null) {
        throw usage(
            "Job definition " + source + " holds more than one YAML document (the second starts at line "
                + parser.currentTokenLocation().getLineNr() + "); it must hold exactly one.");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw usage("Job definition " + source + ": " + syntaxError(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading YAML from a string cannot fail", e);
    }
  }

  /** Line, column and problem of a YAML syntax error, with SnakeYAML's snippet of the line when it has one. */
  private static String syntaxError(JsonProcessingException e) {
    // Jackson's own location can point at the token before the problem; SnakeYAML's mark is the problem itself.
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      Mark mark = yaml.getProblemMark();
      // The context says where an unclosed list or quote began, which is usually the line to fix.
      String context = yaml.getContext() == null ? "" : " (" + yaml.getContext()
          + (yaml.getContextMark() == null ? "" : " started at line " + (yaml.getContextMark().getLine() + 1)) + ")";
      return "YAML syntax error at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": "
          + yaml.getProblem() + context + "\n" + mark.get_snippet();
    }
    JsonLocation location = e.getLocation();
    String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    String hint = e.getOriginalMessage().startsWith("Duplicate field") ? "; a key may appear only once in a map" : "";
    return "YAML error" + where + ": " + e.getOriginalMessage() + hint;
  }

  /**
   * Refuses any version but 2, alone: a file of another version has other keys, and their problems are noise. A
   * version 1 file is told exactly what to change.
   */
  private void checkVersion(At at) {
    String allowed = JobDefinition.VERSION + ", the only format version this Encore reads";
    if (!present(at, allowed)) {
      return;
    }
    JsonNode node = at.node();
    if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() == JobDefinition.VERSION) {
      return;
    }
    problems.clear();
    if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() == 1) {
      problems.add(name(at) + " is 1; this Encore reads version " + JobDefinition.VERSION + " only. Version 2"
          + " publishes every label only when it is true (docs/rewards.md). To convert the file: set `version: 2`;"
          + " set `publishing.checkpoints: auto` (publishes each label when it has just become final: 4, 10, 31 and"
          + " 63 days after the anchor with the default horizons), or keep a list whose every value is at least"
          + " plays.allowed_lateness_days. No other key changes. The published columns change: days_observed"
          + " becomes days_final, days_to_return becomes days_to_return_<longest horizon>, the discovery datasets'"
          + " mature_<stickiness_days> becomes trace_mature (CHANGELOG in schemas/)");
    } else {
      problems.add(name(at) + " is " + show(node) + "; allowed: " + allowed);
    }
    throw refusal();
  }

  /**
   * Refuses a checkpoint before {@code allowed_lateness_days} (its anchor day can still gain or lose rows, so rows
   * would appear later) and one at or after the maturity age (rows are published then anyway).
   */
  private void checkCheckpoints(At at, List<Integer> checkpoints, JobDefinition definition) {
    int maturity = definition.maturityAge();
    int lateness = definition.playRules().allowedLatenessDays();
    for (int i = 0; i < checkpoints.size(); i++) {
      int age = checkpoints.get(i);
      if (age < lateness) {
        problems.add(
            element(at, i).path() + " is " + age + "; allowed: auto, or integers from " + lateness + " to "
                + (maturity - 1) + ". An anchor day is final only " + lateness + " days (allowed_lateness_days)"
                + " after it: published earlier, its rows could still appear or vanish. Use `checkpoints: auto` to"
                + " publish each label when it has just become final");
      } else if (age >= maturity) {
        problems.add(
            element(at, i).path() + " is " + age + "; allowed: auto, or integers from " + lateness + " to "
                + (maturity - 1) + ". Rows are published at the maturity age " + maturity + " (longest window "
                + (maturity - lateness) + " + allowed_lateness_days " + lateness
                + ") anyway, so a checkpoint at or after it is pointless");
      }
    }
  }

  /** The map at {@code at} after refusing unknown keys; null when it is missing or not a map (already reported). */
  private At map(At at, List<String> keys) {
    if (at == null) {
      return null;
    }
    String allowed = "a map with the keys " + String.join(", ", keys);
    if (!present(at, allowed)) {
      return null;
    }
    if (!at.node().isObject()) {
      wrongType(at, allowed);
      return null;
    }
    String where = at.path().isEmpty() ? "at the top level" : "in " + at.path();
    for (Iterator<String> names = at.node().fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!keys.contains(key)) {
        problems.add(
            child(at.path(), key) + " is not a known key; allowed keys " + where + ": " + String.join(", ", keys));
      }
    }
    return at;
  }

  /** The value at {@code key} of a map; null when the map itself was refused, so nothing is reported twice. */
  private static At at(At map, String key) {
    return map == null ? null : new At(child(map.path(), key), map.node().get(key));
  }

  private static At element(At list, int index) {
    return new At(list.path() + "[" + index + "]", list.node().get(index));
  }

  private static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** An integer from min to max, or null after reporting why not. */
  private Long integer(At at, long min, long max) {
    if (at == null || !present(at, "an integer " + bounds(min, max))) {
      return null;
    }
    return integerValue(at, min, max);
  }

  private Long integerValue(At at, long min, long max) {
    JsonNode node = at.node();
    if (!node.isIntegralNumber()) {
      wrongType(at, "an integer " + bounds(min, max));
      return null;
    }
    if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
      // Say the upper bound even when it is only the technical one, since that is what was exceeded.
      problems.add(name(at) + " is " + show(node) + "; allowed: an integer from " + min + " to " + max);
      return null;
    }
    return node.longValue();
  }

  /** A number from 0 to 1, or null after reporting why not. */
  private Double fraction(At at) {
    String allowed = "a number from 0 to 1";
    if (at == null || !present(at, allowed)) {
      return null;
    }
    JsonNode node = at.node();
    if (!node.isNumber()) {
      wrongType(at, allowed);
      return null;
    }
    if (!(node.doubleValue() >= 0 && node.doubleValue() <= 1)) {
      problems.add(name(at) + " is " + show(node) + "; allowed: " + allowed);
      return null;
    }
    return node.doubleValue();
  }

  /** A list of horizons in days (1..365), or null after reporting why not. */
  private List<Integer> horizons(At at, boolean nonEmpty) {
    return integers(at, 1, MAX_HORIZON_DAYS, nonEmpty);
  }

  /** A list of distinct integers from min to max in file order, or null after reporting why not. */
  private List<Integer> integers(At at, int min, int max, boolean nonEmpty) {
    String allowed = (nonEmpty ? "a non-empty list" : "a list") + " of distinct integers " + bounds(min, max);
    if (!list(at, allowed, nonEmpty)) {
      return null;
    }
    List<Integer> values = new ArrayList<>();
    Map<Long, Integer> firstIndex = new HashMap<>();
    boolean ok = true;
    for (int i = 0; i < at.node().size(); i++) {
      At element = element(at, i);
      Long value = present(element, "an integer " + bounds(min, max)) ? integerValue(element, min, max) : null;
      if (value == null) {
        ok = false;
      } else if (firstIndex.containsKey(value)) {
        problems.add(repeated(element, value, firstIndex.get(value)) + "; allowed: " + allowed);
        ok = false;
      } else {
        firstIndex.put(value, i);
        values.add(value.intValue());
      }
    }
    return ok ? values : null;
  }

  /** A list of distinct entity levels, or null after reporting why not. */
  private List<EntityLevel> entityLevels(At at) {
    String one = "one of " + EntityLevel.allowedIds();
    String allowed = "a non-empty list of distinct entity levels, each " + one;
    if (!list(at, allowed, true)) {
      return null;
    }
    List<EntityLevel> levels = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < at.node().size(); i++) {
      At element = element(at, i);
      if (!present(element, one)) {
        ok = false;
      } else if (!element.node().isTextual()) {
        wrongType(element, one);
        ok = false;
      } else if (levelOf(element.node().textValue()) == null) {
        problems.add(name(element) + " is " + show(element.node()) + "; allowed: " + one);
        ok = false;
      } else {
        EntityLevel level = levelOf(element.node().textValue());
        if (levels.contains(level)) {
          problems.add(repeated(element, level.id(), levels.indexOf(level)) + "; allowed: " + allowed);
          ok = false;
        } else {
          levels.add(level);
        }
      }
    }
    return ok ? levels : null;
  }

  private static EntityLevel levelOf(String id) {
    return Arrays.stream(EntityLevel.values()).filter(level -> level.id().equals(id)).findFirst().orElse(null);
  }

  /** Whether {@code at} is a list (non-empty when asked); reports why not. */
  private boolean list(At at, String allowed, boolean nonEmpty) {
    if (at == null || !present(at, allowed)) {
      return false;
    }
    if (!at.node().isArray()) {
      wrongType(at, allowed);
      return false;
    }
    if (nonEmpty && at.node().isEmpty()) {
      problems.add(name(at) + " is an empty list; allowed: " + allowed);
      return false;
    }
    return true;
  }

  private static String repeated(At element, Object value, int firstIndex) {
    return element.path() + " is " + value + " again (as at [" + firstIndex + "])";
  }

  /** Whether the key is there with a value; reports a missing key or an empty value with what is required. */
  private boolean present(At at, String required) {
    JsonNode node = at.node();
    if (node == null) {
      problems.add(name(at) + " is missing; required: " + required);
      return false;
    }
    // YAML reads `key:` with nothing after it as an empty string or null, depending on the parser.
    if (node.isNull() || node.isMissingNode() || (node.isTextual() && node.textValue().isEmpty())) {
      problems.add(name(at) + " has no value; required: " + required);
      return false;
    }
    return true;
  }

  private void wrongType(At at, String allowed) {
    problems.add(name(at) + " is " + show(at.node()) + " (" + kind(at.node()) + "); allowed: " + allowed);
  }

  private static String name(At at) {
    return at.path().isEmpty() ? "the file" : at.path();
  }

  private static String bounds(long min, long max) {
    return max >= Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
  }

  /** The value as the user wrote it, strings quoted, cut short so that a pasted paragraph stays readable. */
  private static String show(JsonNode node) {
    String text = node.toString();
    return text.length() <= MAX_SHOWN_CHARS ? text : text.substring(0, MAX_SHOWN_CHARS) + "...";
  }

  private static String kind(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    } else if (node.isIntegralNumber()) {
      return "an integer";
    } else if (node.isNumber()) {
      return "a decimal number";
    } else if (node.isBoolean()) {
      return "a boolean";
    } else if (node.isArray()) {
      return "a list";
    } else if (node.isObject()) {
      return "a map";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private EncoreException refusal() {
    String header = "Job definition " + source;
    String body =
        problems.size() == 1
            ? header + ": " + problems.get(0) + "."
            : header + " has " + problems.size() + " problems:\n  " + String.join(".\n  ", problems) + ".";
    return usage(body + "\nEvery key is required and explained in docs/rewards.md; pipelines/nightly.yaml is a"
        + " complete example.", null);
  }

  private static EncoreException usage(String message) {
    return usage(message, null);
  }

  private static EncoreException usage(String message, Throwable cause) {
    return new EncoreException(EncoreException.USAGE, message, cause);
  }
}
