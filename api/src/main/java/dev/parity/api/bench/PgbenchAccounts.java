package dev.parity.api.bench;

import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.local.PostgresPair;
import dev.parity.reconciler.model.Side;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The table the PostgreSQL benches update: pgbench's {@code pgbench_accounts} ({@code rows} rows, replicated with the
 * heartbeat table), and pgbench updating one random row per transaction on the source.
 */
public final class PgbenchAccounts {
    private PgbenchAccounts() {
    }

    /** Creates and fills the table on the source, replicates it by {@code publication}, and waits until the target has every row. */
    public static void create(PostgresPair pg, int rows, String publication) throws Exception {
        pg.ddl("CREATE TABLE pgbench_accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, filler CHAR(84))",
                HeartbeatWriter.ddl("public.parity_heartbeat"));
        pg.onSource("INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, " + rows + ") g");
        pg.replicate(publication);
        while (pg.count(Side.TARGET, "pgbench_accounts") < rows) {
            Thread.sleep(200);
        }
    }

    /**
     * pgbench on the source, {@code clients} clients each updating one random row per transaction; the caller adds how
     * long ({@code -T}/{@code -t}, {@code -R}) and then the database name.
     */
    public static List<String> updates(PostgresPair pg, Path pgbench, int rows, int clients) throws Exception {
        Path script = Files.createTempFile("parity-update", ".sql");
        Files.writeString(script, "\\set aid random(1, " + rows + ")\nUPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;\n");
        Endpoint.Location loc = new Endpoint(Side.SOURCE, pg.sourceUrl(), "postgres", null).location(5432);
        return List.of(pgbench.toString(), "-h", loc.host(), "-p", Integer.toString(loc.port()), "-U", "postgres", "-n",
                "-f", script.toString(), "-c", Integer.toString(clients), "-j", "2");
    }

    /** pgbench's "tps = N (without initial connection time)" line. */
    public static double tps(String pgbenchOutput) {
        return pgbenchOutput.lines().map(String::trim).filter(l -> l.startsWith("tps = ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(6).split(" ")[0]))
                .orElseThrow(() -> new IllegalStateException("pgbench reported no tps: " + pgbenchOutput));
    }
}
