package dev.encore.store;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/** Registers the stores' options with Beam's parser (through META-INF/services), so every command accepts them. */
public final class StoreOptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return List.of(S3StoreOptions.class);
  }
}
