package dev.encore.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The retention constants of the generator ({@link Retention}) are the ones {@link RetentionCalibration} fits
 * to the real histories in ../shared/data (skipped where that data is absent). Prints the fit.
 */
class RetentionCalibrationTest {
  @Test
  void theGeneratorUsesTheCalibratedNumbers() throws IOException {
    Path data = Path.of("..", "shared", "data", "spotify-history-102-users.csv.gz");
    Assumptions.assumeTrue(Files.isRegularFile(data), "no real data at " + data);
    RetentionCalibration.Fit fit = RetentionCalibration.fit(data);
    System.out.print(RetentionCalibration.describe(fit));
    assertThat(fit.discoveries(), greaterThan(50_000L));
    assertThat(Retention.C, closeTo(fit.c(), 5e-5));
    assertThat(Retention.GAMMA, closeTo(fit.gamma(), 5e-5));
    assertThat(Retention.ALPHA, closeTo(fit.alpha(), 5e-4));
    assertThat(Retention.BETA, closeTo(fit.beta(), 5e-4));
    // The model's mean propensity is the pooled adoption probability.
    assertThat(Retention.ALPHA / (Retention.ALPHA + Retention.BETA), closeTo(fit.pi(), 1e-4));
  }
}
