package dev.encore.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code encore bench}. */
public interface BenchOptions extends PipelineOptions {
  @Description("Data sizes in generated plays, comma-separated, in the order they run (k = thousand, M = million).")
  @Default.String("1M,10M,30M")
  String getSizes();

  void setSizes(String value);

  @Description("Beam runners measured on each size, in order: FlinkRunner (embedded mini-cluster, default "
      + "parallelism), SparkRunner (--sparkMaster=local[2]), DirectRunner.")
  @Default.String("FlinkRunner,SparkRunner,DirectRunner")
  String getRunners();

  void setRunners(String value);

  @Description("References run first on each size: java (plain single-threaded Java pass, the same datasets), "
      + "duckdb (DuckDB SQL: sessions and user_rewards). Empty for none.")
  @Default.String("java,duckdb")
  String getReferences();

  void setReferences(String value);

  @Description("Days of history: the plays are spread over this many arrival days, and each run is the nightly of "
      + "the last day on a fresh output root, so it reads them all.")
  @Default.Integer(60)
  int getDays();

  void setDays(int value);

  @Description("Plays per listener account over the history: users = plays / playsPerUser, the same at every "
      + "size (with 60 days about 6.7 plays per account and day).")
  @Default.Integer(400)
  int getPlaysPerUser();

  void setPlaysPerUser(int value);

  @Description("Seed of the generated data.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("Work directory: generated data, cached per size and seed (re-runs do not regenerate), the runs' "
      + "logs, and their output roots (deleted after each run).")
  @Default.String("target/bench")
  String getWork();

  void setWork(String value);

  @Description("CSV file the rows are appended to (created with a header).")
  @Default.String("docs/bench/results.csv")
  String getCsv();

  void setCsv(String value);

  @Description("Markdown page rewritten with this run's table, targets and machine.")
  @Default.String("docs/bench/latest.md")
  String getMarkdown();

  void setMarkdown(String value);

  @Description("The DirectRunner is 20-50x slower: it is skipped (and the table says so) above this many plays.")
  @Default.Long(1_000_000)
  long getMaxDirectPlays();

  void setMaxDirectPlays(long value);

  @Description("Maximum heap of every runner's JVM (java -Xmx); the peak-memory target is measured under it.")
  @Default.String("4g")
  String getXmx();

  void setXmx(String value);

  @Description("Maximum heap of the references' JVMs: the plain-Java pass holds every play in memory (about "
      + "3.5 GiB at 10M plays, so 30M needs more than the runners' heap).")
  @Default.String("16g")
  String getReferenceXmx();

  void setReferenceXmx(String value);

  @Description("Threads of the DuckDB reference (SET threads).")
  @Default.Integer(2)
  int getDuckdbThreads();

  void setDuckdbThreads(int value);

  @Description("Free text recorded with the results (CSV and Markdown), e.g. \"quiet machine\".")
  @Default.String("")
  String getNote();

  void setNote(String value);
}
