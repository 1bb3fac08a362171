package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.MySqlPair;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.state.Watermark;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each server of a replicated pair stopped under writes, then started again (README, "When things fail"): a
 * PostgreSQL pair (logical replication) and a MySQL pair (GTID replication). The source: Parity knows at once (its heartbeat write fails) and says STALE within two heartbeat
 * intervals, never IN_SYNC while the source is down nor before a heartbeat written after it came back has passed
 * both streams on every partition; a target-only write made while the source was down is found once it is back.
 * The target: STALE while it is down (its capture's connection is gone), the capture replaced from its offsets once
 * it is back, the replication backlog applied, and IN_SYNC again by itself with no key ever reported DIVERGENT.
 */
class DatabaseOutageIT {
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /** Two PostgreSQL servers with logical replication, each on a fixed port and data directory. */
    @Nested
    class OnPostgres extends Contract {
        private Path sourceDir;
        private int sourcePort;
        private Path targetDir;
        private int targetPort;
        private volatile EmbeddedPostgres source;
        private volatile EmbeddedPostgres target;

        OnPostgres() {
            super("public.accounts");
        }

        /** A server on a fixed port and data directory, so that it can be stopped and started again as the same server. */
        private EmbeddedPostgres server(Path dir, int port) throws Exception {
            return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
                    .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "8").setServerConfig("max_wal_senders", "8")
                    .setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "off").start();
        }

        @Override
        String[] startPair() throws Exception {
            sourceDir = Files.createTempDirectory("parity-outage-source");
            sourcePort = Ports.stable(); // restarted on it
            targetDir = Files.createTempDirectory("parity-outage-target");
            targetPort = Ports.stable();
            source = server(sourceDir, sourcePort);
            target = server(targetDir, targetPort);
            for (EmbeddedPostgres pg : List.of(source, target)) {
                run(pg.getPostgresDatabase().getConnection(), "CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)",
                        HeartbeatWriter.ddl("public.parity_heartbeat"));
            }
            run(source(), "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 200) g", "CREATE PUBLICATION outage FOR ALL TABLES");
            run(target(), "CREATE SUBSCRIPTION outage CONNECTION 'host=127.0.0.1 port=" + sourcePort
                    + " user=postgres dbname=postgres' PUBLICATION outage WITH (synchronous_commit = on)");
            return new String[] {source.getJdbcUrl("postgres", "postgres"), target.getJdbcUrl("postgres", "postgres"), "postgres"};
        }

        @Override
        Connection source() throws Exception {
            return source.getPostgresDatabase().getConnection();
        }

        @Override
        Connection target() throws Exception {
            return target.getPostgresDatabase().getConnection();
        }

        @Override
        void stop(Side side) throws Exception {
            (side == Side.SOURCE ? source : target).close(); // the server stops; its data directory and port stay for the restart
        }

        @Override
        void restart(Side side) throws Exception {
            if (side == Side.SOURCE) {
                source = server(sourceDir, sourcePort);
            } else {
                target = server(targetDir, targetPort);
            }
        }

        @Override
        AutoCloseable[] servers() {
            return new AutoCloseable[] {target, source};
        }
    }

    /** Two MySQL servers with GTID replication: a stopped replica resumes from its own position when started again. */
    @Nested
    class OnMySql extends Contract {
        private MySqlPair db;

        OnMySql() {
            super("shop.accounts");
        }

        @Override
        String[] startPair() throws Exception {
            db = MySqlPair.start("shop");
            db.onSource("CREATE TABLE shop.accounts (id INT PRIMARY KEY, balance INT NOT NULL)",
                    "INSERT INTO shop.accounts SELECT seq, 100 FROM " + BinlogPair.seq(200));
            ParityProbe.awaitRows(db::target, "shop.accounts", 200);
            return new String[] {db.sourceUrl(), db.targetUrl(), "root"};
        }

        @Override
        Connection source() throws Exception {
            return db.source();
        }

        @Override
        Connection target() throws Exception {
            return db.target();
        }

        @Override
        void stop(Side side) {
            db.stop(side);
        }

        @Override
        void restart(Side side) throws Exception {
            db.restart(side);
        }

        @Override
        AutoCloseable[] servers() {
            return new AutoCloseable[] {db};
        }
    }

    private static void run(Connection connection, String... sql) throws Exception {
        try (Connection c = connection; Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** Each side of one engine's pair stopped and started again under writes, watched by one Parity. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Contract {
        private final String table;
        private Parity parity;

        Contract(String table) {
            this.table = table;
        }

        /** Starts the pair with {@code accounts} (200 rows, replicated); returns the source URL, the target URL and the user. */
        abstract String[] startPair() throws Exception;

        abstract Connection source() throws Exception;

        abstract Connection target() throws Exception;

        /** Stops one server, keeping its data and port. */
        abstract void stop(Side side) throws Exception;

        /** Starts a stopped server again as the same server. */
        abstract void restart(Side side) throws Exception;

        abstract AutoCloseable[] servers();

        @BeforeAll
        void start() throws Exception {
            String[] pair = startPair();
            parity = Parity.start(ConfigLoader.parse(String.format("""
                    name: outage
                    source: {url: "%s", user: %s}
                    target: {url: "%s", user: %s}
                    tables: {include: ["%s"]}
                    heartbeat: {interval: %dms}
                    verify: {enabled: false}
                    api: {port: 0}
                    state: {dir: "%s"}
                    """, pair[0], pair[2], pair[1], pair[2], table, HEARTBEAT.toMillis(), Files.createTempDirectory("parity-outage")), "outage", Map.of()));
        }

        @AfterAll
        void stopAll() throws Exception {
            List<AutoCloseable> all = new java.util.ArrayList<>(List.of(parity));
            all.addAll(List.of(servers()));
            ParityProbe.closeAll(all.toArray(AutoCloseable[]::new));
        }

        @Test
        void shouldBeStaleAtOnceWhileTheSourceIsDownAndNeverInSyncBeforeAFreshHeartbeatPassed() throws Exception {
            ParityProbe.awaitInSync(parity);
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> write(writing), "outage-writer");
            writer.start();
            // Every state from the first STALE on: Parity cannot know of the outage before its next heartbeat write fails.
            List<String> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    String state = ParityProbe.state(parity);
                    if (!seen.isEmpty() || state.equals("STALE")) {
                        seen.add(state);
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "outage-watcher");
            try {
                Thread.sleep(2_000); // writes flowing through replication and both captures
                watcher.start();
                stop(Side.SOURCE);
                Instant down = Instant.now();
                await().atMost(HEARTBEAT.multipliedBy(2)).pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(ParityProbe.state(parity)).isEqualTo("STALE"));
                assertThat(Duration.between(down, Instant.now())).isLessThanOrEqualTo(HEARTBEAT.multipliedBy(2));
                assertThat(ParityProbe.status(parity).get("reasons").toString()).contains("heartbeat write failed");

                // A write made on the target alone while the source is down: found once the source is back.
                run(target(), "UPDATE accounts SET balance = -1 WHERE id = 150");
                Thread.sleep(3_000);
                assertThat(seen).as("never IN_SYNC while the source is down").isNotEmpty().doesNotContain("IN_SYNC");

                restart(Side.SOURCE);
                await().atMost(ParityProbe.VERDICT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(ParityProbe.divergences(parity, table, 100)).anySatisfy(d -> {
                            assertThat(((Number) ((Map<?, ?>) d.get("key")).get("id")).longValue()).isEqualTo(150);
                            assertThat(d.get("state")).isEqualTo("DIVERGENT");
                        }));
                assertThat(seen).as("never IN_SYNC from the outage to the verdict on the target-only write").doesNotContain("IN_SYNC");
            } finally {
                writing.set(false);
                writer.join(10_000);
            }
            run(target(), "UPDATE accounts SET balance = 100 WHERE id = 150");
            await().atMost(ParityProbe.VERDICT).pollInterval(Duration.ofMillis(100)).until(() -> "IN_SYNC".equals(ParityProbe.state(parity)));
            watching.set(false);
            watcher.join(5_000);
            // IN_SYNC again only once heartbeats written after the fault cleared passed both streams on every partition.
            long cleared = micros(parity.runtime().faultClearedAt());
            assertThat(parity.runtime().faultClearedAt()).isAfter(parity.runtime().startedAt());
            for (Side side : Side.values()) {
                List<Watermark> marks = parity.status().view().watermarks(side);
                assertThat(marks).hasSize(parity.runtime().partitions()).allSatisfy(w -> assertThat(w.writtenAtMicros()).isGreaterThanOrEqualTo(cleared));
            }
        }

        @Test
        void shouldBeStaleWhileTheTargetIsDownAndBackInSyncByItselfWithNoFalseAlarm() throws Exception {
            ParityProbe.awaitInSync(parity);
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> write(writing), "outage-writer");
            writer.start();
            List<String> seen = new CopyOnWriteArrayList<>();
            java.util.Set<Object> divergent = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    seen.add(ParityProbe.state(parity));
                    ParityProbe.divergences(parity, table, 100).stream().filter(d -> "DIVERGENT".equals(d.get("state")))
                            .forEach(d -> divergent.add(d.get("key")));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "outage-watcher");
            try {
                Thread.sleep(2_000);
                watcher.start();
                stop(Side.TARGET); // replication and the target's capture lose their server; the source's writes go on
                await().atMost(ParityProbe.VERDICT).pollInterval(Duration.ofMillis(100))
                        .untilAsserted(() -> assertThat(ParityProbe.state(parity)).isEqualTo("STALE"));
                int atStale = seen.size();
                Thread.sleep(5_000);
                assertThat(seen.subList(atStale, seen.size())).as("STALE while the target is down").isNotEmpty().containsOnly("STALE");
                restart(Side.TARGET);
                Thread.sleep(3_000); // the backlog applying under new writes
            } finally {
                writing.set(false);
                writer.join(10_000);
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> "IN_SYNC".equals(ParityProbe.state(parity)));
            watching.set(false);
            watcher.join(5_000);
            assertThat(divergent).as("no key reported DIVERGENT through the target's outage").isEmpty();
            assertThat(seen).doesNotContain("DIVERGENT");
            try (Connection s = source(); Statement st = s.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT count(*), sum(balance) FROM accounts")) {
                rs.next();
                Map<String, Object> doc = ParityProbe.table(parity, table);
                assertThat(((Number) doc.get("sourceRows")).longValue()).isEqualTo(rs.getLong(1));
                assertThat(doc.get("sourceDigest")).isEqualTo(doc.get("targetDigest"));
            }
        }

        private static long micros(Instant i) {
            return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
        }

        /** Single-row updates on ids 1..100 (never 150), going on through the outage: failures while the source is down are expected. */
        private void write(AtomicBoolean writing) {
            while (writing.get()) {
                try (Connection c = source();
                     PreparedStatement st = c.prepareStatement("UPDATE accounts SET balance = balance + 1 WHERE id = ?")) {
                    while (writing.get()) {
                        st.setInt(1, 1 + ThreadLocalRandom.current().nextInt(100));
                        st.executeUpdate();
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    try {
                        Thread.sleep(200); // the source is down: try again
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }
}
