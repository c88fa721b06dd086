package dev.encore.predictions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

/** A discovery's known trace: built from a published trace, read day by day, and through its Beam coder. */
class DiscoveryTraceTest {

  private static BitSet bits(int... indices) {
    BitSet b = new BitSet();
    for (int i : indices) {
      b.set(i);
    }
    return b;
  }

  @Test
  void ofReadsTheFinalDaysOfAPublishedTrace() {
    // W = 5, days_final 3: trace[0..2] are days D+1..D+3, the rest null (not final).
    DiscoveryTrace t = DiscoveryTrace.of("artist-1", 19_000, 3, Arrays.asList(true, false, true, null, null));
    assertThat(t, equalTo(new DiscoveryTrace("artist-1", 19_000, 3, bits(0, 2))));
    assertThat(t.active(1), is(true));
    assertThat(t.active(2), is(false));
    assertThat(t.active(3), is(true));

    // Only the first days_final entries are read, whatever follows them.
    DiscoveryTrace prefix = DiscoveryTrace.of("artist-1", 19_000, 2, Arrays.asList(true, true, true));
    assertThat(prefix.active(), equalTo(bits(0, 1)));

    // Nothing final yet: no active day.
    DiscoveryTrace none = DiscoveryTrace.of("artist-1", 19_000, 0, Collections.nCopies(59, (Boolean) null));
    assertThat(none, equalTo(new DiscoveryTrace("artist-1", 19_000, 0, new BitSet())));

    // A whole 59-day trace, active on the first and last day only.
    Boolean[] mature = new Boolean[59];
    Arrays.fill(mature, false);
    mature[0] = true;
    mature[58] = true;
    DiscoveryTrace whole = DiscoveryTrace.of("artist-1", 19_000, 59, List.of(mature));
    assertThat(whole.active(), equalTo(bits(0, 58)));
    assertThat(whole.active(59), is(true));
    assertThat(whole.active(58), is(false));
  }

  @Test
  void coderRoundTrips() throws Exception {
    Coder<DiscoveryTrace> coder = DiscoveryTrace.Coder.of();
    List<DiscoveryTrace> values = List.of(
        new DiscoveryTrace("artist-1", 19_000, 0, new BitSet()),
        new DiscoveryTrace("artist-1", 19_000, 3, bits(0, 2)),
        new DiscoveryTrace("Björk", -1, 59, bits(0, 7, 8, 58)),
        new DiscoveryTrace("", Long.MAX_VALUE, 59, bits(58)));
    for (DiscoveryTrace v : values) {
      CoderProperties.coderDecodeEncodeEqual(coder, v);
      CoderProperties.coderDeterministic(coder, v, new DiscoveryTrace(v.entityId(), v.day(), v.daysFinal(),
          (BitSet) v.active().clone()));
    }
    // A coder shipped to workers (Java-serialized) equals the original and decodes what the original encodes.
    CoderProperties.coderSerializable(coder);
    Coder<DiscoveryTrace> shipped = SerializableUtils.clone(DiscoveryTrace.Coder.of());
    assertThat(shipped, equalTo(coder));
    assertThat(shipped.hashCode(), equalTo(coder.hashCode()));
    assertThat(coder, not(equalTo((Object) StringUtf8Coder.of())));
    for (DiscoveryTrace v : values) {
      assertThat(CoderUtils.decodeFromByteArray(shipped, CoderUtils.encodeToByteArray(coder, v)), equalTo(v));
    }
    // Values that differ in one field only encode differently.
    assertThat(CoderUtils.encodeToByteArray(coder, values.get(1)),
        not(equalTo(CoderUtils.encodeToByteArray(coder, new DiscoveryTrace("artist-1", 19_000, 3, bits(0))))));
    assertThat(CoderUtils.encodeToByteArray(coder, values.get(1)),
        not(equalTo(CoderUtils.encodeToByteArray(coder, new DiscoveryTrace("artist-1", 19_000, 4, bits(0, 2))))));
  }
}
