package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.time.Instant;

/**
 * One side's capture in {@link Status}.
 *
 * @param phase             {@code SNAPSHOTTING} (also while starting), {@code STREAMING} or {@code STOPPED}
 * @param lastEventAt       when its last event was acknowledged by Kafka; null before any
 * @param captureLagSeconds now minus the commit time of its last event; null before any
 * @param error             why it failed or restarts; absent while healthy
 * @param snapshot          snapshot or initial-load progress; absent when none ran
 */
public record SideStatus(String phase, Instant lastEventAt, Double captureLagSeconds, long events, @JsonInclude(Include.NON_NULL) String error,
                         @JsonInclude(Include.NON_NULL) SnapshotStatus snapshot) {
}
