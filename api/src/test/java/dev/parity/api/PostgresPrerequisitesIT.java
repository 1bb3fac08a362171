package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.ingest.jdbc.DatabaseException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Start-up checks on real servers: each refusal says what is wrong, where, and what to do. */
class PostgresPrerequisitesIT {
    private static EmbeddedPostgres logical;
    private static EmbeddedPostgres replicaLevel;

    @BeforeAll
    static void start() throws Exception {
        logical = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
        replicaLevel = EmbeddedPostgres.builder().setServerConfig("wal_level", "replica").start();
        for (EmbeddedPostgres pg : new EmbeddedPostgres[] {logical, replicaLevel}) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id INT PRIMARY KEY)");
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        logical.close();
        replicaLevel.close();
    }

    private static ParityRuntime runtime(EmbeddedPostgres source, EmbeddedPostgres target) throws Exception {
        ParityConfig c = ConfigLoader.parse(String.format("""
                name: pre
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                state: {dir: "%s"}
                """, source.getJdbcUrl("postgres", "postgres"), target.getJdbcUrl("postgres", "postgres"),
                Files.createTempDirectory("parity-pre")), "pre", Map.of());
        return new ParityRuntime(c, Clock.systemUTC());
    }

    @Test
    void shouldRefuseAServerWithoutLogicalDecodingAndSayWhatToSet() throws Exception {
        try (ParityRuntime r = runtime(logical, replicaLevel)) {
            assertThatThrownBy(r::start).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("target")
                    .hasMessageContaining("wal_level=replica")
                    .hasMessageContaining("set wal_level = logical");
        }
    }

    @Test
    void shouldGiveTheDdlWhenParityMayNotCreateTheHeartbeatTableOnTheSource() throws Exception {
        try (Connection c = logical.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE limited LOGIN PASSWORD 'pw'");
            st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }
        ParityConfig cfg = ConfigLoader.parse(String.format("""
                name: pre
                source: {url: "%s", user: limited, password: pw}
                target: {url: "%s", user: postgres}
                state: {dir: "%s"}
                """, logical.getJdbcUrl("postgres", "postgres").replaceAll("\\?.*", ""), logical.getJdbcUrl("postgres", "postgres"),
                Files.createTempDirectory("parity-pre")), "pre", Map.of());
        try (ParityRuntime r = new ParityRuntime(cfg, Clock.systemUTC())) {
            assertThatThrownBy(r::start).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("cannot create or seed the heartbeat table public.parity_heartbeat on the source")
                    .hasMessageContaining("CREATE TABLE IF NOT EXISTS public.parity_heartbeat")
                    .hasMessageContaining("heartbeat.enabled: false")
                    .message().doesNotContain("pw");
        }
    }

    @Test
    void shouldNotWriteToTheTargetButExplainHowToCreateAMissingHeartbeatTable() throws Exception {
        EmbeddedPostgres target = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
        try (target; ParityRuntime r = runtime(logical, target)) {
            assertThatThrownBy(r::start).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("heartbeat table public.parity_heartbeat is missing on the target")
                    .hasMessageContaining("CREATE TABLE IF NOT EXISTS public.parity_heartbeat");
            try (Connection c = target.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'parity_heartbeat'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("Parity creates nothing on the target").isZero();
            }
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(120) // without the refusal, parity run would start and wait for Ctrl-C: fail, do not hang
    void shouldRefuseToRunWhenTheTableFilterMatchesNothingAndNameTheFilter() throws Exception {
        java.nio.file.Path file = Files.createTempFile("parity-empty", ".yaml");
        Files.writeString(file, String.format("""
                name: empty
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["nothing.here*"]}
                api: {port: 0}
                state: {dir: "%s"}
                """, logical.getJdbcUrl("postgres", "postgres"), logical.getJdbcUrl("postgres", "postgres"), Files.createTempDirectory("parity-empty")));
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = dev.parity.api.cli.ParityCliAccess.run(err, "run", "-c", file.toString());
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("tables.include: [nothing.here*]: matches no table on the source").contains("public.t");
    }
}
