package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SizesTest {
  @Test
  void parsesSizesAsPeopleWriteThem() {
    assertThat(Sizes.parse("1M"), equalTo(1_000_000L));
    assertThat(Sizes.parse("30M"), equalTo(30_000_000L));
    assertThat(Sizes.parse("2.5M"), equalTo(2_500_000L));
    assertThat(Sizes.parse("500k"), equalTo(500_000L));
    assertThat(Sizes.parse("500K"), equalTo(500_000L));
    assertThat(Sizes.parse("250000"), equalTo(250_000L));
    assertThat(Sizes.parse("1_000_000"), equalTo(1_000_000L));
    assertThat(Sizes.parseList("1M,10M, 30M"), equalTo(List.of(1_000_000L, 10_000_000L, 30_000_000L)));
  }

  @Test
  void refusesWhatIsNotAWholePositiveNumberOfPlays() {
    for (String bad : List.of("abc", "0", "-1M", "1.5", "0.0000001M", "1G", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad));
      assertThat(e.getMessage(), containsString("not a number of plays"));
    }
    assertThrows(IllegalArgumentException.class, () -> Sizes.parseList(" , "));
  }

  @Test
  void formatsShortAndBackAgain() {
    assertThat(Sizes.format(1_000_000), equalTo("1M"));
    assertThat(Sizes.format(30_000_000), equalTo("30M"));
    assertThat(Sizes.format(2_500_000), equalTo("2.5M"));
    assertThat(Sizes.format(500_000), equalTo("500k"));
    assertThat(Sizes.format(1_234_567), equalTo("1234567"));
    for (long n : List.of(1_000_000L, 2_500_000L, 500_000L, 1_500L, 1_234_567L, 7L)) {
      assertThat(Sizes.parse(Sizes.format(n)), equalTo(n));
    }
  }
}
