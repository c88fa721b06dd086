package dev.encore.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Play counts as people write them: {@code 1M}, {@code 30M}, {@code 500k}, {@code 2.5M}, {@code 250000}. */
public final class Sizes {
  private Sizes() {}

  /**
   * Parses a comma-separated list of sizes, in the order given.
   *
   * @throws IllegalArgumentException naming the size that is not a positive whole number of plays
   */
  public static List<Long> parseList(String text) {
    List<Long> sizes = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        sizes.add(parse(part.strip()));
      }
    }
    if (sizes.isEmpty()) {
      throw new IllegalArgumentException("--sizes=" + text + " names no size; for example --sizes=1M,10M");
    }
    return List.copyOf(sizes);
  }

  /** One size: digits with an optional k (thousand) or M (million) suffix. */
  public static long parse(String text) {
    String t = text.strip();
    long unit = 1;
    if (t.endsWith("k") || t.endsWith("K")) {
      unit = 1_000;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("M") || t.endsWith("m")) {
      unit = 1_000_000;
      t = t.substring(0, t.length() - 1);
    }
    try {
      BigDecimal value = new BigDecimal(t.replace("_", "")).multiply(BigDecimal.valueOf(unit));
      long plays = value.longValueExact();
      if (plays <= 0) {
        throw new ArithmeticException();
      }
      return plays;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a number of plays; use for example 1M, 500k,"
          + " 2.5M or 250000");
    }
  }

  /** The short form: 1M, 30M, 2.5M, 500k, or the plain number. */
  public static String format(long plays) {
    if (plays % 100_000 == 0 && plays >= 1_000_000) {
      return BigDecimal.valueOf(plays, 6).stripTrailingZeros().toPlainString() + "M";
    }
    if (plays % 1_000 == 0) {
      return BigDecimal.valueOf(plays, 3).stripTrailingZeros().toPlainString() + "k";
    }
    return Long.toString(plays);
  }
}
