package dev.parity.api.bench;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.status.Status;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code parity bench --key-types}: Parity's own load (the first verdict) per kind of primary key on one
 * PostgreSQL pair, each table alone, each beside the same run's md5-aggregate checksum of that table on
 * the source: an integer key (paired by ranges), a UUID (ranges: one engine orders it alike), a string
 * key under {@code "C"} on the source and ICU on the target, and a composite {@code (tenant, id)} key
 * (both looked up: PostgreSQL's string order depends on the collation).
 */
public final class KeyTypeBench {
    private record Table(String name, String label, String sourceDdl, String targetDdl, String fill, String order) {
    }

    private final int rows;

    public KeyTypeBench(int rows) {
        this.rows = rows;
    }

    public void run() throws Exception {
        String filler = "repeat('x', 84)";
        List<Table> tables = List.of(
                new Table("k_int", "integer", "CREATE TABLE k_int (id INT PRIMARY KEY, v INT NOT NULL, filler CHAR(84))", null,
                        "INSERT INTO k_int SELECT g, g, " + filler + " FROM generate_series(1, ROWS) g", "id"),
                new Table("k_uuid", "uuid", "CREATE TABLE k_uuid (id UUID PRIMARY KEY, v INT NOT NULL, filler CHAR(84))", null,
                        "INSERT INTO k_uuid SELECT md5(g::text)::uuid, g, " + filler + " FROM generate_series(1, ROWS) g", "id"),
                new Table("k_text", "varchar, \"C\" vs ICU", "CREATE TABLE k_text (code VARCHAR(40) COLLATE \"C\" PRIMARY KEY, v INT NOT NULL, filler CHAR(84))",
                        "CREATE TABLE k_text (code VARCHAR(40) COLLATE \"und-x-icu\" PRIMARY KEY, v INT NOT NULL, filler CHAR(84))",
                        "INSERT INTO k_text SELECT chr(65 + g % 26 + (g % 2) * 32) || 'k' || g, g, " + filler + " FROM generate_series(1, ROWS) g", "code"),
                new Table("k_composite", "composite (tenant, id)",
                        "CREATE TABLE k_composite (tenant VARCHAR(10), id INT, v INT NOT NULL, filler CHAR(84), PRIMARY KEY (tenant, id))", null,
                        "INSERT INTO k_composite SELECT 't' || (g % 50), g, g, " + filler + " FROM generate_series(1, ROWS) g", "tenant, id"));
        System.out.printf("%n== first verdict per key type, PostgreSQL pair (%,d rows per table, logical replication) ==%n", rows);
        try (PostgresPair pg = PostgresPair.start()) {
            pg.ddl(dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"), "CREATE TABLE k_one (id INT PRIMARY KEY)");
            pg.onSource("INSERT INTO k_one VALUES (1)");
            for (Table t : tables) {
                pg.onSource(t.sourceDdl());
                pg.onTarget(t.targetDdl() == null ? t.sourceDdl() : t.targetDdl());
                pg.onSource(t.fill().replace("ROWS", Integer.toString(rows)));
            }
            pg.replicate("keys");
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            for (Table t : tables) {
                while (pg.count(Side.TARGET, t.name()) < rows || pg.count(Side.TARGET, "k_one") < 1) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(t.name() + " did not replicate");
                    }
                    Thread.sleep(500);
                }
            }
            // Start-up (broker, streams, captures, heartbeats) is the same for every table: measured on a one-row
            // table first (which also warms the JVM), then subtracted, so the ratios compare the reading itself.
            double startup = firstVerdict(pg, "public.k_one");
            System.out.printf("start-up to the first verdict of a one-row table: %.2f s%n", startup);
            System.out.println("| key | md5 aggregate, source | Parity first verdict | of which reading (minus start-up) | ratio (reading / md5) |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (Table t : tables) {
                double md5 = pg.timeQuery(Side.SOURCE, "SELECT md5(string_agg(md5(x::text), '' ORDER BY " + t.order() + ")) FROM " + t.name() + " x");
                double verdict = firstVerdict(pg, "public." + t.name());
                double reading = Math.max(0, verdict - startup);
                System.out.printf("| %s | %.2f s | %.2f s | %.2f s | %.1f× |%n", t.label(), md5, verdict, reading, reading / md5);
            }
        }
    }

    /** Seconds from start to IN_SYNC of a Parity watching this one table, its baseline read by Parity's own load. */
    private static double firstVerdict(PostgresPair pg, String table) throws Exception {
        Path state = Files.createTempDirectory("parity-bench-keys");
        String name = "bk" + Math.abs(table.hashCode() % 10_000);
        String yaml = String.format("""
                name: %s
                source: {url: "%s", user: postgres}
                target: {url: "%s", user: postgres}
                tables: {include: ["%s"]}
                snapshot: {method: parity}
                api: {port: 0}
                state: {dir: "%s"}
                """, name, pg.sourceUrl(), pg.targetUrl(), table, state);
        long t = System.nanoTime();
        try (Parity p = Parity.start(ConfigLoader.parse(yaml, name, Map.of()))) {
            long deadline = t + Duration.ofMinutes(30).toNanos();
            while (System.nanoTime() < deadline) {
                Status s = p.status().status();
                if ("IN_SYNC".equals(s.state())) {
                    double took = (System.nanoTime() - t) / 1e9;
                    if (!String.valueOf(s.baseline()).startsWith("PARITY")) {
                        System.out.println("  (" + table + ": not loaded by Parity: " + s.baseline() + ")");
                    }
                    return took;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("no verdict within 30 minutes for " + table + ": " + p.status().status().reasons());
        }
    }
}
