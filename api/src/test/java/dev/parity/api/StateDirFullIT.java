package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code state.dir} running short of space and filling up under a running {@code parity run}, and read-only at its start (README,
 * "When things fail"), on a small tmpfs of its own, under a replicated write load. Parity warns when space gets low,
 * stops by itself with exit code 5 and a clear line when it is too low and when the disk is full at once (never
 * hanging, never serving on), refuses to start on a read-only one as a config problem, and after each
 * stop carries on from its saved state once the disk is fixed: every row counted once per side, a target-only write made
 * while it was down found, nothing else ever DIVERGENT. Needs root (to mount a tmpfs); skipped otherwise.
 */
class StateDirFullIT {
    private static final String TOKEN = "full-token";
    private static final String TABLE = "public.items";
    private static final int ROWS = 10_000;
    private static final long MB = 1024L * 1024;
    private static final int MIN_FREE_MB = 48;

    @Test
    void shouldStopCleanlyWhenStateDirFillsRefuseAReadOnlyOneAndCarryOnOnceFixed() throws Exception {
        Path dir = Files.createTempDirectory("parity-full");
        Path mount = Files.createDirectories(dir.resolve("disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=320m", "tmpfs", mount.toString()) == 0,
                "mounting a tmpfs needs root; this test shows state.dir faults on one");
        Path state = mount.resolve("state");
        Path filler = mount.resolve("filler");
        List<ParityProcess> launched = new java.util.ArrayList<>();
        Set<String> everDivergent = new ConcurrentSkipListSet<>();
        Path console = dir.resolve("console.log");
        try (PostgresPair pg = PostgresPair.start()) {
            ReplicatedWrites.itemsTable(pg, ROWS, "diskfull");
            int port = ParityProcess.freePort();
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format("""
                    name: full
                    source: {url: "%s", user: postgres}
                    target: {url: "%s", user: postgres}
                    tables: {include: ["%s"]}
                    verify: {interval: 1h}
                    api: {port: %d, token: %s}
                    state: {dir: "%s", minFreeMb: %d}
                    """, pg.sourceUrl(), pg.targetUrl(), TABLE, port, TOKEN, state, MIN_FREE_MB));
            ReplicatedWrites load = new ReplicatedWrites(pg, ROWS);
            load.start();
            try {
                // 1. Space gets low (under twice the minimum): a warning, and on it goes.
                ParityProcess first = launch(launched, config, console, port, everDivergent);
                counted(first, pg, load);
                fillUntilFree(filler, mount, (MIN_FREE_MB + 20) * MB);
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(console).contains("Parity stops at " + MIN_FREE_MB + " MB"));
                assertThat(first.process().isAlive()).isTrue();
                assertThat(first.state()).isIn("IN_SYNC", "PENDING");

                // 2. Too low: a clean stop, exit 5, saying why.
                fillUntilFree(filler, mount, (MIN_FREE_MB / 2) * MB);
                assertStoppedWith(first, 5, "below state.minFreeMb (" + MIN_FREE_MB + " MB)", console);
                assertThat(Files.readString(console)).contains("parity: stopped because state.dir " + state);
                Files.delete(filler);
                ParityProcess second = launch(launched, config, console, port, everDivergent);
                counted(second, pg, load);

                // 3. Full at once (a filler takes every byte): still a stop with exit 5 in bounded time, and a clean restart.
                fillUntilFree(filler, mount, 0);
                assertStoppedWith(second, 5, "state.dir", console);
                pg.onTarget("UPDATE items SET note = 'target only' WHERE id = 42");
                Files.delete(filler);
                ParityProcess third = launch(launched, config, console, port, everDivergent);
                awaitOnly(third, pg, load, "MISMATCH 42");

                // 4. Read-only at start: refused as a config problem (exit 2, nothing written). (A file system with files
                // open for writing cannot be remounted read-only, so a running Parity is stopped first; a directory that
                // stops taking writes under a running one is StateDirGuardTest's.)
                third.close();
                assertThat(third.process().exitValue()).as("a stop asked for (SIGTERM) is no failure").isIn(0, 143);
                assertThat(run("mount", "-o", "remount,ro", mount.toString())).isZero();
                ParityProcess refused = launch(launched, config, console, port, everDivergent);
                assertStoppedWith(refused, 2, "state.dir: " + state + ": cannot be written (Read-only file system)", console);
                assertThat(everDivergent).as("nothing but the target-only write, ever").containsExactly("MISMATCH 42");
            } catch (AssertionError | Exception e) {
                System.err.println("--- DIVERGENT keys seen: " + everDivergent);
                if (!launched.isEmpty()) {
                    launched.get(launched.size() - 1).printLog();
                }
                throw e;
            } finally {
                load.stop();
                for (ParityProcess p : launched) {
                    p.close();
                }
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static ParityProcess launch(List<ParityProcess> launched, Path config, Path console, int port, Set<String> everDivergent)
            throws IOException {
        ParityProcess p = ParityProcess.launch(config, console, port, TOKEN);
        launched.add(p);
        p.watchDivergent(everDivergent, q -> q.divergent(TABLE));
        return p;
    }

    /** The process ends by itself within a minute (no hang) with this exit code, its console saying {@code why}. */
    private static void assertStoppedWith(ParityProcess p, int code, String why, Path console) throws Exception {
        assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).as("Parity stopped by itself").isTrue();
        assertThat(p.process().exitValue()).isEqualTo(code);
        assertThat(Files.readString(console)).contains(why);
    }

    /**
     * With the writes paused (the counts must hold still to be compared) once the process has taken some in: IN_SYNC with
     * every row of each side counted once. The writes go on afterwards.
     */
    private static void counted(ParityProcess p, PostgresPair pg, ReplicatedWrites load) throws Exception {
        awaitWritesWhileUp(p, load);
        load.pause();
        p.awaitCounted(pg, TABLE, "items");
        load.resume();
    }

    /** As {@link #counted}, but for exactly these DIVERGENT keys. */
    private static void awaitOnly(ParityProcess p, PostgresPair pg, ReplicatedWrites load, String... divergent) throws Exception {
        awaitWritesWhileUp(p, load);
        load.pause();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            assertThat(p.divergent(TABLE)).containsExactlyInAnyOrder(divergent);
            var t = p.table(TABLE);
            assertThat(t.path("pendingKeys").asLong()).isZero();
            assertThat(t.path("sourceRows").asLong()).as("each source row counted once").isEqualTo(pg.count(Side.SOURCE, "items"));
            assertThat(t.path("targetRows").asLong()).as("each target row counted once").isEqualTo(pg.count(Side.TARGET, "items"));
        });
        load.resume();
    }

    /** Lets 300 writes happen while the process is up (answering), so that the faults and restarts come under load. */
    private static void awaitWritesWhileUp(ParityProcess p, ReplicatedWrites load) {
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> p.state() != null);
        long before = load.done.get();
        await().atMost(Duration.ofSeconds(60)).until(() -> load.done.get() > before + 300);
    }

    /** Grows {@code filler} until the file system has at most {@code free} bytes left (0: until a write fails). */
    private static void fillUntilFree(Path filler, Path mount, long free) throws IOException {
        byte[] block = new byte[(int) MB];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            while (Files.getFileStore(mount).getUsableSpace() > free + (free == 0 ? 0 : MB)) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (free > 0) {
                throw full;
            }
            // the file system is full: what was asked for
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) {
            System.err.println(String.join(" ", command) + ": " + out);
        }
        return rc;
    }
}
