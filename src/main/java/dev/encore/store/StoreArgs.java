package dev.encore.store;

import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The store options of a command that runs no pipeline ({@code report}, {@code inspect}): the same
 * {@code --endpoint}, {@code --awsRegion}, {@code --s3PathStyleAccess}, {@code --hdfsConfiguration}, GCP options
 * and so on that {@code nightly} takes, parsed by Beam's parser, and Beam's file systems registered with them.
 */
public final class StoreArgs {
  private StoreArgs() {}

  /**
   * Parses {@code args} (each {@code --name=value}) as Beam's options and registers Beam's file systems with them.
   *
   * @throws IllegalArgumentException Beam's message, naming the option, when one is unknown or malformed
   * @throws dev.encore.EncoreException (usage) when the S3 options contradict each other
   */
  public static PipelineOptions parse(List<String> args) {
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation().as(PipelineOptions.class);
    S3StoreClientBuilderFactory.configure(options);
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }
}
