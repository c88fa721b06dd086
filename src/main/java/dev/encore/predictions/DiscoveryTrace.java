package dev.encore.predictions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.BitSet;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The known part of one model discovery's trace (docs/rewards.md, "Predictions"): a {@code lookback_complete},
 * {@code new_to_entity} discovery of an entity on a final day, as of the run.
 *
 * @param entityId the entity discovered
 * @param day the discovery day D, epoch day
 * @param daysFinal days D+1 .. D+daysFinal are final: only they are known
 * @param active bit j-1 set when the user is active with the entity on D+j (j ≤ daysFinal)
 */
public record DiscoveryTrace(String entityId, long day, int daysFinal, BitSet active) implements Serializable {

  /** From a published trace: element j-1 is day D+j, null when not final. */
  public static DiscoveryTrace of(String entityId, long day, int daysFinal, List<Boolean> trace) {
    BitSet active = new BitSet();
    for (int j = 1; j <= daysFinal; j++) {
      if (Boolean.TRUE.equals(trace.get(j - 1))) {
        active.set(j - 1);
      }
    }
    return new DiscoveryTrace(entityId, day, daysFinal, active);
  }

  /** Whether the user is active with the entity on D+j (1 ≤ j ≤ daysFinal). */
  public boolean active(int j) {
    return active.get(j - 1);
  }

  /** Beam coder: the entity, the day, days_final and the active days as bytes. */
  public static final class Coder extends CustomCoder<DiscoveryTrace> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(DiscoveryTrace t, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(t.entityId(), out);
      VarLongCoder.of().encode(t.day(), out);
      VarIntCoder.of().encode(t.daysFinal(), out);
      ByteArrayCoder.of().encode(t.active().toByteArray(), out);
    }

    @Override
    public DiscoveryTrace decode(InputStream in) throws IOException {
      return new DiscoveryTrace(StringUtf8Coder.of().decode(in), VarLongCoder.of().decode(in),
          VarIntCoder.of().decode(in), BitSet.valueOf(ByteArrayCoder.of().decode(in)));
    }

    @Override
    public void verifyDeterministic() {}

    // Stateless: every instance is the same coder, also after Java serialization.
    @Override
    public boolean equals(Object other) {
      return other instanceof Coder;
    }

    @Override
    public int hashCode() {
      return Coder.class.hashCode();
    }
  }
}
