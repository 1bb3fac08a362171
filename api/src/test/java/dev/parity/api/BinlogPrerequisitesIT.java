package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.MariaDbPair;
import dev.parity.ingest.local.MySqlPair;
import dev.parity.api.runtime.ParityRuntime;
import dev.parity.ingest.engine.DatabaseAdapter;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.DatabaseException;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Start-up checks on real MariaDB and MySQL replicas. */
class BinlogPrerequisitesIT {

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldRefuseAReplicaThatDoesNotLogReplicatedChangesAndSayWhatToSet(Engine engine) throws Exception {
        // Each engine's own name for it: MariaDB kept log_slave_updates, MySQL 8.0.26+ says log_replica_updates.
        String setting = engine == Engine.MARIADB ? "log_slave_updates" : "log_replica_updates";
        try (BinlogPair db = BinlogPair.start(engine, "pre", "--" + setting.replace('_', '-') + "=OFF")) {
            db.onSource("CREATE TABLE pre.t (id INT PRIMARY KEY)");
            try (ParityRuntime r = new ParityRuntime(ConfigLoader.parse(String.format("""
                    name: pre
                    source: {url: "%s", user: root}
                    target: {url: "%s", user: root}
                    state: {dir: "%s"}
                    """, db.sourceUrl(), db.targetUrl(), Files.createTempDirectory("parity-pre")), "pre", Map.of()), Clock.systemUTC())) {
                assertThatThrownBy(r::start).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("target")
                        .hasMessageContaining(setting + " is OFF")
                        .hasMessageContaining("Set " + setting + "=ON");
            }
        }
    }

    @Test
    void shouldTellWhenParallelApplyOverSeveralGtidDomainsMayBreakCommitOrder() throws Exception {
        try (MariaDbPair db = MariaDbPair.start("ord", "--slave-parallel-threads=4", "--slave-parallel-mode=optimistic")) {
            db.onSource("CREATE TABLE ord.t (id INT PRIMARY KEY)", "INSERT INTO ord.t VALUES (1)");
            DatabaseAdapter target = DatabaseAdapter.of(Engine.MARIADB, new Endpoint(Side.TARGET, db.targetUrl(), "root", ""));
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(db) == 1);
            try (Connection c = db.target()) {
                assertThat(target.applyOrderRisk(c)).as("one GTID domain keeps order").isNull();
            }
            db.onSource("SET SESSION gtid_domain_id = 7", "INSERT INTO ord.t VALUES (2)");
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(db) == 2);
            try (Connection c = db.target()) {
                assertThat(target.applyOrderRisk(c)).contains("parallel replication").contains("2 GTID domains");
            }
        }
    }

    @Test
    void shouldTellWhenMySqlAppliesInParallelWithoutPreservingCommitOrder() throws Exception {
        // MySQL 8.0.27+ applies with 4 workers by default and preserves the source's commit order; without that order
        // a heartbeat can commit on the replica before a change the source committed earlier.
        try (MySqlPair db = MySqlPair.start("ord", "--replica-parallel-workers=4", "--replica-preserve-commit-order=OFF")) {
            db.onSource("CREATE TABLE ord.t (id INT PRIMARY KEY)", "INSERT INTO ord.t VALUES (1)");
            DatabaseAdapter target = DatabaseAdapter.of(Engine.MYSQL, new Endpoint(Side.TARGET, db.targetUrl(), "root", ""));
            try (Connection c = db.target()) {
                assertThat(target.applyOrderRisk(c)).isEqualTo("MySQL applies with 4 parallel workers and replica_preserve_commit_order=OFF,"
                        + " so transactions may commit out of the source's order");
            }
            db.onTarget("STOP REPLICA SQL_THREAD", "SET GLOBAL replica_preserve_commit_order = ON", "START REPLICA SQL_THREAD");
            try (Connection c = db.target()) {
                assertThat(target.applyOrderRisk(c)).as("the default: order preserved").isNull();
            }
        }
    }

    private static int rows(BinlogPair db) throws Exception {
        try (Connection c = db.target(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM ord.t")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return -1; // the table has not replicated yet
        }
    }
}
