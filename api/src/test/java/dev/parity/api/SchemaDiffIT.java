package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.api.cli.ParityCliAccess;
import dev.parity.ingest.local.DemoSchema;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.PostgresPair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code parity schema-diff} through the real command line, on real PostgreSQL and MariaDB pairs. */
class SchemaDiffIT {
    private record Run(int exit, String out) {
    }

    private static Run schemaDiff(String sourceUrl, String targetUrl, String user, String tables) throws Exception {
        Path file = Files.createTempFile("parity-schema", ".yaml");
        Files.writeString(file, String.format("""
                name: sd
                source: {url: "%s", user: %s}
                target: {url: "%s", user: %s}
                tables: {include: [%s]}
                """, sourceUrl, user, targetUrl, user, tables));
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = ParityCliAccess.run("schema-diff", "-c", file.toString());
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void shouldReportPostgresDriftAsADiffWithTheRiskAndExitCodes() throws Exception {
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl(DemoSchema.DDL);
            Run clean = schemaDiff(pg.sourceUrl(), pg.targetUrl(), "postgres", "\"public.*\"");
            assertThat(clean.exit()).as(clean.out()).isZero();
            assertThat(clean.out()).contains("no drift");

            pg.onTarget("ALTER TABLE orders ADD COLUMN extra INTEGER", "ALTER TABLE orders ALTER COLUMN note TYPE VARCHAR(100)");
            Run drift = schemaDiff(pg.sourceUrl(), pg.targetUrl(), "postgres", "\"public.*\"");
            assertThat(drift.exit()).isEqualTo(1);
            assertThat(drift.out()).contains("@@ public.orders", "- column note varchar(200) NULL", "+ column note varchar(100) NULL",
                    "! narrower on the target (100 < 200): values may be truncated", "+ column extra integer NULL",
                    "2 structural difference(s), 0 setting difference(s)");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"MARIADB", "MYSQL"})
    void shouldReportBinlogTargetOnlyDdlAndATimeZoneOneHourOff(Engine engine) throws Exception {
        try (BinlogPair db = BinlogPair.start(engine, "sd")) {
            db.onSource("CREATE TABLE sd.t (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, at TIMESTAMP(6) NULL)");
            // The table reaches the target by replication: no drift once it has.
            await().atMost(Duration.ofSeconds(20)).until(() -> schemaDiff(db.sourceUrl(), db.targetUrl(), "root", "\"sd.*\"").exit() == 0);

            db.onTarget("SET SESSION sql_log_bin = 0", "ALTER TABLE sd.t ADD COLUMN extra INT NOT NULL", "SET GLOBAL time_zone = '+01:00'");
            Run drift = schemaDiff(db.sourceUrl(), db.targetUrl(), "root", "\"sd.*\"");
            assertThat(drift.exit()).isEqualTo(1);
            // MySQL 8.0.19+ shows no display width.
            assertThat(drift.out()).contains("+ column extra " + (engine == Engine.MARIADB ? "int(11)" : "int") + " NOT NULL", "NOT NULL without a default only on the target",
                    "@@ server settings", "+ time zone +01:00", "! TIMESTAMP values");
        }
    }

    @Test
    void shouldExitTwoWhenADatabaseCannotBeRead() throws Exception {
        assertThat(schemaDiff("jdbc:postgresql://127.0.0.1:1/x", "jdbc:postgresql://127.0.0.1:1/x", "nobody", "\"*\"").exit()).isEqualTo(2);
    }
}
