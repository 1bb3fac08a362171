package dev.parity.ingest.local;

import dev.parity.ingest.jdbc.HeartbeatWriter;

/** The demo's tables: the PostgreSQL types of the README's type table, and a foreign key. */
public final class DemoSchema {
    public static final String[] DDL = {
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(80) NOT NULL, created_at TIMESTAMPTZ NOT NULL, profile JSONB)",
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL REFERENCES customers (id), "
                + "amount NUMERIC(12,2) NOT NULL, placed_at TIMESTAMP NOT NULL, note VARCHAR(200), receipt BYTEA)",
        "CREATE TABLE audit_log (at TIMESTAMPTZ NOT NULL, message TEXT)",
        // Parity's heartbeat table, created on both sides before replication starts, as README asks users to.
        HeartbeatWriter.ddl("public.parity_heartbeat"),
    };

    /** Inserts {@code customers} customers and {@code perCustomer} orders each. */
    public static String load(int customers, int perCustomer) {
        return "INSERT INTO customers SELECT g, 'customer ' || g, TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * INTERVAL '1 minute', "
                + "jsonb_build_object('tier', g % 3, 'tags', jsonb_build_array('a', g)) FROM generate_series(1, " + customers + ") g; "
                + "INSERT INTO orders SELECT g, 1 + (g % " + customers + "), (g % 1000) / 7.0, TIMESTAMP '2024-06-01 12:00:00' + g * INTERVAL '1 second', "
                + "'order ' || g, decode(md5(g::text), 'hex') FROM generate_series(1, " + (customers * perCustomer) + ") g";
    }

    private DemoSchema() {
    }
}
