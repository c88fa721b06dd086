package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Converts a few days of two users; asserts on shape and totals only, never printing the real rows. */
class SpotifyHistoryTest {
  // sp001's export ends on 2022-03-12 and sp002's in 2021: 03-13 and 03-14 have no plays, sp002 none at all.
  private static final LocalDate FROM = LocalDate.of(2022, 3, 11);
  private static final LocalDate TO = LocalDate.of(2022, 3, 14);

  @TempDir Path logs;

  private static List<GenericRecord> read(Path file) throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>(null, ListeningLogs.schema()))) {
      reader.forEach(out::add);
    }
    return out;
  }

  @Test
  void convertsASliceIntoCompleteDailyPartitions() throws IOException {
    SpotifyHistory.Conversion c =
        SpotifyHistory.convert(logs, SpotifyHistory.firstUsers(2), FROM, TO);

    assertThat(c.users(), contains("sp001"));
    assertThat(c.playsPerDay().keySet(), contains(FROM, FROM.plusDays(1), FROM.plusDays(2), TO));
    assertThat(c.playsPerDay().get(FROM), greaterThan(0L));
    assertThat(c.playsPerDay().get(TO), equalTo(0L));

    Set<String> eventIds = new HashSet<>();
    long total = 0;
    for (LocalDate dt = FROM; !dt.isAfter(TO); dt = dt.plusDays(1)) {
      Path dir = ListeningLogs.partitionDir(logs, dt);
      assertTrue(Files.isRegularFile(dir.resolve("_SUCCESS")), "_SUCCESS in " + dir);
      List<GenericRecord> records = read(dir.resolve("part-00000.avro")); // empty days still have a file
      assertThat("plays of " + dt, (long) records.size(), equalTo(c.playsPerDay().get(dt)));
      for (GenericRecord r : records) {
        long ts = (Long) r.get("ts");
        assertThat(SpecOracle.dayOf(ts), equalTo(dt)); // arrival day = day of ts
        assertThat(ts % 60_000, equalTo(0L)); // minute resolution
        assertThat(r.get("user_id").toString(), equalTo("sp001"));
        assertTrue(r.get("event_id").toString().matches("sp001-\\d{7}"), "event id format");
        assertThat(r.get("content_type").toString(), equalTo("TRACK"));
        assertTrue(!r.get("item_id").toString().isEmpty() && r.get("artist_id") != null, "ids present");
        assertTrue((Long) r.get("ms_played") >= 0, "ms_played >= 0");
        assertThat(r.get("skipped"), equalTo(null));
        eventIds.add(r.get("event_id").toString());
      }
      total += records.size();
    }
    assertThat(total, equalTo(c.plays()));
    assertThat((long) eventIds.size(), equalTo(total)); // event ids are unique

    // The converted days feed the oracle without rejections or duplicates, and every play lands in a
    // published session: with L = 4, run 03-15 publishes session days 03-10..03-14, and a play of 03-11
    // starts on 03-10 at the earliest.
    SpecOracle.Result r =
        SpecOracle.nightly(logs, TO.plusDays(1), new SpecOracle.Params(4, 30, 24, 30_000, 60_000));
    assertThat(r.totals().records(), equalTo(total));
    assertThat(r.totals().accepted(), equalTo(total));
    assertThat(r.sessionDays().get(0), equalTo(FROM.minusDays(1)));
    long published = r.aggregates().values().stream().mapToLong(SpecOracle.DayAggregate::plays).sum();
    assertThat(published, equalTo(total));
  }

  @Test
  void conversionIsDeterministic(@TempDir Path other) throws IOException {
    LocalDate day = LocalDate.of(2022, 3, 12);
    SpotifyHistory.convert(logs, List.of("sp001"), day, day);
    SpotifyHistory.convert(other, List.of("sp001"), day, day);
    // Avro files carry a random sync marker, so compare the records, not the bytes.
    Path file = Path.of("dt=" + day, "part-00000.avro");
    assertThat(read(logs.resolve(file)), equalTo(read(other.resolve(file))));
  }

  @Test
  void missingDataFileFailsClearly(@TempDir Path elsewhere) {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> SpotifyHistory.dataFile(elsewhere.resolve("repo")));
    assertThat(e.getMessage(), containsString(SpotifyHistory.FILE_NAME));
  }
}
