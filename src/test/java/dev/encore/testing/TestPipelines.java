package dev.encore.testing;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.testing.TestPipeline;

/**
 * Beam's {@link TestPipeline} for JUnit 5 transform tests: on the DirectRunner with its element checks on.
 *
 * <p>TestPipeline is a JUnit 4 rule, and JUnit 5 does not run rules. As a rule it would check after the test that
 * the pipeline ran; here each test calls {@code run()} itself, and {@code enableAbandonedNodeEnforcement(false)}
 * is what lets {@code run()} go without the rule (the PAsserts still fail the run). Encore's own command turns the
 * DirectRunner's immutability and encodability checks off for speed; tests turn them on, as they are there to
 * catch a DoFn that changes its input or an output its coder cannot round-trip.
 */
public final class TestPipelines {
  private TestPipelines() {}

  /** A fresh test pipeline: DirectRunner, immutability and encodability enforced, unique names required. */
  public static TestPipeline create() {
    DirectOptions options = TestPipeline.testingPipelineOptions().as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setEnforceImmutability(true);
    options.setEnforceEncodability(true);
    return TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
  }
}
