package dev.encore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.encore.nightly.NightlyOptions;
import dev.encore.store.S3StoreClientBuilderFactory;
import dev.encore.store.S3StoreOptions;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.junit.jupiter.api.Test;

class EncoreOptionsTest {
  private static final String[] REQUIRED = {"--date=2024-03-30", "--logs=testdata/logs", "--output=target/x"};

  private static NightlyOptions nightly(String... extra) {
    String[] args = new String[REQUIRED.length + extra.length];
    System.arraycopy(REQUIRED, 0, args, 0, REQUIRED.length);
    System.arraycopy(extra, 0, args, REQUIRED.length, extra.length);
    return Encore.nightlyOptions(args);
  }

  @Test
  void theEmbeddedFlinkRunnerIsTheDefault() {
    assertThat(nightly().getRunner(), equalTo(FlinkRunner.class));
  }

  @Test
  void theDirectRunnersElementChecksAreOffUnlessNamed() {
    DirectOptions plain = nightly("--runner=DirectRunner").as(DirectOptions.class);
    assertThat(plain.getRunner(), equalTo(DirectRunner.class));
    assertThat(plain.isEnforceImmutability(), equalTo(false));
    assertThat(plain.isEnforceEncodability(), equalTo(false));

    DirectOptions checked = nightly("--runner=DirectRunner", "--enforceImmutability=true", "--enforceEncodability")
        .as(DirectOptions.class);
    assertThat(checked.isEnforceImmutability(), equalTo(true));
    assertThat(checked.isEnforceEncodability(), equalTo(true));
  }

  @Test
  void s3PathStyleAccessIsAcceptedAndInstallsEncoresClientFactory() {
    S3StoreOptions pathStyle = nightly("--s3PathStyleAccess=true").as(S3StoreOptions.class);
    assertThat(pathStyle.getS3ClientFactoryClass(), equalTo(S3StoreClientBuilderFactory.class));
    assertThat(nightly().as(S3StoreOptions.class).getS3ClientFactoryClass(),
        equalTo(DefaultS3ClientBuilderFactory.class));
  }
}
