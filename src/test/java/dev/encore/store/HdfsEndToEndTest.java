package dev.encore.store;

import dev.encore.testing.MiniHdfs;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The end-to-end store checks on HDFS (a MiniDFSCluster on loopback): Hive folders renamed into place. */
class HdfsEndToEndTest extends StoreEndToEnd {
  private MiniHdfs hdfs;

  @BeforeAll
  void startHdfs() throws IOException {
    hdfs = MiniHdfs.start();
  }

  @AfterAll
  void stopHdfs() {
    if (hdfs != null) {
      hdfs.close();
    }
  }

  @Override
  String path(String... names) {
    return hdfs.path(names);
  }

  @Override
  List<String> storeArgs() {
    return List.of(hdfs.beamOption());
  }

  @Override
  boolean renames() {
    return true;
  }
}
