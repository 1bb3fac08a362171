package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.CapturePhase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parity's own initial load ({@code snapshot.method: parity}) on real replicated pairs: drift made on the
 * target before Parity started is found with its exact keys, rows written through replication while the
 * load runs raise no false alarm, nothing reads IN_SYNC before the load is applied, and a load cut short
 * by a restart is done again. The verification sweep is off, so every finding here is the load's.
 */
class InitialLoadIT {
    private static final int ROWS = 20_000;
    /** Rows a second the MariaDB load may read (its budget). */
    private static final int BUDGET = 5_000;
    private static final String TOKEN = "l0ad";
    /** Ids the writer leaves alone: the drift made on the target before start. */
    private static final Set<Long> DRIFTED = Set.of(777L, 12_345L, 30_001L);

    @Test
    void shouldBaselinePostgresByKeyRangeAndResumeAfterARestart() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance INT NOT NULL, note VARCHAR(40))",
                    "CREATE TABLE tags (code VARCHAR(20) PRIMARY KEY, label TEXT NOT NULL)", HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO accounts SELECT g, 0, 'n' || g FROM generate_series(1, " + ROWS + ") g",
                    "INSERT INTO tags SELECT 't-' || g, 'label ' || g FROM generate_series(1, 300) g");
            pg.replicate("il");
            ParityProbe.awaitRows(pg::target, "accounts", ROWS);
            ParityProbe.awaitRows(pg::target, "tags", 300);
            pg.onTarget("UPDATE accounts SET balance = 7 WHERE id = 777", "DELETE FROM accounts WHERE id = 12345",
                    "INSERT INTO accounts VALUES (30001, 1, 'extra')", "UPDATE tags SET label = 'rogue' WHERE code = 't-42'");
            Path state = Files.createTempDirectory("parity-load-pg");
            // tags has a string key: paired by key look-ups, not ranges (orders may differ by collation).
            String yaml = config(pg.sourceUrl(), pg.targetUrl(), "postgres", "public.accounts\", \"public.tags", state);

            // Stopped before the load can finish: with the subscription paused, no target heartbeat arrives,
            // so the load cannot pass its first reads. The next start must do it again.
            pg.setSubscriptionEnabled("il", false);
            try (Parity first = Parity.start(ConfigLoader.parse(yaml, "il", Map.of()))) {
                assertThat(first.runtime().initialLoad()).isNotNull();
                assertThat((String) ParityProbe.status(first).get("baseline")).startsWith("PARITY: both sides read and paired by key");
                await().atMost(ParityProbe.VERDICT).until(() -> java.util.Arrays.stream(dev.parity.reconciler.model.Side.values())
                        .allMatch(s -> first.runtime().capture(s).phase() == CapturePhase.STREAMING));
                Map<String, Object> status = ParityProbe.status(first);
                assertThat(status.get("state")).isIn("SNAPSHOTTING", "STALE"); // STALE: the paused target delivers no heartbeat
                assertThat(status.get("reasons").toString()).contains("initial load by Parity");
                assertThat(first.runtime().initialLoad().complete()).isFalse();
                JsonNode report = ParityProbe.readiness(first, TOKEN, "?timeout=2s");
                assertThat(ParityProbe.failing(report)).contains("baseline");
            }
            pg.setSubscriptionEnabled("il", true);
            assertThat(state.resolve("capture").resolve("initial-load.pending")).exists();

            try (Parity p = Parity.start(ConfigLoader.parse(yaml, "il", Map.of()))) {
                assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("PARITY: resuming");
                loadUnderWrites(p, () -> pg.source(), "accounts", "public.accounts", 300); // and the 300 tags
                awaitTagDrift(p);
            }
            assertThat(state.resolve("capture").resolve("initial-load.pending")).doesNotExist();
            try (Parity again = Parity.start(ConfigLoader.parse(yaml, "il", Map.of()))) {
                assertThat(again.runtime().initialLoad()).as("a finished load is not repeated").isNull();
                assertThat((String) ParityProbe.status(again).get("baseline")).startsWith("RESUMED");
                awaitDrift(again, "public.accounts");
                awaitTagDrift(again);
            }
        }
    }

    /**
     * SIGKILL in the middle of a load (README, "The first baseline"): the restarted load does not read again a table the
     * first run read completely, continues the table it was reading from the last range whose reads Kafka acknowledged,
     * and finds the drift of both parts — in the part the first run read (its reads, sent before the crash, are applied
     * after it) and in the part the second run reads — with no false alarm and every row counted once.
     */
    @Test
    void shouldResumeALoadCutShortByACrashFromTheLastCompletedRangeOfEachTable() throws Exception {
        int rows = 60_000;
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl("CREATE TABLE badges (code VARCHAR(20) PRIMARY KEY, label TEXT NOT NULL)",
                    "CREATE TABLE ledger (id BIGINT PRIMARY KEY, balance INT NOT NULL, note VARCHAR(40))",
                    HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO badges SELECT 'b-' || g, 'label ' || g FROM generate_series(1, 300) g",
                    "INSERT INTO ledger SELECT g, 0, 'n' || g FROM generate_series(1, " + rows + ") g");
            pg.replicate("resume");
            ParityProbe.awaitRows(pg::target, "ledger", rows);
            ParityProbe.awaitRows(pg::target, "badges", 300);
            pg.onTarget("UPDATE ledger SET balance = 7 WHERE id = 777", "UPDATE ledger SET note = 'late' WHERE id = 59999",
                    "INSERT INTO ledger VALUES (60001, 1, 'extra')", "UPDATE badges SET label = 'rogue' WHERE code = 'b-42'");
            Path dir = Files.createTempDirectory("parity-load-resume");
            Path progress = dir.resolve("state").resolve("capture").resolve("initial-load.progress");
            int port = ParityProcess.freePort();
            // badges, then ledger (the load's order is the tables'); ledger at 5,000 rows a second takes 12 s at the least.
            Path config = Files.writeString(dir.resolve("parity.yaml"), config(pg.sourceUrl(), pg.targetUrl(), "postgres",
                    "public.badges\", \"public.ledger", dir.resolve("state"))
                    .replace("pageRows: 500}", "pageRows: 500, maxRowsPerSecond: 5000}").replace("port: 0", "port: " + port));
            Path log = dir.resolve("parity.log");
            long resumeAt;
            try (ParityProcess first = ParityProcess.launch(config, log, port, TOKEN)) {
                try {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() ->
                            Files.exists(progress) && Files.readString(progress).contains("\t1\t"));
                    first.kill();
                } catch (Throwable e) {
                    first.printLog();
                    throw e;
                }
                String text = Files.readString(progress);
                String ledger = java.util.Base64.getEncoder().encodeToString("public.ledger".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                String badges = java.util.Base64.getEncoder().encodeToString("public.badges".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(text).as("badges read completely before the crash").containsPattern("(?m)^" + badges + "\tdone\t300\t300\t");
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + ledger + "\t1\t(\\d+)\t").matcher(text);
                assertThat(m.find()).as(text).isTrue();
                resumeAt = Long.parseLong(m.group(1));
                // Past the drift at 777 (the first run's reads must still count), short of the one at 59,999 (read by the second).
                assertThat(resumeAt).as("ledger part of the way").isBetween(778L, 59_998L);
            }
            try (ParityProcess second = ParityProcess.launch(config, log, port, TOKEN)) {
                try {
                    String baseline = await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                            .until(() -> second.json("/api/v1/status").path("baseline").asText(), b -> !b.isEmpty());
                    assertThat(baseline).startsWith("PARITY: resuming").contains("1 read completely, 1 continued from their last completed range");
                    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                        assertThat(second.divergent("public.ledger")).containsExactly("EXTRA_ON_TARGET 60001", "MISMATCH 59999", "MISMATCH 777");
                        JsonNode badges = second.json("/api/v1/divergences?table=public.badges&limit=10").path("divergences");
                        assertThat(badges).hasSize(1);
                        assertThat(badges.get(0).path("key").path("code").asText()).isEqualTo("b-42");
                        assertThat(badges.get(0).path("state").asText()).isEqualTo("DIVERGENT");
                        JsonNode t = second.table("public.ledger");
                        assertThat(t.path("sourceRows").asLong()).isEqualTo(rows);
                        assertThat(t.path("targetRows").asLong()).isEqualTo(rows + 1);
                        assertThat(t.path("pendingKeys").asLong()).isZero();
                        assertThat(second.table("public.badges").path("sourceRows").asLong()).isEqualTo(300);
                    });
                    JsonNode snapshot = second.json("/api/v1/status").path("sides").path("source").path("snapshot");
                    assertThat(snapshot.path("running").asBoolean()).isFalse();
                    assertThat(snapshot.path("rowsDone").asLong()).isEqualTo(rows + 300);
                    JsonNode tables = snapshot.path("tables");
                    assertThat(tables.findValues("rowsResumed").stream().map(JsonNode::asLong).toList())
                            .as("rows the first run read and sent, not read again: %s", tables).containsExactlyInAnyOrder(300L, resumeAt);
                    assertThat(Files.readString(log)).contains("public.badges was read completely by an earlier run")
                            .contains("public.ledger resumes after " + resumeAt + " source");
                    assertThat(progress).as("removed once the load is applied").doesNotExist();
                } catch (Throwable e) {
                    second.printLog();
                    throw e;
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldBaselineMariaDbAndMySqlByKeyRange(Engine engine) throws Exception {
        try (BinlogPair db = BinlogPair.start(engine, "shop")) {
            db.onSource("CREATE TABLE shop.accounts (id BIGINT PRIMARY KEY, balance INT NOT NULL, note VARCHAR(40))",
                    "INSERT INTO shop.accounts SELECT seq, 0, CONCAT('n', seq) FROM " + BinlogPair.seq(ROWS));
            ParityProbe.awaitRows(db::target, "shop.accounts", ROWS);
            db.onTarget("SET sql_log_bin = 0", "UPDATE shop.accounts SET balance = 7 WHERE id = 777",
                    "DELETE FROM shop.accounts WHERE id = 12345", "INSERT INTO shop.accounts VALUES (30001, 1, 'extra')");
            Path state = Files.createTempDirectory("parity-load-maria");
            // A read budget too (snapshot.maxRowsPerSecond): the whole table cannot be read in less than ROWS / BUDGET seconds.
            String config = config(db.sourceUrl(), db.targetUrl(), "root", "shop.accounts", state)
                    .replace("pageRows: 500}", "pageRows: 500, maxRowsPerSecond: " + BUDGET + "}");
            try (Parity p = Parity.start(ConfigLoader.parse(config, "il", Map.of()))) {
                assertThat((String) ParityProbe.status(p).get("baseline")).startsWith("PARITY: both sides");
                loadUnderWrites(p, db::source, "shop.accounts", "shop.accounts", 0);
                // ROWS / BUDGET = 4 s at the least: the load waits out what its reads and its other waits (for the captures,
                // the reconciler) have not already spent; on a busy machine those alone can take longer, and then it waits
                // nothing. So the bound is on the load's whole time, less a second of timer slack.
                var load = p.runtime().initialLoad();
                await().atMost(ParityProbe.VERDICT).until(load::complete);
                assertThat(java.time.Duration.between(load.startedAt(), load.finishedAt())).as("the load within its read budget (waited %s)",
                        load.budgetWaited()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(ROWS / BUDGET - 1));
            }
        }
    }

    private static String config(String source, String target, String user, String table, Path state) {
        return String.format("""
                name: il
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: ["%s"]}
                snapshot: {method: parity, pageRows: 500}
                verify: {enabled: false}
                api: {port: 0, token: "%s"}
                state: {dir: "%s"}
                """, source, user, target, user, table, TOKEN, state);
    }

    /**
     * Updates, deletes and re-inserts random rows on the source (replicated, paced) while the load runs,
     * watching status all along: never IN_SYNC before the load is applied, never a DIVERGENT key but the
     * drift made before start; afterwards exactly that drift, over every row. Rows deleted on both sides
     * while the load still sends its reads must not make the reconciler refuse other keys' reads, nor
     * may a key whose read is still in flight look missing on a side (README, "The first baseline").
     */
    private static void loadUnderWrites(Parity p, ParityProbe.Connect source, String table, String mapped, long otherRows) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        AtomicLong deletes = new AtomicLong();
        Thread writer = new Thread(() -> {
            java.util.ArrayDeque<Long> deleted = new java.util.ArrayDeque<>();
            try (Connection c = source.connect();
                 PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET balance = balance + 1 WHERE id = ?");
                 PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (id, balance, note) VALUES (?, 0, ?)")) {
                while (writing.get()) {
                    long id = ThreadLocalRandom.current().nextLong(1, ROWS + 1);
                    if (DRIFTED.contains(id) || deleted.contains(id)) {
                        continue;
                    }
                    PreparedStatement ps = writes.get() % 8 == 7 ? delete : update;
                    ps.setLong(1, id);
                    ps.executeUpdate();
                    writes.incrementAndGet();
                    if (ps == delete) {
                        deleted.add(id);
                        deletes.incrementAndGet();
                    }
                    if (deleted.size() > 20) {
                        reinsert(insert, deleted.poll());
                    }
                    // Paced (~300 rows/s): a workload, not a flood that outruns replication on two cores.
                    java.util.concurrent.locks.LockSupport.parkNanos(3_000_000L);
                }
                while (!deleted.isEmpty()) {
                    reinsert(insert, deleted.poll()); // every row back: the table ends with all its rows
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "il-writer");
        writer.start();
        List<String> states = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).ignoreExceptionsInstanceOf(InvalidStateStoreException.class)
                    .until(() -> {
                        boolean loaded = p.runtime().initialLoad().complete(); // read first: the state read after it is at least as late
                        String s = ParityProbe.state(p);
                        states.add(s);
                        assertThat(loaded || !"IN_SYNC".equals(s)).as("IN_SYNC before the initial load was applied").isTrue();
                        assertThat(ParityProbe.divergences(p, mapped, 100)).filteredOn(d -> "DIVERGENT".equals(d.get("state")))
                                .extracting(d -> ((Number) ((Map<?, ?>) d.get("key")).get("id")).longValue())
                                .as("DIVERGENT while loading under writes").isSubsetOf(DRIFTED);
                        return loaded;
                    });
        } finally {
            writing.set(false);
            writer.join();
        }
        assertThat(deletes.get()).as("rows deleted during the load").isPositive();
        assertThat(states).contains("SNAPSHOTTING");
        assertThat(writes.get()).as("rows written during the load").isPositive();
        @SuppressWarnings("unchecked")
        Map<String, Object> snapshot = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ParityProbe.status(p).get("sides"))
                .get("source")).get("snapshot");
        assertThat(snapshot).containsEntry("method", "PARITY");
        // Each key is read once, in its range: those deleted just then were not there to read.
        assertThat(((Number) snapshot.get("rowsDone")).longValue()).isBetween(ROWS - deletes.get() + otherRows, ROWS + otherRows);
        awaitDrift(p, mapped);
        JsonNode report = ParityProbe.readiness(p, TOKEN, "?timeout=30s");
        assertThat(ParityProbe.failing(report)).contains("divergent-keys").doesNotContain("baseline");
    }

    private static void reinsert(PreparedStatement insert, long id) throws java.sql.SQLException {
        insert.setLong(1, id);
        insert.setString(2, "n" + id);
        insert.executeUpdate();
    }

    /** Exactly the three keys drifted before start are DIVERGENT, each of its kind; the row counts agree with the databases. */
    private static void awaitDrift(Parity p, String mapped) {
        await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(p, mapped, 100)).extracting(d -> ((Map<?, ?>) d.get("key")).get("id") + " " + d.get("kind") + " "
                    + d.get("state") + " " + d.get("detectedBy")).containsExactlyInAnyOrder("777 MISMATCH DIVERGENT INITIAL_LOAD",
                    "12345 MISSING_ON_TARGET DIVERGENT INITIAL_LOAD", "30001 EXTRA_ON_TARGET DIVERGENT INITIAL_LOAD");
            assertThat(ParityProbe.table(p, mapped)).containsEntry("sourceRows", (long) ROWS).containsEntry("targetRows", (long) ROWS)
                    .containsEntry("pendingKeys", 0L);
        });
    }

    /** The string-keyed table, loaded by key look-ups beside the integer ranges: its drift is found too. */
    private static void awaitTagDrift(Parity p) {
        await().atMost(ParityProbe.VERDICT).ignoreExceptionsInstanceOf(InvalidStateStoreException.class).untilAsserted(() -> {
            assertThat(ParityProbe.divergences(p, "public.tags", 100)).extracting(d -> d.get("key") + " " + d.get("kind") + " " + d.get("state"))
                    .containsExactly("{code=t-42} MISMATCH DIVERGENT");
            assertThat(ParityProbe.table(p, "public.tags")).containsEntry("sourceRows", 300L).containsEntry("targetRows", 300L);
        });
    }
}
