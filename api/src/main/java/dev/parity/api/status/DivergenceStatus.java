package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.time.Instant;
import java.util.Map;

/**
 * One mismatched key in {@code GET /api/v1/divergences}.
 *
 * @param key         primary-key column → value
 * @param state       {@code PENDING} or {@code DIVERGENT}
 * @param kind        {@code MISMATCH, MISSING_ON_TARGET} or {@code EXTRA_ON_TARGET}
 * @param detectedBy  {@code CHANGE_STREAM, REREAD} or {@code INITIAL_LOAD}
 * @param likelyCause what a re-read or the initial load finding it means; absent for the change streams
 */
public record DivergenceStatus(String table, int chunk, Map<String, Object> key, String state, String kind, Instant firstSeen,
                               double ageSeconds, String sourcePosition, String targetPosition, String detectedBy,
                               @JsonInclude(Include.NON_NULL) String likelyCause) {
}
