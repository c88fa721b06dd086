package dev.encore.docs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.encore.config.JobDefinition;
import dev.encore.nightly.Outputs;
import dev.encore.rewards.RewardSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A published schema changes only in ways its readers survive, unless the dataset's version is incremented with a
 * CHANGELOG entry and a snapshot (see schemas/CHANGELOG.md). The guard's rules are tested on hand-made pairs.
 */
class SchemaCompatibilityTest {
  private static final String BASE = """
      {"type": "record", "name": "Row", "namespace": "t", "doc": "A row.", "fields": [
        {"name": "user_id", "type": "string", "doc": "Listener."},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}, "doc": "Day."},
        {"name": "streams", "type": "int", "doc": "Streams."},
        {"name": "flags", "type": {"type": "array", "items": ["boolean", "null"]}, "doc": "Flags."},
        {"name": "note", "type": ["null", "string"], "default": null, "doc": "Note."}
      ]}""";

  private static Schema schema(String json) {
    return new Schema.Parser().parse(json);
  }

  /** {@code json} with {@code from} replaced, failing when it is not there (so no test passes vacuously). */
  private static String edit(String json, String from, String to) {
    if (!json.contains(from)) {
      throw new AssertionError("test schema has no " + from);
    }
    return json.replace(from, to);
  }

  private static List<String> changesTo(String current) {
    return SchemaGuard.breakingChanges(schema(BASE), schema(current));
  }

  /** The published datasets and their schema files, from the output registry. */
  private static Map<String, String> published() {
    return SchemaGuard.schemaFiles(Outputs.standard(RewardSpec.of(JobDefinition.builtIn())));
  }

  @Test
  void publishedSchemasAreCompatibleWithTheirReleasedVersions() {
    List<String> problems = SchemaGuard.check(Path.of("schemas"), published());
    assertThat(String.join("\n", problems), problems, empty());
  }

  @Test
  void sameSchemaAndDocChangeAreCompatible() {
    assertThat(changesTo(BASE), empty());
    assertThat(changesTo(edit(edit(BASE, "\"Streams.\"", "\"Qualifying plays, >= 1.\""),
        "\"A row.\"", "\"Another doc.\"")), empty());
  }

  @Test
  void addingANullableFieldIsCompatible() {
    assertThat(changesTo(edit(BASE, "\n]}",
        ",\n {\"name\": \"extra\", \"type\": [\"null\", \"long\"], \"default\": null, \"doc\": \"New.\"}\n]}")),
        empty());
  }

  @Test
  void reorderingUnionBranchesIsCompatible() {
    assertThat(changesTo(edit(BASE, "[\"boolean\", \"null\"]", "[\"null\", \"boolean\"]")), empty());
  }

  @Test
  void removingAFieldBreaks() {
    List<String> changes = changesTo(edit(BASE, 
        ",\n  {\"name\": \"note\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"Note.\"}", ""));
    assertThat(changes, contains("field note was removed"));
  }

  @Test
  void wideningIntToLongBreaksOurReaders() {
    assertThat(changesTo(edit(BASE, "\"streams\", \"type\": \"int\"", "\"streams\", \"type\": \"long\"")),
        contains("field streams changed type from int to long"));
  }

  @Test
  void narrowingLongToIntBreaksEvenThoughAvroPromotesIt() {
    String wide = edit(BASE, "\"streams\", \"type\": \"int\"", "\"streams\", \"type\": \"long\"");
    assertThat(SchemaGuard.breakingChanges(schema(wide), schema(BASE)), hasSize(1));
  }

  @Test
  void changingNullabilityBreaks() {
    assertThat(changesTo(edit(BASE, "\"streams\", \"type\": \"int\"", "\"streams\", \"type\": [\"null\", \"int\"]")),
        contains("field streams changed type from int to (int|null)"));
    assertThat(changesTo(edit(BASE, "\"note\", \"type\": [\"null\", \"string\"], \"default\": null",
        "\"note\", \"type\": \"string\"")), contains("field note changed type from (null|string) to string"));
    assertThat(changesTo(edit(BASE, "[\"boolean\", \"null\"]", "\"boolean\"")),
        contains("field flags changed type from array<(boolean|null)> to array<boolean>"));
  }

  @Test
  void changingALogicalTypeBreaks() {
    assertThat(changesTo(edit(BASE, "{\"type\": \"int\", \"logicalType\": \"date\"}", "\"int\"")),
        contains("field day changed type from int/date to int"));
  }

  @Test
  void addingARequiredFieldBreaks() {
    List<String> changes = changesTo(edit(BASE, "\n]}",
        ",\n {\"name\": \"extra\", \"type\": \"long\", \"default\": 0, \"doc\": \"New.\"}\n]}"));
    assertThat(changes, hasSize(1));
    assertThat(changes.get(0), containsString("field extra was added as long, not nullable"));
  }

  @Test
  void aBreakingChangePassesOnlyWithANewVersionEntryAndSnapshot(@TempDir Path dir) throws Exception {
    Map<String, String> datasets = Map.of("rows", "row.avsc");
    Files.createDirectories(dir.resolve("released"));
    Files.writeString(dir.resolve("released/rows.v1.avsc"), BASE);
    Files.writeString(dir.resolve("versions.json"), "{\"rows\": 1}");
    Files.writeString(dir.resolve("CHANGELOG.md"), "# Changelog\n\n## rows v1 (2026-11-25)\n\ninitial\n");
    Files.writeString(dir.resolve("row.avsc"), edit(BASE, "\"Streams.\"", "\"Streams, edited.\""));
    assertThat(SchemaGuard.check(dir, datasets), empty());

    String retyped = edit(BASE, "\"streams\", \"type\": \"int\"", "\"streams\", \"type\": \"long\"");
    Files.writeString(dir.resolve("row.avsc"), retyped);
    List<String> problems = SchemaGuard.check(dir, datasets);
    assertThat(problems, hasSize(1));
    assertThat(problems.get(0), containsString("rows: row.avsc breaks readers of released version 1"));
    assertThat(problems.get(0), containsString("\"rows\": 2 in versions.json"));

    Files.writeString(dir.resolve("versions.json"), "{\"rows\": 2}");
    problems = SchemaGuard.check(dir, datasets);
    assertThat(String.join("\n", problems), problems, hasSize(2));
    assertThat(problems.get(0), containsString("CHANGELOG.md has no entry \"## rows v2"));
    assertThat(problems.get(1), containsString("version 2 has no released snapshot"));

    Files.writeString(dir.resolve("CHANGELOG.md"),
        "# Changelog\n\n## rows v2 (2026-12-01)\n\nstreams is BIGINT.\n\n## rows v1 (2026-11-25)\n\ninitial\n");
    Files.writeString(dir.resolve("released/rows.v2.avsc"), retyped);
    assertThat(SchemaGuard.check(dir, datasets), empty());

    Files.writeString(dir.resolve("versions.json"), "{\"rows\": 2, \"gone\": 1}");
    assertEquals(List.of("gone: in versions.json but not a published dataset"), SchemaGuard.check(dir, datasets));
  }

  @Test
  void changelogHeadingsAreParsed() {
    assertThat(SchemaGuard.changelogEntries("# x\n## sessions v1 (2026-11-25)\ntext ## no v9\n## `activity` v12\n"),
        org.hamcrest.Matchers.containsInAnyOrder("sessions v1", "activity v12"));
  }
}
