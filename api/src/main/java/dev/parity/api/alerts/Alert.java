package dev.parity.api.alerts;

import java.util.Map;

/**
 * One alert message, as POSTed to every webhook.
 *
 * @param type DIVERGENCE, DIVERGENCE_RESOLVED, REPLICATION_LAG or REPLICATION_LAG_RESOLVED
 */
public record Alert(String type, Map<String, Object> payload) {
    public Alert {
        payload = Map.copyOf(payload);
    }

    public boolean isRecovery() {
        return type.endsWith("_RESOLVED");
    }
}
