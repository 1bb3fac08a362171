package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.topology.ReconcilerSettings;

/**
 * How this instance reaches verdicts (README, "How it decides"): by heartbeat order, with extra
 * heartbeats where the replica may apply out of commit order, or by a grace period when Parity may not
 * write heartbeats.
 *
 * @param applyOrderRisk why the target may apply out of commit order; null when order is assured
 */
public record VerdictMode(ParityConfig.Heartbeat heartbeat, String applyOrderRisk) {
    static VerdictMode of(ParityConfig.Heartbeat heartbeat, String applyOrderRisk) {
        return new VerdictMode(heartbeat, applyOrderRisk);
    }

    /** Heartbeats a mismatch must outlast beyond its fences: 0 where the replica keeps commit order. */
    int extraHeartbeats() {
        return applyOrderRisk != null ? heartbeat.extraWhenUnordered() : 0;
    }

    /** The reconciler's settings for this mode over these topics. */
    ReconcilerSettings settings(SideTopics topics, dev.parity.reconciler.topology.ReconcilerLink link) {
        return new ReconcilerSettings(topics.topic(Side.SOURCE), topics.topic(Side.TARGET), topics.chunking(), extraHeartbeats(),
                heartbeat.enabled() ? null : heartbeat.grace(), link);
    }

    /** The mode in words, for status. */
    String describe() {
        if (heartbeat.enabled() && extraHeartbeats() > 0) {
            return "HEARTBEAT_ORDER_PLUS_" + extraHeartbeats() + ": " + applyOrderRisk + ", so a mismatch must also persist "
                    + extraHeartbeats() + " heartbeats past its fences";
        }
        return heartbeat.enabled()
                ? "HEARTBEAT_ORDER"
                : "GRACE_PERIOD: heartbeats disabled, so a mismatch is DIVERGENT once it persists " + heartbeat.grace().toSeconds()
                        + " s after the key's last change; replication lag longer than that reads as divergence";
    }
}
