package dev.encore.rewards;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import dev.encore.config.JobDefinition;
import dev.encore.predictions.PredictionSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
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
    RewardSpec builtIn = RewardSpec.of(JobDefinition.builtIn());
    assertCommitted("reward_priors.avsc", PredictionSchemas.rewardPriors(60, builtIn.maturityAge()));
    assertCommitted("entity_predictions.avsc", PredictionSchemas.entityPredictions(60, builtIn.maturityAge()));
  }

  @Test
  void aNewHorizonIsANewColumn() {
    RewardSpec spec = new RewardSpec(
        Map.of(UserRewardColumns.ACTIVE_DAYS, List.of(7, 14, 28, 60), UserRewardColumns.VOLUME, List.of(28, 90)),
        List.of("artist"), 60, 30, List.of(7), 3);
    List<String> names =
        RewardSchemas.userRewards(spec).getFields().stream().map(Schema.Field::name).toList();
    assertThat(names, hasItems("active_days_14", "streams_90", "ms_played_90", "mature_14", "mature_90"));
    List<String> discovery =
        RewardSchemas.userEntityRewards(spec).getFields().stream().map(Schema.Field::name).toList();
    assertThat(discovery, hasItems("stickiness_30", "trace_mature"));
  }

  @Test
  void everyColumnFamilysValuesFitItsDeclaredColumns() {
    // Every family at once, so that a family added later is checked without a new test: its values must be of
    // its declared Avro types, and its columns must not collide with another's.
    Map<UserRewardColumns, List<Integer>> all = new EnumMap<>(UserRewardColumns.class);
    for (UserRewardColumns family : UserRewardColumns.values()) {
      all.put(family, List.of(3, 10));
    }
    RewardSpec spec = new RewardSpec(all, List.of("artist"), 60, 60, List.of(7), 3);
    Schema schema = RewardSchemas.userRewards(spec);
    NavigableMap<Long, UserRewardMath.Day> days = new TreeMap<>();
    for (long day : new long[] {100, 101, 103, 108, 109}) {
      days.put(day, new UserRewardMath.Day(3, 95_000));
    }
    for (long t : new long[] {103, 104, 120}) { // the anchor 100 is final from 103 on
      GenericRecord row =
          RewardRows.userReward(schema, spec, "u", 100, t,
              UserRewardMath.labels(days, 100, Finality.completeFrom(0, t, 3), spec));
      assertThat(row.toString(), GenericData.get().validate(schema, row), equalTo(true));
    }
    for (UserRewardColumns family : UserRewardColumns.values()) {
      for (UserRewardColumns.Column column : family.columns()) {
        assertThat(column.name(10), schema.getField(column.name(10)).doc(), not(emptyOrNullString()));
      }
    }
  }
}
