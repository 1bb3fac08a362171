package dev.parity.api.alerts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One alert message, as POSTed to every webhook.
 *
 * @param type    DIVERGENCE, DIVERGENCE_RESOLVED, REPLICATION_LAG, REPLICATION_LAG_RESOLVED, STALE or STALE_RESOLVED
 * @param payload the JSON body, in order; a value may be null (an unknown lag is sent as {@code null}, not left out)
 */
public record Alert(String type, Map<String, Object> payload) {
    public Alert {
        payload = Collections.unmodifiableMap(new LinkedHashMap<>(payload));
    }

    public boolean isRecovery() {
        return type.endsWith("_RESOLVED");
    }
}
