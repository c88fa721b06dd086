package dev.encore.generate;

/**
 * Deterministic, opaque identifiers.
 *
 * <p>Each id starts with a bijective scramble of (seed, kind, index), so two different indexes of one kind can
 * never get the same id, while the ids still look random (consumers must not rely on their order).
 */
final class Ids {
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static final long USER = 1;
  static final long ARTIST = 2;
  static final long ALBUM = 3;
  static final long TRACK = 4;
  static final long SHOW = 5;
  static final long EPISODE = 6;
  static final long EVENT = 7;

  private Ids() {}

  /** A bijection of index for a fixed (seed, kind): adding a constant and SplitMix64's finalizer both are. */
  static long scramble(long seed, long kind, long index) {
    return Rng.mix(index + Rng.mix(seed * 31 + kind));
  }

  /** 22 base62 characters, like a Spotify id: the unique scramble, then 11 more characters of noise. */
  static String catalogId(long seed, long kind, long index) {
    long unique = scramble(seed, kind, index);
    char[] out = new char[22];
    base62(unique, out, 0);
    base62(Rng.mix(unique ^ kind), out, 11);
    return new String(out);
  }

  /** A user id: "u" and 11 base62 characters. */
  static String userId(long seed, int userIndex) {
    char[] out = new char[12];
    out[0] = 'u';
    base62(scramble(seed, USER, userIndex), out, 1);
    return new String(out);
  }

  /** The id of a user's n-th play: 16 hex characters, unique because (user, n) maps to it bijectively. */
  static String eventId(long seed, int userIndex, long playNumber) {
    long unique = scramble(seed, EVENT, ((long) userIndex << 36) | playNumber);
    char[] out = new char[16];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (unique & 0xF)];
      unique >>>= 4;
    }
    return new String(out);
  }

  /** Writes an unsigned 64-bit value as exactly 11 base62 digits (62^11 > 2^64). */
  private static void base62(long value, char[] out, int offset) {
    long v = value;
    for (int i = 10; i >= 0; i--) {
      int digit = (int) Long.remainderUnsigned(v, 62);
      out[offset + i] = BASE62[digit];
      v = Long.divideUnsigned(v, 62);
    }
  }
}
