package dev.encore.store;

import dev.encore.EncoreException;
import org.apache.beam.sdk.io.aws2.options.AwsOptions;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Beam's default S3 client builder (endpoint, region, credentials, HTTP settings from the AWS options) with
 * {@code --s3PathStyleAccess} applied. Beam's options have no path-style switch, only this factory hook.
 */
public final class S3StoreClientBuilderFactory implements S3ClientBuilderFactory {
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    return new DefaultS3ClientBuilderFactory().createBuilder(options)
        .forcePathStyle(options.as(S3StoreOptions.class).getS3PathStyleAccess());
  }

  /**
   * Makes {@code --s3PathStyleAccess=true} take effect: installs this factory as {@code --s3ClientFactoryClass}
   * when that is still Beam's default, so users never name it. Call before the options reach
   * {@code FileSystems.setDefaultPipelineOptions} (the choice then travels to workers with the options). Without
   * path style nothing changes. Idempotent.
   *
   * Also pins the AWS region ({@link #pinRegion}).
   *
   * @throws EncoreException when path style is asked for together with another factory, which would ignore it
   */
  public static void configure(PipelineOptions options) {
    pinRegion(options);
    S3StoreOptions s3 = options.as(S3StoreOptions.class);
    if (!s3.getS3PathStyleAccess()) {
      return;
    }
    Class<?> factory = s3.getS3ClientFactoryClass();
    if (factory == DefaultS3ClientBuilderFactory.class) {
      s3.setS3ClientFactoryClass(S3StoreClientBuilderFactory.class);
    } else if (factory != S3StoreClientBuilderFactory.class) {
      throw new EncoreException(EncoreException.USAGE, "--s3PathStyleAccess=true cannot apply to the S3 client "
          + "factory " + factory.getName() + " given by --s3ClientFactoryClass: set path style in that factory, or "
          + "drop --s3ClientFactoryClass so that Encore's factory (" + S3StoreClientBuilderFactory.class.getName()
          + ") applies it.");
    }
  }

  /**
   * Looks the AWS region up once and sets it, so that it travels with the options. Left unset, Beam's default asks
   * the AWS region chain (EC2 instance metadata included: 0.8 s on a machine outside EC2) each time options are
   * deserialized, which runners do for every task and the DirectRunner for every bundle: it doubled the test
   * suite's DirectRunner runs. Where the chain finds none, us-east-1 (what S3-compatible stores accept; on AWS,
   * give --awsRegion or AWS_REGION).
   */
  static void pinRegion(PipelineOptions options) {
    AwsOptions aws = options.as(AwsOptions.class);
    Region region = aws.getAwsRegion();
    aws.setAwsRegion(region == null ? Region.US_EAST_1 : region);
  }
}
