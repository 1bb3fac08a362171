package dev.parity.api;

import dev.parity.ingest.local.BinlogPair;
import dev.parity.ingest.local.LocalPair;
import dev.parity.ingest.local.PostgresPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady write load on the source of a replicated pair (PostgreSQL, MySQL or MariaDB), carried to the target by replication: updates, inserts and
 * deletes on {@code items (id INT PRIMARY KEY, v INT NOT NULL, note TEXT)}, ids from 100 up to {@code rows} (so
 * never a low key a test writes on the target alone: a replicated write would heal it), new ids after {@code rows}.
 */
final class ReplicatedWrites implements Runnable {
    private final LocalPair pg;
    private final int rows;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean paused = new AtomicBoolean(false);
    private final AtomicLong nextId;
    /** Statements done so far. */
    final AtomicLong done = new AtomicLong();
    private Thread thread;

    ReplicatedWrites(LocalPair pg, int rows) {
        this.pg = pg;
        this.rows = rows;
        this.nextId = new AtomicLong(rows + 1L);
    }

    /**
     * Creates {@code items} and the heartbeat table on both servers, fills the source with {@code rows} rows, replicates
     * every table under {@code publication} and waits for the target to hold them: the pair this load writes to.
     */
    static void itemsTable(PostgresPair pg, int rows, String publication) throws Exception {
        pg.ddl("CREATE TABLE items (id INT PRIMARY KEY, v INT NOT NULL, note TEXT)", dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
        pg.onSource("INSERT INTO items SELECT g, g, 'row ' || g FROM generate_series(1, " + rows + ") g");
        pg.replicate(publication);
        ParityProbe.awaitRows(pg::target, "items", rows);
    }

    /** {@link #itemsTable(PostgresPair, int, String)} on a binlog pair: created on the source, replication carries it. */
    static void itemsTable(BinlogPair db, int rows) throws Exception {
        db.onSource("CREATE TABLE items (id INT PRIMARY KEY, v INT NOT NULL, note TEXT)",
                "INSERT INTO items SELECT seq, seq, CONCAT('row ', seq) FROM " + BinlogPair.seq(rows));
        ParityProbe.awaitRows(db::target, "items", rows);
    }

    void start() {
        thread = new Thread(this, "workload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Pauses, once the statement in flight is done. */
    void pause() throws InterruptedException {
        paused.set(true);
        Thread.sleep(200);
    }

    void resume() {
        paused.set(false);
    }

    void stop() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join(10_000);
        }
    }

    @Override
    public void run() {
        try (Connection c = pg.source();
             PreparedStatement update = c.prepareStatement("UPDATE items SET v = v + 1 WHERE id = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO items VALUES (?, 0, 'new')");
             PreparedStatement delete = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
            while (running.get()) {
                if (paused.get()) {
                    Thread.sleep(50);
                    continue;
                }
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int id = r.nextInt(100, rows);
                int op = r.nextInt(10);
                PreparedStatement st = op < 6 ? update : op < 8 ? insert : delete;
                st.setLong(1, st == insert ? nextId.getAndIncrement() : id);
                st.executeUpdate();
                done.incrementAndGet();
                Thread.sleep(3);
            }
        } catch (Exception e) {
            if (running.get()) {
                throw new IllegalStateException(e);
            }
        }
    }
}
