package dev.parity.ingest.local;

import dev.parity.ingest.engine.Engine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/** What {@code parity demo} does to its pair: a steady light workload on the source, and drift on the target. */
public final class DemoWorkload {
    private DemoWorkload() {
    }

    /** Updates an order and inserts one every 100 ms until interrupted; says why on stderr if it stops. */
    public static void run(LocalPair pair, Engine engine) {
        try (Connection c = pair.source();
             PreparedStatement upd = c.prepareStatement("UPDATE orders SET amount = amount + 1, note = ? WHERE id = ?");
             PreparedStatement ins = c.prepareStatement(DemoSchema.insertOrder(engine))) {
            long next = 1_000_000;
            while (!Thread.currentThread().isInterrupted()) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                upd.setString(1, "updated " + r.nextInt());
                upd.setLong(2, 1 + r.nextInt(10_000));
                upd.executeUpdate();
                ins.setLong(1, next++);
                ins.executeUpdate();
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("demo workload stopped: " + e.getMessage());
        }
    }

    /**
     * Writes on the target only, bypassing replication: what Parity must catch. Returns what it did, in words. The
     * statements are the same on every engine (the binlog pairs' connections open the demo's database).
     */
    public static String drift(LocalPair pair) throws SQLException {
        try (Connection c = pair.target(); Statement st = c.createStatement()) {
            st.execute("UPDATE customers SET name = 'changed on target' WHERE id = 42");
            st.execute("DELETE FROM orders WHERE id = 4242");
            st.execute("INSERT INTO customers VALUES (999999, 'target only', CURRENT_TIMESTAMP, NULL)");
        }
        return "customers 42 updated, orders 4242 deleted, customers 999999 inserted";
    }
}
