package dev.parity.ingest.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcCpuTest {
    @Test
    void shouldReadThisProcessAndItsThreadsByName() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
        long pid = ProcessHandle.current().pid();
        double[] x = {0};
        java.util.concurrent.CountDownLatch spun = new java.util.concurrent.CountDownLatch(1);
        Thread spinner = new Thread(() -> {
            var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            while (cpu.getCurrentThreadCpuTime() < 100_000_000L) {
                x[0] += Math.sqrt(x[0] + 1); // 100 ms of CPU on a thread of a known name, however busy the machine
            }
            spun.countDown();
            try {
                Thread.sleep(60_000); // alive (so listed) until the test has read it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "parity-spin-7");
        spinner.start();
        try {
            assertThat(spun.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Map<String, Double> threads = ProcCpu.threadSeconds(pid);
            assertThat(threads).as("numbers folded").containsKey("parity-spin-N");
            assertThat(threads.get("parity-spin-N")).isPositive();
            assertThat(threads.keySet()).allSatisfy(name -> assertThat(name).doesNotContainPattern("\\d"));
            assertThat(ProcCpu.treeSeconds(pid)).isGreaterThanOrEqualTo(threads.get("parity-spin-N"));
        } finally {
            spinner.interrupt();
        }
    }

    @Test
    void shouldFindAProcessByAnArgumentOfItsCommandLine() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc");
        String marker = "--port=parity-test-" + java.util.UUID.randomUUID();
        assertThat(ProcCpu.withArgument(marker)).as("no process has it yet").isEqualTo(-1);
        Process child = new ProcessBuilder("sh", "-c", "sleep 60", marker).start(); // $0 of the shell: an argument, never run
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ProcCpu.withArgument(marker) == child.pid());
            assertThat(ProcCpu.withArgument(marker.substring(0, marker.length() - 1))).as("whole arguments only").isEqualTo(-1);
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
