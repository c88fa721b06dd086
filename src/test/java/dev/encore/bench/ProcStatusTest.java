package dev.encore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import org.junit.jupiter.api.Test;

class ProcStatusTest {
  static final String STATUS =
      """
      Name:\tjava
      Umask:\t0022
      State:\tS (sleeping)
      Pid:\t4242
      VmPeak:\t 9282092 kB
      VmSize:\t 9282092 kB
      VmHWM:\t 1863512 kB
      VmRSS:\t  860476 kB
      Threads:\t41
      """;

  @Test
  void readsThePeakResidentSetSize() {
    assertThat(ProcStatus.peakRssBytes(STATUS), equalTo(1_863_512L * 1024));
  }

  @Test
  void aStatusWithoutVmHwmGivesMinusOne() {
    // A process that has exited but not been reaped (a zombie) has no memory lines.
    assertThat(ProcStatus.peakRssBytes("Name:\tjava\nState:\tZ (zombie)\n"), equalTo(-1L));
    assertThat(ProcStatus.peakRssBytes(""), equalTo(-1L));
    assertThat(ProcStatus.peakRssBytes(Long.MAX_VALUE), equalTo(-1L));
  }

  @Test
  void readsThisProcessWhereProcExists() {
    if (new java.io.File("/proc/self/status").exists()) {
      assertThat(ProcStatus.peakRssBytes(ProcessHandle.current().pid()), greaterThan(0L));
    }
  }

  @Test
  void machineFactsComeFromProcFiles() {
    assertThat(Machine.memTotalGib("MemTotal:       24641748 kB\nMemFree:        21000000 kB\n"),
        closeTo(23.5, 0.01));
    assertThat(Machine.memTotalGib(""), equalTo(0.0));
    assertThat(Machine.cpuModel("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"),
        equalTo("AMD EPYC 7B13"));
    assertThat(Machine.cpuModel(""), equalTo("unknown CPU"));
    assertThat(Machine.loadAverage("1.52 0.98 0.40 2/180 4242\n"), equalTo("1.52"));
    assertThat(Machine.loadAverage(""), equalTo("unknown"));
  }
}
