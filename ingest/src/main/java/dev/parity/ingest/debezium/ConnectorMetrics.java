package dev.parity.ingest.debezium;

import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Reads a connector's own snapshot and streaming state from the MBeans every Debezium connector
 * registers ({@code debezium.<connector>:type=connector-metrics,context=snapshot|streaming,server=<topic.prefix>}).
 * The connector knows when its snapshot ends; guessing from the records it emits does not (it emits
 * heartbeats while snapshotting, and nothing at all when every table is empty).
 */
public final class ConnectorMetrics {
    public enum State { UNKNOWN, SNAPSHOTTING, STREAMING }

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String topicPrefix;

    public ConnectorMetrics(String topicPrefix) {
        this.topicPrefix = topicPrefix;
    }

    public State state() {
        try {
            ObjectName snapshot = find("snapshot");
            if (snapshot != null && Boolean.TRUE.equals(server.getAttribute(snapshot, "SnapshotRunning"))) {
                return State.SNAPSHOTTING;
            }
            ObjectName streaming = find("streaming");
            if (streaming != null && Boolean.TRUE.equals(server.getAttribute(streaming, "Connected"))) {
                return State.STREAMING;
            }
        } catch (JMException e) {
            return State.UNKNOWN; // metrics not registered yet, or being replaced during a restart
        }
        return State.UNKNOWN;
    }

    /**
     * Whether the connector's streaming connection to the database is up, as the connector itself
     * reports it; false also when its streaming metrics are gone (the task is being restarted after a
     * failure), null when it cannot be read at all.
     */
    public Boolean connected() {
        try {
            ObjectName streaming = find("streaming");
            return streaming != null && Boolean.TRUE.equals(server.getAttribute(streaming, "Connected"));
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Rows the running (or finished) snapshot has read so far, per table as the connector names it
     * ({@code schema.table} / {@code database.table}); empty when the connector reports none.
     */
    public java.util.Map<String, Long> snapshotRows() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try {
            ObjectName snapshot = find("snapshot");
            if (snapshot == null) {
                return out;
            }
            Object rows = server.getAttribute(snapshot, "RowsScanned");
            // An MXBean's Map<String, Long> arrives as TabularData (which is itself a Map, of CompositeData rows).
            if (rows instanceof javax.management.openmbean.TabularData t) {
                for (Object row : t.values()) {
                    javax.management.openmbean.CompositeData c = (javax.management.openmbean.CompositeData) row;
                    out.put(String.valueOf(c.get("key")), ((Number) c.get("value")).longValue());
                }
            } else if (rows instanceof java.util.Map<?, ?> m) {
                m.forEach((k, v) -> out.put(String.valueOf(k), ((Number) v).longValue()));
            }
        } catch (JMException | RuntimeException e) {
            return out; // not registered yet, or being replaced during a restart
        }
        return out;
    }

    private ObjectName find(String context) throws JMException {
        Set<ObjectName> names = server.queryNames(new ObjectName(
                "debezium.*:type=connector-metrics,context=" + context + ",server=" + ObjectName.quote(topicPrefix).replace("\"", "") + ",*"), null);
        return names.isEmpty() ? null : names.iterator().next();
    }
}
