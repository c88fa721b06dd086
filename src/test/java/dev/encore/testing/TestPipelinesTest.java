package dev.encore.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.junit.jupiter.api.Test;

class TestPipelinesTest {
  @Test
  void transformTestsRunOnTheDirectRunnerWithItsElementChecksOn() {
    // Checked once here, as a transform test that passes does not show the checks ran. (A DoFn that changed its
    // input failed such a pipeline with IllegalMutationException when this was written.)
    DirectOptions options = TestPipelines.create().getOptions().as(DirectOptions.class);
    assertThat(options.getRunner(), equalTo(DirectRunner.class));
    assertThat(options.isEnforceImmutability(), equalTo(true));
    assertThat(options.isEnforceEncodability(), equalTo(true));
  }
}
