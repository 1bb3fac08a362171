package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One mismatched key in {@code GET /api/v1/divergences}.
 *
 * @param key         primary-key column → value
 * @param state       {@code PENDING} or {@code DIVERGENT}
 * @param kind        {@code MISMATCH, MISSING_ON_TARGET} or {@code EXTRA_ON_TARGET}
 * @param detectedBy  {@code CHANGE_STREAM, REREAD} or {@code INITIAL_LOAD}
 * @param likelyCause what a re-read or the initial load finding it means; absent for the change streams
 * @param origin      where it came from: {@code TARGET_WRITE, LOST_CHANGE, UNLOGGED_WRITE, BEFORE_START, APPLIED_DIFFERENTLY};
 *                    absent with grace-period verdicts (no heartbeat stamps to tell the sides' order by)
 * @param columns     the differing columns, once the rows were read (values only with the API token)
 * @param cause       the row's cause: a column cause shared by every differing column, {@code MIXED}, or the kind
 *                    of a missing or extra row; absent until read
 * @param drilldown   why there are no columns yet (not read yet, changed since its verdict); absent once read
 * @param sourceCopies copies of the row on the source, for a table without key (whose rows are keyed by
 *                    their content: {@code key} is the whole row); absent for keyed tables
 */
public record DivergenceStatus(String table, int chunk, Map<String, Object> key, String state, String kind, Instant firstSeen,
                               double ageSeconds, String sourcePosition, String targetPosition, String detectedBy,
                               @JsonInclude(Include.NON_NULL) String likelyCause, @JsonInclude(Include.NON_NULL) String origin,
                               @JsonInclude(Include.NON_NULL) List<DivergenceDetail.ColumnStatus> columns,
                               @JsonInclude(Include.NON_NULL) String cause, @JsonInclude(Include.NON_NULL) String drilldown,
                               @JsonInclude(Include.NON_NULL) Long sourceCopies, @JsonInclude(Include.NON_NULL) Long targetCopies) {
    /** {@link #drilldown()} while the key's rows are still to be read (they will be). */
    public static final String NOT_READ_YET = "its rows are not read yet";
}
