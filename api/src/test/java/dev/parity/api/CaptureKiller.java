package dev.parity.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Keeps cutting one capture's replication connection on the server side, the way a flapping network
 * or an operator's {@code KILL} does, until closed: the capture stays connected for at most a moment.
 */
final class CaptureKiller implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int kills;

    /**
     * @param connect    a connection to the server the capture reads
     * @param findSql    returns the server-side ids of the capture's replication connections
     * @param killSql    kills one id ({@code %d})
     */
    CaptureKiller(Callable<Connection> connect, String findSql, String killSql) {
        thread = new Thread(() -> {
            while (running) {
                try (Connection c = connect.call(); Statement st = c.createStatement()) {
                    while (running) {
                        List<Long> ids = new ArrayList<>();
                        try (ResultSet rs = st.executeQuery(findSql)) {
                            while (rs.next()) {
                                ids.add(rs.getLong(1));
                            }
                        }
                        for (long id : ids) {
                            st.execute(String.format(killSql, id));
                            kills++;
                        }
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the victim or our own connection went away: reconnect and go on
                }
            }
        }, "capture-killer");
        thread.setDaemon(true);
        thread.start();
    }

    int kills() {
        return kills;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
