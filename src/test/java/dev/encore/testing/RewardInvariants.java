package dev.encore.testing;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules of docs/rewards.md ("a published value is true as stated") checked over every published version of
 * one reward partition, from the column names the doc gives, without any of the pipeline's code:
 *
 * <ul>
 *   <li>no row appears or vanishes after the partition's first publication (rows by key; keys unique);
 *   <li>every value flagged final (the doc's "final when" column) equals the same cell in every later version,
 *       every non-null entry of {@code trace} / {@code active_by_offset} included;
 *   <li>progressive counts ({@code active_days_N}, {@code streams_N}, {@code ms_played_N},
 *       {@code active_weeks_N}, {@code days_final}) never decrease, and maturity flags never go back to false;
 *   <li>each version's {@code as_of} is its run date, {@code mature_N} is {@code days_final ≥ N} and
 *       {@code trace_mature} is {@code days_final = W};
 *   <li>with complete input: {@code days_final = min(W, T − D − L)} in every version, and the version at the
 *       maturity age has all its days final: {@code days_final = W}, every flag true, no null trace entry,
 *       {@code return_d1} and {@code stickiness_60} set.
 * </ul>
 *
 * A column the checker has no rule for is itself a violation, so a new column cannot slip by unchecked.
 * Every violation names the dataset, the partition, the row's key, the column and the versions.
 */
public final class RewardInvariants {
  /** The reward datasets and their row keys. */
  public static final Map<String, List<String>> KEYS =
      Map.of(
          "user_rewards", List.of("user_id", "anchor_date"),
          "user_entity_rewards", List.of("user_id", "entity_level", "entity_id", "discovery_date"),
          "entity_rewards", List.of("entity_level", "entity_id", "discovery_date"));

  /** Final whatever else the row says (besides the key columns). */
  private static final Set<String> ALWAYS_FINAL =
      Set.of(
          "dt",
          "user_first_active_date",
          "discovery_kind",
          "discovery_ts",
          "discovery_item_id",
          "discovery_platform",
          "discovery_context_type",
          "discovery_reason_start",
          "lookback_complete",
          "discoverers",
          "new_user_discoverers");

  /** Final whenever not null. */
  private static final Pattern FINAL_WHEN_SET =
      Pattern.compile("return_d1|stickiness_\\d+|mean_stickiness_\\d+");

  /** Final whenever not null; a null is final when mature_N. */
  private static final Pattern DAYS_TO_RETURN = Pattern.compile("days_to_return_(\\d+)");

  /** Progressive counts, final when mature_N. */
  private static final Pattern WINDOW_COUNT =
      Pattern.compile("(?:active_days|streams|ms_played|active_weeks)_(\\d+)");

  /**
   * Predictions (docs/rewards.md, "Predictions"): never final, they may change in any later version; null once the
   * row's own value is final (trace_mature).
   */
  private static final Pattern PREDICTION = Pattern.compile("stickiness_\\d+_pred(?:_sd)?");

  /** Whether a column is a prediction (docs/rewards.md, "Predictions"), not a label. */
  public static boolean isPrediction(String column) {
    return PREDICTION.matcher(column).matches();
  }

  /** Lists whose non-null entries are final. */
  private static final Set<String> ENTRY_LISTS = Set.of("trace", "active_by_offset");

  private static final Pattern MATURE = Pattern.compile("mature_(\\d+)");

  /** What the checks need to know about the definition and the input. */
  public record Rules(
      int allowedLatenessDays,
      int maturityAge,
      int userWindow,
      int discoveryWindow,
      List<Integer> publicationAges,
      boolean completeInput) {
    /** docs/rewards.md's defaults: L 3, M 63, W 60 and 59, ages {4, 10, 31, 63}. */
    public static Rules defaults(boolean completeInput) {
      return new Rules(3, 63, 60, 59, List.of(4, 10, 31, 63), completeInput);
    }

    /** W of a dataset: the longest user_rewards horizon, or stickiness_days − 1 for the discovery datasets. */
    public int window(String dataset) {
      return dataset.equals("user_rewards") ? userWindow : discoveryWindow;
    }
  }

  /** One published version of a partition: the run date that published it and its rows by column name. */
  public record Version(LocalDate asOf, List<Map<String, Object>> rows) {
    public Version {
      rows = List.copyOf(rows);
    }
  }

  private RewardInvariants() {}

  /**
   * Every violation in the versions of partition {@code dt=day} of {@code dataset}, oldest version first; empty
   * when all rules hold.
   */
  public static List<String> check(String dataset, LocalDate day, List<Version> versions, Rules rules) {
    List<String> keyColumns = KEYS.get(dataset);
    if (keyColumns == null) {
      throw new IllegalArgumentException("not a reward dataset: " + dataset);
    }
    List<String> out = new ArrayList<>();
    String where = dataset + " dt=" + day;
    if (versions.isEmpty()) {
      return out;
    }
    // Versions in run-date order, each once.
    for (int i = 1; i < versions.size(); i++) {
      if (!versions.get(i).asOf().isAfter(versions.get(i - 1).asOf())) {
        throw new IllegalArgumentException(where + ": versions not in increasing run-date order");
      }
    }
    List<Map<List<Object>, Map<String, Object>>> byKey = new ArrayList<>();
    for (Version v : versions) {
      long age = ChronoUnit.DAYS.between(day, v.asOf());
      if (rules.publicationAges() != null && !rules.publicationAges().contains((int) age)) {
        out.add(where + ": version as_of=" + v.asOf() + " was published at age " + age
            + ", not a publication age " + rules.publicationAges());
      }
      Map<List<Object>, Map<String, Object>> rows = new LinkedHashMap<>();
      for (Map<String, Object> row : v.rows()) {
        List<Object> key = key(row, keyColumns);
        if (rows.put(key, row) != null) {
          out.add(where + " " + render(key) + ": key twice in version as_of=" + v.asOf());
        }
        checkRow(dataset, day, where, key, v.asOf(), row, rules, out);
      }
      byKey.add(rows);
    }

    // No row appears or vanishes after the first publication.
    Set<List<Object>> first = byKey.get(0).keySet();
    for (int i = 1; i < versions.size(); i++) {
      for (List<Object> key : byKey.get(i).keySet()) {
        if (!first.contains(key)) {
          out.add(where + " " + render(key) + ": row appears in version as_of=" + versions.get(i).asOf()
              + ", absent from the first version as_of=" + versions.get(0).asOf());
        }
      }
      for (List<Object> key : first) {
        if (!byKey.get(i).containsKey(key)) {
          out.add(where + " " + render(key) + ": row of the first version as_of=" + versions.get(0).asOf()
              + " vanished in version as_of=" + versions.get(i).asOf());
        }
      }
    }

    // Across versions: final values stay, progressive counts grow.
    for (int i = 0; i < versions.size(); i++) {
      for (Map.Entry<List<Object>, Map<String, Object>> e : byKey.get(i).entrySet()) {
        for (int j = i + 1; j < versions.size(); j++) {
          Map<String, Object> later = byKey.get(j).get(e.getKey());
          if (later != null) {
            compare(where + " " + render(e.getKey()), keyColumns, e.getValue(), versions.get(i).asOf(), later,
                versions.get(j).asOf(), j == i + 1, out);
          }
        }
      }
    }
    return out;
  }

  /** The checks of one row of one version. */
  private static void checkRow(String dataset, LocalDate day, String where, List<Object> key, LocalDate asOf,
      Map<String, Object> row, Rules rules, List<String> out) {
    String at = where + " " + render(key) + " as_of=" + asOf;
    int w = rules.window(dataset);
    for (String column : row.keySet()) {
      if (rule(column, KEYS.get(dataset)) == null) {
        out.add(at + ": column " + column + " has no finality rule in docs/rewards.md (add one to the checker)");
      }
    }
    if (!Objects.equals(toDate(row.get("as_of")), asOf)) {
      out.add(at + ": as_of is " + row.get("as_of") + ", not the run date");
    }
    for (String column : row.keySet()) {
      if (PREDICTION.matcher(column).matches() && Boolean.TRUE.equals(row.get("trace_mature"))
          && row.get(column) != null) {
        out.add(at + ": " + column + " is " + row.get(column) + " on a trace_mature row");
      }
    }
    Long daysFinal = toLong(row.get("days_final"));
    if (daysFinal == null || daysFinal < 0 || daysFinal > w) {
      out.add(at + ": days_final " + daysFinal + " outside 0.." + w);
      return;
    }
    for (String column : row.keySet()) {
      Matcher m = MATURE.matcher(column);
      if (m.matches()) {
        boolean expected = daysFinal >= Integer.parseInt(m.group(1));
        if (!Objects.equals(row.get(column), expected)) {
          out.add(at + ": " + column + " is " + row.get(column) + " with days_final " + daysFinal);
        }
      }
    }
    if (row.containsKey("trace_mature") && !Objects.equals(row.get("trace_mature"), daysFinal == w)) {
      out.add(at + ": trace_mature is " + row.get("trace_mature") + " with days_final " + daysFinal);
    }
    if (!rules.completeInput()) {
      return;
    }
    long age = ChronoUnit.DAYS.between(day, asOf);
    long expectedFinal = Math.max(0, Math.min(w, age - rules.allowedLatenessDays()));
    if (daysFinal != expectedFinal) {
      out.add(at + ": days_final " + daysFinal + ", but on complete input the days D+1 .. D+" + expectedFinal
          + " are final (min(W, T - D - L))");
    }
    if (age < rules.maturityAge()) {
      return;
    }
    // At the maturity age every day of the window is final.
    List<String> notFinal = new ArrayList<>();
    for (Map.Entry<String, Object> c : row.entrySet()) {
      String column = c.getKey();
      if ((MATURE.matcher(column).matches() || column.equals("trace_mature")) && !Boolean.TRUE.equals(c.getValue())) {
        notFinal.add(column + "=" + c.getValue());
      }
      if (ENTRY_LISTS.contains(column)) {
        List<?> list = (List<?>) c.getValue();
        if (list == null || list.size() != w || list.contains(null)) {
          notFinal.add(column + "=" + list);
        }
      }
      boolean mustBeSet = column.equals("return_d1") || column.matches("stickiness_\\d+")
          || (column.matches("mean_stickiness_\\d+") && toLong(row.get("discoverers")) != null
              && toLong(row.get("discoverers")) > 0);
      if (mustBeSet && c.getValue() == null) {
        notFinal.add(column + "=null");
      }
    }
    if (!notFinal.isEmpty()) {
      out.add(at + ": at the maturity age (" + age + ") not every day is final: " + notFinal);
    }
  }

  /** A cell of version a (as_of=ta) against the same cell of a later version b. */
  private static void compare(String where, List<String> keyColumns, Map<String, Object> a, LocalDate ta,
      Map<String, Object> b, LocalDate tb, boolean consecutive, List<String> out) {
    String versions = " (as_of=" + ta + " -> as_of=" + tb + ")";
    for (Map.Entry<String, Object> cell : a.entrySet()) {
      String column = cell.getKey();
      Object va = cell.getValue();
      String rule = rule(column, keyColumns);
      if (rule == null) {
        continue;
      }
      if (!b.containsKey(column)) {
        out.add(where + ": column " + column + " vanished" + versions);
        continue;
      }
      Object vb = b.get(column);
      switch (rule) {
        case "always" -> {
          if (!same(va, vb)) {
            out.add(where + ": final " + column + " changed from " + va + " to " + vb + versions);
          }
        }
        case "set" -> {
          if (va != null && !same(va, vb)) {
            out.add(where + ": final " + column + " changed from " + va + " to " + vb + versions);
          }
        }
        case "entries" -> {
          List<?> la = (List<?>) va;
          List<?> lb = (List<?>) vb;
          if (la == null) {
            break;
          }
          if (lb == null || lb.size() != la.size()) {
            out.add(where + ": " + column + " changed length or vanished: " + la + " to " + lb + versions);
            break;
          }
          for (int k = 0; k < la.size(); k++) {
            if (la.get(k) != null && !same(la.get(k), lb.get(k))) {
              out.add(where + ": final " + column + "[" + k + "] (day D+" + (k + 1) + ") changed from "
                  + la.get(k) + " to " + lb.get(k) + versions);
            }
          }
        }
        case "prediction" -> {
          // A prediction, not a label: any later version may change it.
        }
        case "meta" -> {
          // days_final grows; a maturity flag never goes back to false. as_of changes by design.
          if (column.equals("days_final") || MATURE.matcher(column).matches() || column.equals("trace_mature")) {
            if (consecutive && decreases(va, vb)) {
              out.add(where + ": " + column + " decreased from " + va + " to " + vb + versions);
            }
          }
        }
        default -> {
          if (rule.startsWith("mature_")) {
            // A window count: final when its flag is set, never decreasing before.
            if (Boolean.TRUE.equals(a.get(rule)) && !same(va, vb)) {
              out.add(where + ": final " + column + " (" + rule + ") changed from " + va + " to " + vb + versions);
            } else if (consecutive && decreases(va, vb)) {
              out.add(where + ": progressive " + column + " decreased from " + va + " to " + vb + versions);
            }
          } else if (rule.startsWith("return:")) {
            String flag = rule.substring("return:".length());
            boolean finalNull = va == null && Boolean.TRUE.equals(a.get(flag));
            if ((va != null || finalNull) && !same(va, vb)) {
              out.add(where + ": final " + column + " changed from " + va + " to " + vb + versions
                  + (finalNull ? " (a null with " + flag + " is final)" : ""));
            }
          }
        }
      }
    }
  }

  /**
   * The finality rule of a column: "always", "set" (final when not null), "entries" (non-null list entries),
   * "mature_N" (a window count final when mature_N), "return:mature_N" (days_to_return_N), "meta" (as_of,
   * days_final and the flags), "prediction" (never final), or null when docs/rewards.md gives none.
   */
  static String rule(String column, List<String> keyColumns) {
    if (keyColumns.contains(column) || ALWAYS_FINAL.contains(column)) {
      return "always";
    }
    if (FINAL_WHEN_SET.matcher(column).matches()) {
      return "set";
    }
    if (ENTRY_LISTS.contains(column)) {
      return "entries";
    }
    Matcher r = DAYS_TO_RETURN.matcher(column);
    if (r.matches()) {
      return "return:mature_" + r.group(1);
    }
    Matcher c = WINDOW_COUNT.matcher(column);
    if (c.matches()) {
      return "mature_" + c.group(1);
    }
    if (column.equals("as_of") || column.equals("days_final") || column.equals("trace_mature")
        || MATURE.matcher(column).matches()) {
      return "meta";
    }
    if (PREDICTION.matcher(column).matches()) {
      return "prediction";
    }
    return null;
  }

  private static boolean decreases(Object a, Object b) {
    if (a instanceof Boolean x) {
      return x && !Boolean.TRUE.equals(b);
    }
    Long la = toLong(a);
    Long lb = toLong(b);
    return la != null && (lb == null || lb < la);
  }

  /** Equality across versions: numbers by value (Integer 3 equals Long 3), lists entry by entry. */
  public static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y && !(a instanceof Double) && !(b instanceof Double)
        && !(a instanceof Float) && !(b instanceof Float)) {
      return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString())) == 0;
    }
    if (a instanceof Collection<?> la && b instanceof Collection<?> lb) {
      if (la.size() != lb.size()) {
        return false;
      }
      var ia = la.iterator();
      var ib = lb.iterator();
      while (ia.hasNext()) {
        if (!same(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  private static List<Object> key(Map<String, Object> row, List<String> keyColumns) {
    List<Object> key = new ArrayList<>();
    for (String c : keyColumns) {
      if (!row.containsKey(c)) {
        throw new IllegalArgumentException("row has no key column " + c + ": " + row.keySet());
      }
      Object v = row.get(c);
      key.add(v instanceof java.sql.Date d ? d.toLocalDate() : v);
    }
    return key;
  }

  private static String render(List<Object> key) {
    List<String> parts = new ArrayList<>();
    key.forEach(k -> parts.add(String.valueOf(k)));
    return "[" + String.join("|", parts) + "]";
  }

  private static Long toLong(Object o) {
    return o instanceof Number n ? n.longValue() : null;
  }

  private static LocalDate toDate(Object o) {
    if (o instanceof java.sql.Date d) {
      return d.toLocalDate();
    }
    return o instanceof LocalDate d ? d : null;
  }

  /** Sorted distinct dataset names, for messages. */
  static Set<String> datasets() {
    return new TreeSet<>(KEYS.keySet());
  }
}
