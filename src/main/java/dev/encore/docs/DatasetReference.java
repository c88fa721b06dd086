package dev.encore.docs;

import dev.encore.config.JobDefinition;
import dev.encore.nightly.OutputDataset;
import dev.encore.nightly.Outputs;
import dev.encore.rewards.RewardSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Renders {@code docs/datasets.md}, the reference of Encore's published datasets for the teams that read them:
 * what a row is, key and sort order, partitioning, every column with its type as a Parquet reader sees it, the
 * maturity semantics and example queries. Datasets, keys, sort orders and schemas come from the output registry
 * ({@link Outputs}; its schemas are {@code schemas/*.avsc}, tests keep them in step) and maturity ages from the
 * built-in definition, so the page cannot drift from what the pipeline writes (a test compares the committed page
 * with {@link #render()}).
 *
 * <p>Regenerate from the repository root: {@value #REGENERATE}.
 */
public final class DatasetReference {
  /** The exact command that rewrites the committed page. */
  public static final String REGENERATE =
      "mvn -B -q -DskipTests package && java -cp target/encore.jar dev.encore.docs.DatasetReference > docs/datasets.md";

  /** Where the page is committed, relative to the repository root. */
  public static final Path COMMITTED = Path.of("docs", "datasets.md");

  private DatasetReference() {}

  /** Writes the page to standard output (UTF-8). */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(render());
    out.flush();
  }

  /** The page for the standard registry under the built-in definition. */
  public static String render() {
    return render(Outputs.standard(RewardSpec.of(JobDefinition.builtIn())));
  }

  /** The page for the datasets of {@code outputs}, in registry order (types and columns: the built-in definition's). */
  public static String render(Outputs outputs) {
    JobDefinition definition = JobDefinition.builtIn();
    StringBuilder md = new StringBuilder();
    md.append("# Published datasets: reference for readers\n\n");
    md.append("<!-- Generated from schemas/*.avsc by dev.encore.docs.DatasetReference; do not edit by hand.\n");
    md.append("     Regenerate from the repository root:\n");
    md.append("     ").append(REGENERATE).append("\n");
    md.append("     DatasetReferenceTest fails while this file differs from what the code renders. -->\n\n");
    md.append("Encore publishes Parquet datasets for ranking teams. This page says, for each, what a row is, how rows\n");
    md.append("are keyed, sorted and partitioned, and what every column means, with the type a Parquet reader\n");
    md.append("(DuckDB, Spark) sees. The definitions come from the Avro schemas in `schemas/`; the exact reward\n");
    md.append("definitions are in [rewards.md](rewards.md); how runs publish is in the README (\"Outputs\") and\n");
    md.append("[operations.md](operations.md). Types and reward columns are those of the built-in definition\n");
    md.append("`pipelines/nightly.yaml`: a definition with other horizons publishes other `*_N` columns.\n\n");

    md.append("## Layout\n\n");
    md.append("Every dataset lives under the output root `<out>` as\n\n");
    md.append("```text\n<out>/<dataset>/dt=YYYY-MM-DD/part-NNNNN.parquet\n```\n\n");
    md.append("- Parquet, Snappy-compressed, with real logical types: dates are `DATE`, timestamps\n");
    md.append("  `TIMESTAMP(MILLIS, UTC)` (DuckDB: `TIMESTAMP WITH TIME ZONE`), lists are `LIST`.\n");
    md.append("- `dt` is a Hive-style partition folder, not a column in the files: read with hive partitioning\n");
    md.append("  (DuckDB `hive_partitioning = true`, Spark partition discovery) to get it as a column. What `dt`\n");
    md.append("  means differs per dataset (below).\n");
    md.append("- Rows are sorted by the dataset's sort order within each file; a partition may hold several files.\n");
    md.append("- A partition appears atomically, complete with `_SUCCESS` and `_run.json` (Encore version, run\n");
    md.append("  options, input partitions, row counts): readers see the old partition or the whole new one.\n");
    md.append("  Globs such as `dt=*/*.parquet` skip those files and Encore's own `<out>/_encore/` folder.\n");
    md.append("- A partition is replaced as a whole when a later run rewrites it, so a key never appears twice.\n\n");

    md.append("| dataset | one row per | key | sort order | `dt` |\n| --- | --- | --- | --- | --- |\n");
    for (OutputDataset<?> p : outputs) {
      md.append("| [`").append(p.name()).append("`](#").append(p.name()).append(") | ").append(p.rowIs())
          .append(" | ").append(codeList(p.uniqueKey())).append(" | ").append(codeList(p.dataset().key()))
          .append(" | ").append(p.dtMeans()).append(" |\n");
    }
    md.append('\n');

    maturity(md, definition);

    for (OutputDataset<?> p : outputs) {
      Schema schema = p.dataset().schema();
      for (String key : concat(p.dataset().key(), p.uniqueKey())) {
        if (schema.getField(key) == null) {
          throw new IllegalStateException("key or sort column " + key + " of " + p.name() + " is not in " + p.schemaFile());
        }
      }
      md.append("## ").append(p.name()).append("\n\n");
      md.append(oneLine(schema.getDoc())).append("\n\n");
      md.append("- One row per: ").append(p.rowIs()).append(".\n");
      md.append("- Key (unique per row): ").append(codeList(p.uniqueKey())).append(".\n");
      md.append("- Sort order within each file: ").append(codeList(p.dataset().key())).append(".\n");
      md.append("- Files: `<out>/").append(p.name()).append("/dt=YYYY-MM-DD/part-NNNNN.parquet`; `dt` = ")
          .append(p.dtMeans()).append(".\n");
      md.append("- Schema: [`schemas/").append(p.schemaFile()).append("`](../schemas/").append(p.schemaFile())
          .append(") (Avro record `").append(schema.getFullName()).append("`).\n\n");
      md.append("| column | type | nullable | definition |\n| --- | --- | --- | --- |\n");
      for (Schema.Field f : schema.getFields()) {
        md.append("| `").append(f.name()).append("` | ").append(readerType(f.schema())).append(" | ")
            .append(nullability(f.schema())).append(" | ").append(cell(f.doc())).append(" |\n");
      }
      md.append('\n');
    }

    examples(md, definition);
    return md.toString();
  }

  private static void maturity(StringBuilder md, JobDefinition definition) {
    int lateness = definition.playRules().allowedLatenessDays();
    List<Integer> ages = definition.publicationAges();
    int maturityAge = definition.maturityAge();
    int userWindow = definition.longestUserHorizon();
    int traceLength = definition.discovery().traceLength();
    int stickinessDays = definition.discovery().stickinessDays();
    String daysToReturn = "days_to_return_" + userWindow;
    md.append("## Maturity: final and progressive labels\n\n");
    md.append("The reward datasets (`user_rewards`, `user_entity_rewards`, `entity_rewards`) label a window after an\n");
    md.append("anchor or discovery day D. **Every published value is true as stated** (label definitions version 2,\n");
    md.append("[rewards.md](rewards.md)): it is **final** (it never changes in a later publication), **progressive**\n");
    md.append("(it counts final days only, so it never counts a day that can still change and never decreases), or\n");
    md.append("null (not known yet).\n\n");
    md.append("- **Final day.** Plays of day d can arrive up to L = ").append(lateness)
        .append(" days late, so day d is final in the run for day T when\n");
    md.append("  d + L <= T and every arrival day d - 1 .. d + L was complete (present, sealed and fully read by the first\n");
    md.append("  run that looked for it; the output root records this input calendar). With complete input day d is\n");
    md.append("  final from the run d + L on; a day whose input was incomplete is never final.\n");
    md.append("- `as_of`: the run's date T, the newest arrival day it read.\n");
    md.append("- `days_final`: the largest k such that the days D + 1 .. D + k are all final (0 when D + 1 is not), at\n");
    md.append("  most ").append(userWindow).append(" in `user_rewards` and ").append(traceLength)
        .append(" in the discovery datasets. A progressive value counts the days\n");
    md.append("  D + 1 .. D + min(N, `days_final`) of its N-day window only: `active_days_28 = 3` with `days_final = 10`\n");
    md.append("  means \"3 active days in the first 10\".\n");
    md.append("- `mature_N`: `days_final >= N`, the whole N-day window (D, D + N] is final, so the labels of that\n");
    md.append("  window are final (`mature_1` is `return_d1`'s). With complete input: D + N + L <= `as_of`.\n");
    md.append("- `trace_mature` (`user_entity_rewards`, `entity_rewards`): `days_final = ").append(traceLength)
        .append("`, the whole ").append(stickinessDays).append("-day window\n");
    md.append("  D .. D + ").append(traceLength).append(" is final, so `stickiness_").append(stickinessDays)
        .append("` and `mean_stickiness_").append(stickinessDays).append("` are set. Each `trace` and\n");
    md.append("  `active_by_offset` entry is final whenever it is not null (null: D + k is not final yet).\n\n");
    md.append("A run for day T publishes the partitions `dt = T - a` for the publication ages a = ")
        .append(ages.stream().map(String::valueOf).collect(Collectors.joining(", "))).append(" days,\n");
    md.append("each rewritten whole: ");
    if (definition.autoCheckpoints()) {
      md.append("with `publishing.checkpoints: auto` these are N + L for every label horizon N, so each label\n");
      md.append("is published once when it has just become final, and the maturity age ").append(maturityAge)
          .append(" (the longest window plus L),\n");
      md.append("when every label is final. ");
    } else {
      md.append("the configured checkpoints and the maturity age ").append(maturityAge)
          .append(" (the longest window plus L), when every label is\nfinal. ");
    }
    md.append("Rows exist only for final anchor or discovery days: a partition whose day is not\n");
    md.append("final is **withheld** (not published; the run metadata `_run.json` lists it under `withheld_partitions`\n");
    md.append("with the reason), and since its day can never become final later it is never published. Rows never appear\n");
    md.append("or vanish after their partition was first published: a later version of a partition has the same rows,\n");
    md.append("values that only went from null to final, and progressive counts that only grew.\n\n");
    md.append("Train on final labels by filtering on the flag of the label you use (`WHERE mature_7` for `active_days_7`,\n");
    md.append("`WHERE trace_mature` for `stickiness_").append(stickinessDays)
        .append("`), or keep progressive values and give the model `days_final` as the\n");
    md.append("censoring point; never treat a progressive count as final. A null `return_d1`, `trace` entry or\n");
    md.append("`stickiness_").append(stickinessDays).append("` is \"not known yet\", not \"no\"; `").append(daysToReturn)
        .append("` null with `mature_").append(userWindow).append("` is a final \"no return within\n");
    md.append(String.valueOf(userWindow)).append(" days\". Train item-level retention on `discovery_kind = 'new_to_entity'`; `entity_rewards`\n");
    md.append("aggregates those only (`new_user_discoverers` counts the users on their first day). The rules for training:\n");
    md.append("[Reading labels safely](rewards.md#reading-labels-safely).\n\n");
  }

  private static void examples(StringBuilder md, JobDefinition definition) {
    int userWindow = definition.longestUserHorizon();
    int stickinessDays = definition.discovery().stickinessDays();
    String daysToReturn = "days_to_return_" + userWindow;
    md.append("## Example queries\n\n");
    md.append("Replace `<out>` with the output root: a local path or an `hdfs://` URL, where partitions are Hive\n");
    md.append("folders. On S3 and GCS a partition is the list of files in its `manifest` (docs/operations.md,\n");
    md.append("\"Where the data lives\"): register those files instead of the folder. Every DuckDB query below is\n");
    md.append("run by `ExampleQueriesTest` against the pipeline's output on the committed sample, so they stay\n");
    md.append("correct. The Spark SQL versions first register each dataset as a view; Spark discovers `dt` from the\n");
    md.append("folder names and skips `_SUCCESS` and `_run.json`.\n\n");
    md.append("```sql\n-- Spark SQL: one view per dataset\n");
    for (String name : List.of("sessions", "user_rewards", "user_entity_rewards", "entity_rewards", "rejected")) {
      md.append("CREATE TEMPORARY VIEW ").append(name).append(" USING parquet OPTIONS (path '<out>/").append(name)
          .append("');\n");
    }
    md.append("```\n\n");

    md.append("### Sessions, users and listening time per day\n\n");
    md.append("```sql\n-- DuckDB\n");
    md.append("SELECT dt, count(*) AS sessions, count(DISTINCT user_id) AS users, sum(streams) AS streams,\n");
    md.append("       round(sum(ms_played) / 3600000.0, 1) AS hours_played\n");
    md.append("FROM read_parquet('<out>/sessions/dt=*/*.parquet', hive_partitioning = true)\n");
    md.append("GROUP BY dt\nORDER BY dt;\n```\n\n");
    md.append("```sql\n-- Spark SQL\n");
    md.append("SELECT dt, count(*) AS sessions, count(DISTINCT user_id) AS users, sum(streams) AS streams,\n");
    md.append("       round(sum(ms_played) / 3600000.0, 1) AS hours_played\n");
    md.append("FROM sessions\nGROUP BY dt\nORDER BY dt;\n```\n\n");

    md.append("### Retention labels for impressions, mature labels only\n\n");
    md.append("An `impressions` table of your own with `user_id` and `anchor_date` (the UTC day of the impression)\n");
    md.append("gets the 7-day retention label of `user_rewards`. Only final labels are kept (`mature_7`). Users not\n");
    md.append("active on the anchor day have no `user_rewards` row; this inner join drops them (use a left join and\n");
    md.append("treat them separately if they matter).\n\n");
    md.append("```sql\n-- DuckDB\n");
    md.append("SELECT i.*, r.active_days_7, r.return_d1, r.").append(daysToReturn).append(", r.mature_7\n");
    md.append("FROM impressions AS i\n");
    md.append("JOIN read_parquet('<out>/user_rewards/dt=*/*.parquet', hive_partitioning = true) AS r\n");
    md.append("  ON r.user_id = i.user_id AND r.anchor_date = i.anchor_date\n");
    md.append("WHERE r.mature_7\nORDER BY i.user_id, i.anchor_date;\n```\n\n");
    md.append("```sql\n-- Spark SQL\n");
    md.append("SELECT i.*, r.active_days_7, r.return_d1, r.").append(daysToReturn).append(", r.mature_7\n");
    md.append("FROM impressions AS i\n");
    md.append("JOIN user_rewards AS r\n");
    md.append("  ON r.user_id = i.user_id AND r.anchor_date = i.anchor_date\n");
    md.append("WHERE r.mature_7\nORDER BY i.user_id, i.anchor_date;\n```\n\n");

    md.append("### Discovery stickiness per artist\n\n");
    md.append("Mean stickiness of an artist's `new_to_entity` discoverers: 1 + the days they came back to the artist.\n");
    md.append("The final ").append(stickinessDays).append("-day value is `mean_stickiness_").append(stickinessDays)
        .append("` (set once `trace_mature`); the query also computes a\n");
    md.append("7-day version from `active_by_offset`, over the discovery days whose first 7 entries are final\n");
    md.append("(`days_final >= 7`: the entries are not null), weighting each discovery day by its discoverers. Discovery\n");
    md.append("days with only `new_user` discoverers (`discoverers = 0`) say nothing about the artist and are left out.\n\n");
    md.append("```sql\n-- DuckDB\n");
    md.append("SELECT entity_id AS artist_id,\n");
    md.append("       sum(discoverers) AS discoverers,\n");
    md.append("       round(sum(discoverers + list_sum(active_by_offset[1:7])) / sum(discoverers), 3) AS mean_stickiness_7,\n");
    md.append("       round(sum(mean_stickiness_").append(stickinessDays).append(" * discoverers)\n");
    md.append("             / sum(CASE WHEN trace_mature THEN discoverers END), 3) AS mean_stickiness_")
        .append(stickinessDays).append("\n");
    md.append("FROM read_parquet('<out>/entity_rewards/dt=*/*.parquet', hive_partitioning = true)\n");
    md.append("WHERE entity_level = 'artist' AND days_final >= 7 AND discoverers > 0\n");
    md.append("GROUP BY entity_id\nORDER BY discoverers DESC, artist_id\nLIMIT 20;\n```\n\n");
    md.append("```sql\n-- Spark SQL\n");
    md.append("SELECT entity_id AS artist_id,\n");
    md.append("       sum(discoverers) AS discoverers,\n");
    md.append("       round(sum(discoverers + aggregate(slice(active_by_offset, 1, 7), 0L, (acc, x) -> acc + x))\n");
    md.append("             / sum(discoverers), 3) AS mean_stickiness_7,\n");
    md.append("       round(sum(mean_stickiness_").append(stickinessDays).append(" * discoverers)\n");
    md.append("             / sum(CASE WHEN trace_mature THEN discoverers END), 3) AS mean_stickiness_")
        .append(stickinessDays).append("\n");
    md.append("FROM entity_rewards\n");
    md.append("WHERE entity_level = 'artist' AND days_final >= 7 AND discoverers > 0\n");
    md.append("GROUP BY entity_id\nORDER BY discoverers DESC, artist_id\nLIMIT 20;\n```\n\n");

    md.append("### Attributing discoveries to impressions\n\n");
    md.append("A `recommendation_impressions` table of your own, one row per impression with `user_id`,\n");
    md.append("`entity_level`, `entity_id` (here: an artist or show shown to the user) and `impression_ts` (BIGINT, UTC\n");
    md.append("epoch milliseconds), credits an impression with the discovery it may have caused. `discovery_ts` is the\n");
    md.append("start of the discovering play (same unit), so an impression can only have caused the discovery when\n");
    md.append("`impression_ts <= discovery_ts`: an impression shown after the play started came after the discovery and\n");
    md.append("is never credited. The window here is 24 hours before the play's start. Only `new_to_entity` discoveries\n");
    md.append("are credited: a `new_user` discovery is the user's first day (everything they play is \"discovered\"), and\n");
    md.append("a null `discovery_kind` (incomplete lookback) may not be a discovery at all. Two discoveries of the same\n");
    md.append("entity by the same user are more than ").append(definition.discovery().lookbackDays())
        .append(" days apart, so an impression matches at most one; several\n");
    md.append("impressions can credit the same discovery (keep the latest per discovery for last-touch attribution).\n");
    md.append("For impressions of a track, join `d.discovery_item_id = i.item_id` (the discovering play's item) instead\n");
    md.append("of the entity. The labels follow the rules above: `stickiness_").append(stickinessDays)
        .append("` is set once `trace_mature`, `active_days_7` is\nfinal with `mature_7`.\n\n");
    String attribution = "SELECT i.*, d.discovery_date, d.discovery_ts, d.discovery_item_id, d.discovery_platform,\n"
        + "       d.discovery_context_type, d.active_days_7, d.mature_7, d.stickiness_" + stickinessDays
        + ", d.trace_mature\n"
        + "FROM recommendation_impressions AS i\n"
        + "JOIN %s AS d\n"
        + "  ON d.user_id = i.user_id AND d.entity_level = i.entity_level AND d.entity_id = i.entity_id\n"
        + " AND i.impression_ts <= d.discovery_ts\n"
        + " AND i.impression_ts > d.discovery_ts - 24 * 3600 * 1000\n"
        + "WHERE d.discovery_kind = 'new_to_entity'\n"
        + "ORDER BY i.user_id, i.impression_ts, i.entity_level, i.entity_id;\n";
    md.append("```sql\n-- DuckDB\n")
        .append(String.format(attribution,
            "read_parquet('<out>/user_entity_rewards/dt=*/*.parquet', hive_partitioning = true)"))
        .append("```\n\n");
    md.append("```sql\n-- Spark SQL\n").append(String.format(attribution, "user_entity_rewards")).append("```\n\n");

    md.append("### Reading a range of partitions (hive partitioning)\n\n");
    md.append("With hive partitioning `dt` is a DATE column, and a filter on it reads only the matching folders.\n");
    md.append("Here: how many `user_rewards` rows each partition holds, as of which run, and how many are final.\n\n");
    md.append("```sql\n-- DuckDB\n");
    md.append("SELECT dt, count(*) AS users, max(as_of) AS as_of, count(*) FILTER (WHERE mature_7) AS mature_7_rows\n");
    md.append("FROM read_parquet('<out>/user_rewards/*/*.parquet', hive_partitioning = true)\n");
    md.append("WHERE dt >= DATE '2024-03-01'\nGROUP BY dt\nORDER BY dt;\n```\n\n");
    md.append("```sql\n-- Spark SQL\n");
    md.append("SELECT dt, count(*) AS users, max(as_of) AS as_of, count_if(mature_7) AS mature_7_rows\n");
    md.append("FROM user_rewards\n");
    md.append("WHERE dt >= DATE '2024-03-01'\nGROUP BY dt\nORDER BY dt;\n```\n\n");

    md.append("### Rejected records by reason\n\n");
    md.append("```sql\n-- DuckDB\n");
    md.append("SELECT dt, reason, count(*) AS records\n");
    md.append("FROM read_parquet('<out>/rejected/dt=*/*.parquet', hive_partitioning = true)\n");
    md.append("GROUP BY dt, reason\nORDER BY dt, records DESC;\n```\n\n");
    md.append("```sql\n-- Spark SQL\n");
    md.append("SELECT dt, reason, count(*) AS records\n");
    md.append("FROM rejected\nGROUP BY dt, reason\nORDER BY dt, records DESC;\n```\n");
  }

  /** The column type as DuckDB reads the Parquet file (and the Parquet logical type where it helps). */
  public static String readerType(Schema schema) {
    Schema s = nonNull(schema);
    LogicalType logical = s.getLogicalType();
    if (logical instanceof LogicalTypes.Date) {
      return "DATE";
    }
    if (logical instanceof LogicalTypes.TimestampMillis) {
      return "TIMESTAMP WITH TIME ZONE (Parquet TIMESTAMP(MILLIS, UTC))";
    }
    if (logical != null) {
      throw new IllegalStateException("no reader type for logical type " + logical.getName());
    }
    switch (s.getType()) {
      case STRING:
        return "VARCHAR";
      case LONG:
        return "BIGINT";
      case INT:
        return "INTEGER";
      case BOOLEAN:
        return "BOOLEAN";
      case DOUBLE:
        return "DOUBLE";
      case FLOAT:
        return "FLOAT";
      case ARRAY:
        return readerType(s.getElementType()) + "[]";
      case RECORD:
        // A list of structs (reward_priors.backtest): DuckDB's STRUCT(name TYPE, ...).
        return "STRUCT(" + String.join(", ", s.getFields().stream()
            .map(f -> f.name() + " " + readerType(f.schema())).toList()) + ")";
      default:
        throw new IllegalStateException("no reader type for Avro type " + s);
    }
  }

  private static String nullability(Schema schema) {
    String column = isNullable(schema) ? "yes" : "no";
    Schema s = nonNull(schema);
    if (s.getType() == Schema.Type.ARRAY) {
      column += isNullable(s.getElementType()) ? "; elements nullable" : "; elements not null";
    }
    return column;
  }

  static boolean isNullable(Schema schema) {
    return schema.getType() == Schema.Type.UNION
        && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    List<Schema> types = schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
    if (types.size() != 1) {
      throw new IllegalStateException("only [null, T] unions are supported: " + schema);
    }
    return types.get(0);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String codeList(List<String> names) {
    return names.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s+", " ");
  }

  private static String cell(String text) {
    return oneLine(text).replace("|", "\\|");
  }
}
