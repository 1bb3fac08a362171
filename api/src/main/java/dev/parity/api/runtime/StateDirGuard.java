package dev.parity.api.runtime;

import dev.parity.api.config.ConfigException;
import dev.parity.api.config.ConfigProblem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Parity from running on a {@code state.dir} it cannot write (README, "When things fail"). Everything Parity
 * keeps lives there — the embedded broker's log, the reconciler's RocksDB stores, the captures' offsets and schema
 * history — and each of those fails in its own way when a write fails: the broker halts the process, a store write
 * kills a reconciler thread, a capture cannot commit its position. So Parity checks before it starts (the directory
 * can be created and written, and has {@code state.minFreeMb} free) and then every few seconds, and stops cleanly —
 * every store flushed, every offset committed, the broker shut down in order — while there is still room to do so,
 * rather than let the first of them fail mid-write. A restart once space is freed carries on from that state.
 */
public final class StateDirGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateDirGuard.class);
    /** How often the running check looks. */
    static final Duration PERIOD = Duration.ofSeconds(2);
    private static final long MB = 1024L * 1024;
    private static final String PROBE = ".parity-write-probe";

    private final Path dir;
    private final long minFreeBytes;
    private final AtomicBoolean warned = new AtomicBoolean();
    private volatile ScheduledExecutorService timer;
    private volatile long lastFreeBytes = -1;

    public StateDirGuard(Path dir, int minFreeMb) {
        this.dir = dir.toAbsolutePath().normalize();
        this.minFreeBytes = minFreeMb * MB;
    }

    /**
     * Before anything is written: creates the directory if needed and refuses, as a config problem
     * ({@code state.dir: <path>: <reason>}), one that cannot be written or has too little room.
     */
    public void requireUsable() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw unusable("cannot be created (" + describe(e) + ")");
        }
        String problem = problem();
        if (problem != null) {
            throw unusable(problem);
        }
    }

    private ConfigException unusable(String reason) {
        return ConfigException.onThisMachine(List.of(new ConfigProblem("state.dir", dir.toString(), reason)));
    }

    /**
     * What keeps Parity from going on with this directory, or null: a write that fails (read-only, removed, no
     * permission, full), or less free space than the minimum.
     */
    public String problem() {
        Path probe = dir.resolve(PROBE);
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap("parity".getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        } catch (IOException e) {
            return "cannot be written (" + describe(e) + ")";
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // reported by the write above, or harmless
            }
        }
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return "its free space cannot be read (" + describe(e) + ")";
        }
        lastFreeBytes = free;
        if (free < minFreeBytes) {
            return "has " + free / MB + " MB free, below state.minFreeMb (" + minFreeBytes / MB + " MB)";
        }
        return null;
    }

    /** Free bytes on the directory's file system at the last look; -1 before the first. */
    public long freeBytes() {
        return lastFreeBytes;
    }

    /**
     * Looks every {@link #PERIOD}: warns once when free space falls under twice the minimum, and calls {@code stop}
     * once, with the reason, when the directory can no longer be used.
     */
    public void watch(java.util.function.Consumer<String> stop) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "parity-state-dir-guard");
            th.setDaemon(true);
            return th;
        });
        timer = t;
        AtomicBoolean stopped = new AtomicBoolean();
        t.scheduleWithFixedDelay(() -> {
            String problem = problem();
            if (problem != null) {
                if (stopped.compareAndSet(false, true)) {
                    LOG.error("state.dir {} {}: stopping cleanly while its state can still be saved; free space (or make it writable)"
                            + " and start Parity again, it carries on from where it stopped", dir, problem);
                    stop.accept(problem);
                }
                return;
            }
            long free = lastFreeBytes;
            if (free < 2 * minFreeBytes) {
                if (warned.compareAndSet(false, true)) {
                    LOG.warn("state.dir {} has {} MB free; Parity stops at {} MB (state.minFreeMb)", dir, free / MB, minFreeBytes / MB);
                }
            } else {
                warned.set(false);
            }
        }, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }
}
