package dev.parity.api.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this process and of its threads, grouped by role (thread name without its numbers), over
 * an interval: where Parity's microseconds go, and whether one thread caps throughput before the CPU does
 * (a group near 100 % of one core while the others idle).
 */
public final class ProcessCpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final long startNanos = System.nanoTime();
    private final long startProcess;
    private final long startGcMillis = gcMillis();
    private final long startJitMillis = jitMillis();
    private final Map<Long, Long> startThreads = new HashMap<>();

    /** Starts measuring now. */
    public ProcessCpu() {
        threads.setThreadCpuTimeEnabled(true);
        startProcess = os.getProcessCpuTime();
        for (long id : threads.getAllThreadIds()) {
            startThreads.put(id, Math.max(0, threads.getThreadCpuTime(id)));
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /**
     * What the interval cost.
     *
     * @param gcSeconds  time the collectors report (pauses and concurrent work: wall time of GC activity, not CPU)
     * @param jitSeconds time the JIT compilers report
     */
    public record Interval(double wallSeconds, double processCpuSeconds, Map<String, Double> cpuSecondsByRole, double gcSeconds,
                           double jitSeconds) {
        /** CPU of threads the JVM does not list (GC, JIT, RocksDB's native threads): the process's CPU minus its Java threads'. */
        public double unlistedCpuSeconds() {
            return Math.max(0, processCpuSeconds - cpuSecondsByRole.values().stream().mapToDouble(Double::doubleValue).sum());
        }

        /** The process's CPU per event, in microseconds. */
        public double microsPer(long events) {
            return events <= 0 ? Double.NaN : processCpuSeconds * 1e6 / events;
        }

        /** The busiest roles, as "role 41 % of a core" lines, at most {@code n}. */
        public String top(int n) {
            return cpuSecondsByRole.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                    .map(e -> String.format("    %-40s %5.1f %% of a core", e.getKey(), 100 * e.getValue() / wallSeconds))
                    .collect(Collectors.joining("\n"));
        }
    }

    public Interval stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        double process = (os.getProcessCpuTime() - startProcess) / 1e9;
        Map<String, Double> byRole = new LinkedHashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            double used = (cpu - startThreads.getOrDefault(info.getThreadId(), 0L)) / 1e9;
            byRole.merge(role(info.getThreadName()), used, Double::sum);
        }
        return new Interval(wall, process, byRole, (gcMillis() - startGcMillis) / 1000.0, (jitMillis() - startJitMillis) / 1000.0);
    }

    /** A thread's role: its name with instance numbers and ids folded away. */
    static String role(String threadName) {
        return threadName.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27,}", "*").replaceAll("\\d+", "N");
    }
}
