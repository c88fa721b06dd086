package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.encore.avro.ListeningEvent;
import dev.encore.publish.Publisher;
import dev.encore.testing.DuckDb;
import dev.encore.testing.TreeSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stuck client with 2 million plays in one day, in a JVM with a 1 GB heap: the night completes, the account is
 * left out of every output, counted and listed, and everybody else is served as usual.
 */
class HotUserIT {
  @TempDir Path tmp;

  @Test
  void twoMillionPlaysOfOneUserInADayDoNotSinkTheNight() throws Exception {
    Path logs = TreeSnapshot.copy(Path.of("testdata/logs"), tmp.resolve("logs"));
    try (Stream<Path> dirs = Files.list(logs)) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().compareTo("dt=2024-03-24") < 0
          && d.getFileName().toString().startsWith("dt=")).toList()) {
        dev.encore.store.StoreFiles.deleteTree(d.toString());
      }
    }
    long start = Instant.parse("2024-03-29T00:00:00Z").toEpochMilli();
    try (DataFileWriter<ListeningEvent> w = new DataFileWriter<>(new SpecificDatumWriter<>(ListeningEvent.class))) {
      w.create(ListeningEvent.getClassSchema(), logs.resolve("dt=2024-03-29/part-stuck.avro").toFile());
      for (int i = 0; i < 2_000_000; i++) {
        w.append(ListeningEvent.newBuilder().setEventId("stuck-" + i).setUserId("stuck-client")
            .setTs(Instant.ofEpochMilli(start + 40L * (i + 1))).setMsPlayed(40).setContentType("TRACK")
            .setItemId("t" + (i % 100)).build());
      }
    }
    Path out = tmp.resolve("out");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-jar", "target/encore.jar", "nightly", "--date=2024-03-30", "--logs=" + logs,
        "--output=" + out));
    Path log = tmp.resolve("run.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat("did not finish in 10 minutes", p.waitFor(10, TimeUnit.MINUTES), equalTo(true));
    assertThat(Files.readString(log), p.exitValue(), equalTo(0));

    Map<String, Object> meta = Publisher.readMetadata(out.resolve("sessions/dt=2024-03-29"));
    assertThat(meta.get("excluded_hot_users"), equalTo(Map.of("stuck-client", Map.of("2024-03-29", 2_000_000))));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "sessions")
        + " WHERE user_id = 'stuck-client'"), equalTo(0L));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "activity")
        + " WHERE user_id = 'stuck-client'"), equalTo(0L));
    assertThat(DuckDb.queryLong("SELECT count(*) FROM " + DuckDb.readDataset(out, "sessions")), greaterThan(100L));
  }
}
