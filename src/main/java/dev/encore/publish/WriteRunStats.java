package dev.encore.publish;

import dev.encore.store.StoreFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Sums the run's exact counts ({@link RunStats}) and writes them as {@code key<TAB>count} lines into the staging
 * folder, where the launcher reads them after the pipeline for the summary and the run metadata.
 */
public class WriteRunStats extends PTransform<PCollection<KV<String, Long>>, PDone> {
  /** The folder of the counts inside the staging folder. */
  public static final String DIR = "_stats";
  private final String stagingRoot;

  public WriteRunStats(String stagingRoot) {
    this.stagingRoot = stagingRoot;
  }

  @Override
  public PDone expand(PCollection<KV<String, Long>> counts) {
    return counts
        .apply("SumCounts", Sum.longsPerKey())
        .apply(
            "FormatCounts",
            MapElements.into(TypeDescriptors.strings())
                .via((KV<String, Long> kv) -> kv.getKey() + "\t" + kv.getValue()))
        .apply(
            "WriteCounts",
            TextIO.write().to(stagingRoot + "/" + DIR + "/counts").withSuffix(".tsv").withNumShards(1));
  }

  /** Reads the counts a run wrote into {@code stagingRoot} (on any store). */
  public static Map<String, Long> read(String stagingRoot) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (String f : StoreFiles.match(StoreFiles.join(stagingRoot, DIR, "*.tsv"))) {
      for (String line : new String(StoreFiles.read(f), StandardCharsets.UTF_8).split("\n")) {
        int tab = line.indexOf('\t');
        if (tab > 0) {
          counts.merge(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)), Long::sum);
        }
      }
    }
    return counts;
  }
}
