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

    private ObjectName find(String context) throws JMException {
        Set<ObjectName> names = server.queryNames(new ObjectName(
                "debezium.*:type=connector-metrics,context=" + context + ",server=" + ObjectName.quote(topicPrefix).replace("\"", "") + ",*"), null);
        return names.isEmpty() ? null : names.iterator().next();
    }
}
