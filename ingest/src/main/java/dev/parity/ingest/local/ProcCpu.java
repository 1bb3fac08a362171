package dev.parity.ingest.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** CPU time of a local server's process tree, from /proc (Linux), for the benches' cost per change. */
public final class ProcCpu {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private ProcCpu() {
    }

    /** User + system seconds of {@code pid}, of its reaped children, and of its live children. */
    public static double treeSeconds(long pid) throws IOException {
        String[] own = stat(pid);
        double ticks = field(own, 14) + field(own, 15) + field(own, 16) + field(own, 17);
        for (long child : children(pid)) {
            try {
                String[] st = stat(child);
                ticks += field(st, 14) + field(st, 15);
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** The first live process with {@code argument} among its command-line arguments (a server by its {@code --port=N}); -1 if none. */
    public static long withArgument(String argument) throws IOException {
        for (long pid : pids()) {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), java.nio.charset.StandardCharsets.UTF_8);
                if (java.util.Arrays.asList(cmdline.split("\0")).contains(argument)) {
                    return pid;
                }
            } catch (IOException e) {
                // the process ended meanwhile, or is not ours to read
            }
        }
        return -1;
    }

    /** The live children of {@code pid}. */
    public static java.util.List<Long> children(long pid) throws IOException {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (long child : pids()) {
            try {
                if ((long) field(stat(child), 4) == pid) {
                    out.add(child);
                }
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        return out;
    }

    /** Every process id listed in /proc now. */
    private static java.util.List<Long> pids() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).toList();
        }
    }

    /** The fields of /proc/PID/stat, numbered from 1 as in proc(5), the command name (which may hold spaces) skipped. */
    private static String[] stat(long pid) throws IOException {
        return stat(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** As {@link #stat(long)}, of a stat file ({@code /proc/PID/stat} or a thread's {@code /proc/PID/task/TID/stat}). */
    private static String[] stat(Path file) throws IOException {
        String line = Files.readString(file);
        String afterName = line.substring(line.lastIndexOf(')') + 2);
        String[] rest = afterName.trim().split(" ");
        String[] out = new String[rest.length + 3];
        System.arraycopy(rest, 0, out, 3, rest.length);
        return out;
    }

    private static double field(String[] stat, int number) {
        return Double.parseDouble(stat[number]);
    }

    /**
     * CPU seconds of each thread of {@code pid} by its name (Linux truncates names to 15 characters) with numbers folded
     * away, summed: where another process's CPU goes. Threads that ended are not counted.
     */
    public static java.util.Map<String, Double> threadSeconds(long pid) throws IOException {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "N");
                    String[] st = stat(task.resolve("stat"));
                    double ticks = field(st, 14) + field(st, 15); // utime, stime
                    out.merge(name, ticks / TICKS_PER_SECOND, Double::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }
}
