package dev.parity.ingest.local;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.HeartbeatWriter;

/** The demo's tables, in each engine's own types (those of the README's type table), with a foreign key and a keyless table. */
public final class DemoSchema {
    /** PostgreSQL: created on both sides before replication starts (logical replication carries no DDL), as README asks users to. */
    public static final String[] DDL = {
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(80) NOT NULL, created_at TIMESTAMPTZ NOT NULL, profile JSONB)",
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL REFERENCES customers (id), "
                + "amount NUMERIC(12,2) NOT NULL, placed_at TIMESTAMP NOT NULL, note VARCHAR(200), receipt BYTEA)",
        "CREATE TABLE audit_log (at TIMESTAMPTZ NOT NULL, message TEXT)",
        // Parity's heartbeat table, created on both sides before replication starts, as README asks users to.
        HeartbeatWriter.ddl("public.parity_heartbeat"),
    };

    /**
     * MySQL and MariaDB: run on the source, replication carries tables and rows to the replica (Parity creates its
     * heartbeat table on the source itself). {@code customers} customers with {@code perCustomer} orders each, and an
     * audit log without a key.
     */
    public static String[] binlog(int customers, int perCustomer) {
        return new String[] {
            "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(80) NOT NULL, created_at TIMESTAMP(6) NOT NULL, profile JSON)",
            "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, amount DECIMAL(12,2) NOT NULL, placed_at DATETIME(6) NOT NULL,"
                    + " note VARCHAR(200), receipt VARBINARY(16), FOREIGN KEY (customer_id) REFERENCES customers (id))",
            "CREATE TABLE audit_log (at TIMESTAMP(6) NOT NULL, message TEXT)",
            "SET time_zone = '+00:00'",
            "INSERT INTO customers SELECT seq, CONCAT('customer ', seq), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE,"
                    + " JSON_OBJECT('tier', seq % 3, 'tags', JSON_ARRAY('a', seq)) FROM " + BinlogPair.seq(customers),
            "INSERT INTO orders SELECT seq, 1 + (seq % " + customers + "), (seq % 1000) / 7, TIMESTAMP '2024-06-01 12:00:00' + INTERVAL seq SECOND,"
                    + " CONCAT('order ', seq), UNHEX(MD5(seq)) FROM " + BinlogPair.seq((long) customers * perCustomer),
            "INSERT INTO audit_log SELECT TIMESTAMP '2024-06-01 00:00:00' + INTERVAL (seq % 50) HOUR, CONCAT('login ', seq % 20) FROM "
                    + BinlogPair.seq(500),
        };
    }

    /** PostgreSQL: inserts {@code customers} customers and {@code perCustomer} orders each. */
    public static String load(int customers, int perCustomer) {
        return "INSERT INTO customers SELECT g, 'customer ' || g, TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * INTERVAL '1 minute', "
                + "jsonb_build_object('tier', g % 3, 'tags', jsonb_build_array('a', g)) FROM generate_series(1, " + customers + ") g; "
                + "INSERT INTO orders SELECT g, 1 + (g % " + customers + "), (g % 1000) / 7.0, TIMESTAMP '2024-06-01 12:00:00' + g * INTERVAL '1 second', "
                + "'order ' || g, decode(md5(g::text), 'hex') FROM generate_series(1, " + (customers * perCustomer) + ") g";
    }

    /** The statement that adds one order for customer 1, or nothing when the id is taken, in {@code engine}'s dialect. */
    static String insertOrder(Engine engine) {
        return engine == Engine.POSTGRESQL
                ? "INSERT INTO orders VALUES (?, 1, 9.99, now()::timestamp, 'new', NULL) ON CONFLICT DO NOTHING"
                : "INSERT IGNORE INTO orders VALUES (?, 1, 9.99, NOW(6), 'new', NULL)";
    }

    private DemoSchema() {
    }
}
