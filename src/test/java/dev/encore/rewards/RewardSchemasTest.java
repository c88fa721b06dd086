package dev.encore.rewards;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The committed reward schemas are exactly what the default definitions build, and every field is documented. */
class RewardSchemasTest {
  private static void assertCommitted(String file, Schema built) throws Exception {
    String committed = Files.readString(Path.of("schemas", file)).strip();
    assertThat("schemas/" + file + " is stale; write this instead:\n" + built.toString(true),
        committed, equalTo(built.toString(true).strip()));
    for (Schema.Field f : built.getFields()) {
      assertThat(file + " " + f.name(), f.doc(), not(emptyOrNullString()));
    }
  }

  @Test
  void committedSchemasMatchTheDefaultDefinitions() throws Exception {
    assertCommitted("user_rewards.avsc", RewardSchemas.userRewards(RewardMathTest.SPEC));
    assertCommitted("user_entity_rewards.avsc", RewardSchemas.userEntityRewards(RewardMathTest.SPEC));
    assertCommitted("entity_rewards.avsc", RewardSchemas.entityRewards(RewardMathTest.SPEC));
  }

  @Test
  void aNewHorizonIsANewColumn() {
    RewardSpec spec = new RewardSpec(
        List.of(7, 14, 28, 60), List.of(28, 90), List.of("artist"), 60, 30, List.of(7), 3);
    List<String> names =
        RewardSchemas.userRewards(spec).getFields().stream().map(Schema.Field::name).toList();
    assertThat(names, hasItems("active_days_14", "streams_90", "ms_played_90", "mature_14", "mature_90"));
    List<String> discovery =
        RewardSchemas.userEntityRewards(spec).getFields().stream().map(Schema.Field::name).toList();
    assertThat(discovery, hasItems("stickiness_30", "mature_30"));
  }
}
