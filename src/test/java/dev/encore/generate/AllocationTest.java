package dev.encore.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AllocationTest {
  @Test
  void splitsExactlyInProportion() {
    long[] shares = Allocation.proportional(10, new double[] {1, 1, 2}, new long[] {100, 100, 100});
    // 2.5, 2.5, 5: the two halves go by index.
    assertThat(shares, equalTo(new long[] {3, 2, 5}));
  }

  @Test
  void capsBindAndTheRestIsSharedAmongTheOthers() {
    long[] shares = Allocation.proportional(100, new double[] {10, 1, 1}, new long[] {20, 100, 100});
    assertThat(shares, equalTo(new long[] {20, 40, 40}));
  }

  @Test
  void zeroWeightGetsNothingAndTotalsAreExact() {
    double[] weights = new double[1000];
    long[] caps = new long[1000];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = i % 7 == 0 ? 0 : Math.exp(Math.sin(i) * 3);
      caps[i] = 5 + i % 11;
    }
    long[] shares = Allocation.proportional(6000, weights, caps);
    assertThat(Arrays.stream(shares).sum(), equalTo(6000L));
    for (int i = 0; i < shares.length; i++) {
      assertThat(shares[i] <= caps[i], equalTo(true));
      if (weights[i] == 0) {
        assertThat(shares[i], equalTo(0L));
      }
    }
  }

  @Test
  void refusesMoreThanTheCapsHold() {
    assertThrows(IllegalArgumentException.class,
        () -> Allocation.proportional(11, new double[] {1, 1}, new long[] {5, 5}));
  }
}
