package dev.encore.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code encore bench}. */
public interface BenchOptions extends PipelineOptions {
  @Description("Scenarios, comma-separated, in the order they run: cold (nightly of the last day on a fresh root, "
      + "every arrival read), steady (the night after a published one: nightly of the last day on a copy of the "
      + "root published by the nightly of the day before), backfill (backfill of --backfillDays days of --testdata "
      + "on a fresh root, against one fresh nightly of its last day), testdata (nightly of --testdata's last day "
      + "on a fresh root). cold and steady run on every --sizes; backfill and testdata on --testdata.")
  @Default.String("cold,steady,backfill,testdata")
  String getScenarios();

  void setScenarios(String value);

  @Description("Runs of every engine in every scenario, interleaved (run 1 of every engine, then run 2, ...); the "
      + "table shows the median, results CSV every run.")
  @Default.Integer(3)
  int getRepeats();

  void setRepeats(int value);

  @Description("Data sizes of the generated logs, in plays per 60 days (the rate; k = thousand, M = million), "
      + "comma-separated, in the order they run: the logs hold size x days / 60 plays of size / playsPerUser "
      + "listeners, so 10M over 130 days is 21.7M plays of 25,000 listeners.")
  @Default.String("10M")
  String getSizes();

  void setSizes(String value);

  @Description("Beam runners measured on each size, in order: FlinkRunner (embedded mini-cluster, default "
      + "parallelism), SparkRunner (--sparkMaster=local[2]), DirectRunner.")
  @Default.String("FlinkRunner")
  String getRunners();

  void setRunners(String value);

  @Description("References run in every scenario but backfill: java (plain single-threaded Java pass, the same "
      + "datasets), duckdb (DuckDB SQL: sessions and user_rewards cold; sessions, activity and user_rewards in "
      + "steady state). Empty for none.")
  @Default.String("java,duckdb")
  String getReferences();

  void setReferences(String value);

  @Description("Days of history of the generated logs (130 or more: every dataset has rows, and the anchors of "
      + "the longest window are final).")
  @Default.Integer(130)
  int getDays();

  void setDays(int value);

  @Description("Plays per listener account per 60 days: users = size / playsPerUser, the same at every size "
      + "(about 6.7 plays per account and day).")
  @Default.Integer(400)
  int getPlaysPerUser();

  void setPlaysPerUser(int value);

  @Description("The committed sample's logs, for the testdata and backfill scenarios.")
  @Default.String("testdata/logs")
  String getTestdata();

  void setTestdata(String value);

  @Description("Days of the backfill scenario: backfill --from=<last day - (days - 1)> --to=<last day>.")
  @Default.Integer(90)
  int getBackfillDays();

  void setBackfillDays(int value);

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
