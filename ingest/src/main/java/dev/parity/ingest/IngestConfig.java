package dev.parity.ingest;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the adapters to the databases need of the configuration (README, "Configuration"): the two
 * databases, which tables, the heartbeat, the verification sweep and the initial load. The application
 * loads and validates the whole file and hands this part over; defaults are declared there, once.
 *
 * @param name     the instance name, part of every slot, publication and topic Parity creates
 * @param stateDir where offsets, the load's pending file and the reconciler's state live
 */
public record IngestConfig(String name, Database source, Database target, Tables tables, Heartbeat heartbeat, Verify verify,
                           Snapshot snapshot, Path stateDir) {

    public Database database(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    /** Where each side's capture keeps its offsets and schema history. */
    public Path captureDir() {
        return stateDir.resolve("capture");
    }

    /**
     * @param engine   from the URL unless given explicitly
     * @param serverId MySQL/MariaDB: the replica server id the capture presents; null for a derived one
     */
    public record Database(String url, String user, String password, Engine engine, Long serverId) {
        /** The engine named, or the one the URL names. */
        public Engine resolvedEngine() {
            return engine != null ? engine : Engine.fromUrl(url);
        }

        @Override
        public String toString() {
            return "Database[url=" + Endpoint.redact(url) + ", user=" + user + ", password=***, engine=" + engine + ", serverId=" + serverId + "]";
        }
    }

    /** @param map source table → target table (schema.table); unmapped tables keep their name */
    /**
     * @param columns opt-in comparison rules: mapped table id → lower-case column name → rule (README,
     *                "Types across engines"); empty: every value compares exactly
     */
    public record Tables(List<String> include, List<String> exclude, Map<String, String> map,
                         Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> columns) {
        public Tables {
            include = List.copyOf(include);
            exclude = List.copyOf(exclude);
            map = Map.copyOf(map);
            columns = Map.copyOf(columns);
        }

        public Tables(List<String> include, List<String> exclude, Map<String, String> map) {
            this(include, exclude, map, Map.of());
        }

        /** The rules of one table's columns (by mapped id); empty for none. */
        public Map<String, dev.parity.reconciler.canonical.ColumnRule> rules(String mappedId) {
            return columns.getOrDefault(mappedId, Map.of());
        }
    }

    /**
     * @param table   heartbeat table, optionally namespace-qualified
     * @param enabled false: no write access to the source, grace-period verdicts
     */
    public record Heartbeat(String table, Duration interval, boolean enabled) {
    }

    /**
     * The verification sweep (README, "How it decides"): re-reads every verified table by key
     * range to find writes no log recorded (MySQL/MariaDB {@code SET sql_log_bin = 0}, in-place
     * {@code ALTER}, {@code TRUNCATE}). Configured under {@code verify}.
     *
     * @param interval         least time from the start of one round to the start of the next (rounds run back to back when longer)
     * @param maxAge           how old a table's last full read may be for the gate's {@code reread} check; null: worked out
     *                         from the budget ({@code Sweeper.maxAge})
     * @param sides            which databases are re-read
     * @param maxRowsPerSecond read budget per database, to stay a polite guest on production
     */
    public record Verify(boolean enabled, Duration interval, Duration maxAge, List<Side> sides, int pageRows, int maxRowsPerSecond) {
        public Verify {
            sides = List.copyOf(sides);
        }
    }

    /**
     * How the first verdict's baseline is read (README, "How it decides").
     *
     * @param method   {@code parity}: Debezium streams only, Parity reads both sides by the same key ranges
     *                 in parallel and hashes rows in flight; {@code debezium}: the connectors' own snapshots;
     *                 {@code auto}: parity where every table allows it, otherwise debezium
     * @param pageRows rows per source page of Parity's load (the target reads the same key range)
     * @param maxRowsPerSecond read budget of the load on each database; 0: none (the load reads as fast as it can)
     */
    public record Snapshot(Method method, int pageRows, int maxRowsPerSecond) {
        public enum Method { AUTO, PARITY, DEBEZIUM }

        /** Without a read budget. */
        public Snapshot(Method method, int pageRows) {
            this(method, pageRows, 0);
        }
    }
}
