package dev.parity.api.cli;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.DemoSchema;
import dev.parity.ingest.local.DemoWorkload;
import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.PostgresPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = "Two embedded servers of one engine with native replication (PostgreSQL logical replication by default,"
        + " MySQL or MariaDB GTID replication), a workload and injected drift, watched by Parity.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--drift-after", defaultValue = "45",
            description = "Seconds before the target-only writes, which wait for IN_SYNC too (default: ${DEFAULT-VALUE})")
    int driftAfter;

    @Option(names = "--engine", defaultValue = "postgresql", converter = EngineConverter.class,
            description = "postgresql, mysql or mariadb (default: ${DEFAULT-VALUE})")
    Engine engine;

    @Override
    public Integer call() throws Exception {
        Path state = Files.createTempDirectory("parity-demo");
        Path log = LogFile.under(state);
        try (LocalPair pair = start()) {
            String schema = engine == Engine.POSTGRESQL ? "public" : "shop";
            String user = engine == Engine.POSTGRESQL ? "postgres" : "root";
            String yaml = String.format("""
                    name: demo
                    source: {url: "%s", user: %s}
                    target: {url: "%s", user: %s}
                    tables: {include: ["%s.*"]}
                    api: {port: %d}
                    state: {dir: "%s"}
                    """, pair.sourceUrl(), user, pair.targetUrl(), user, schema, port, state);
            ParityConfig cfg = ConfigLoader.parse(yaml, "demo", Map.of());
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
            return Parity.supervise(cfg, p -> {
                System.out.println("Parity demo running: open " + p.url() + "  (also: ./parity status, ./parity diff --table " + schema + ".orders)");
                if (first.getAndSet(false)) { // the workload and the drift once, not again when Parity plans its tables again
                    System.out.println("state dir " + state + " (full log: " + log + "); target-only drift is injected after " + driftAfter + " s; Ctrl-C to stop");
                    Thread workload = new Thread(() -> DemoWorkload.run(pair, engine), "demo-workload");
                    workload.setDaemon(true);
                    workload.start();
                    Thread drift = new Thread(() -> drift(pair, p), "demo-drift");
                    drift.setDaemon(true);
                    drift.start();
                }
            });
        }
    }

    /** The pair with the demo's tables and rows on both sides. */
    private LocalPair start() throws Exception {
        if (engine == Engine.POSTGRESQL) {
            System.out.println("starting two PostgreSQL servers with logical replication ...");
            PostgresPair pg = PostgresPair.start();
            pg.ddl(DemoSchema.DDL);
            // audit_log has no key: Parity counts its rows by content, which needs whole old rows in the log.
            pg.ddl("ALTER TABLE audit_log REPLICA IDENTITY FULL");
            pg.onSource(DemoSchema.load(2_000, 5), "INSERT INTO audit_log SELECT TIMESTAMPTZ '2024-06-01 00:00:00+00' + (g % 50) * INTERVAL '1 hour',"
                    + " 'login ' || (g % 20) FROM generate_series(1, 500) g");
            pg.replicate("demo");
            return pg;
        }
        System.out.println("starting two " + (engine == Engine.MYSQL ? "MySQL" : "MariaDB") + " servers with GTID replication ...");
        BinlogPair db = BinlogPair.start(engine, "shop");
        db.onSource(DemoSchema.binlog(2_000, 5));
        return db;
    }

    /** The target-only writes, {@code --drift-after} seconds after the start and once Parity has said IN_SYNC (a slow machine's load takes longer). */
    private void drift(LocalPair pair, Parity p) {
        try {
            Thread.sleep(driftAfter * 1000L);
            while (!"IN_SYNC".equals(p.status().status().state())) {
                Thread.sleep(500);
            }
            System.out.println("injected drift on the target: " + DemoWorkload.drift(pair));
        } catch (Exception e) {
            System.err.println("demo drift failed: " + e.getMessage());
        }
    }

    /** {@code --engine}: a name Parity knows, any case. */
    static final class EngineConverter implements picocli.CommandLine.ITypeConverter<Engine> {
        @Override
        public Engine convert(String value) {
            Engine e = Engine.fromName(value);
            if (e == null) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not an engine: postgresql, mysql or mariadb");
            }
            return e;
        }
    }
}
