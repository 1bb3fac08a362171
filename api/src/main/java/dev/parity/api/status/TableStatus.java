package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.util.List;

/**
 * One watched table in {@link Status} and {@code GET /api/v1/tables}. An unverified table carries its
 * {@code reason} and no counts; a table the reconciler could not be asked about is {@code UNKNOWN}
 * with no counts; otherwise every count is present.
 *
 * @param state {@code IN_SYNC, PENDING, DIVERGENT, UNVERIFIED} or {@code UNKNOWN}
 */
@JsonInclude(Include.NON_NULL)
public record TableStatus(String table, String sourceTable, String targetTable, List<String> key, boolean verified, String state,
                          String reason, Long sourceRows, Long targetRows, String sourceDigest, String targetDigest, Integer chunks,
                          Integer chunksInSync, Integer pendingChunks, Integer divergentChunks, Long pendingKeys, Long divergentKeys,
                          Long transientMismatches, @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                          List<String> divergence,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                          List<ColumnNote> columns) {
    public TableStatus {
        key = List.copyOf(key);
        divergence = divergence == null ? List.of() : List.copyOf(divergence);
        columns = columns == null ? List.of() : List.copyOf(columns);
    }

    public TableStatus(String table, String sourceTable, String targetTable, List<String> key, boolean verified, String state,
                       String reason, Long sourceRows, Long targetRows, String sourceDigest, String targetDigest, Integer chunks,
                       Integer chunksInSync, Integer pendingChunks, Integer divergentChunks, Long pendingKeys, Long divergentKeys,
                       Long transientMismatches) {
        this(table, sourceTable, targetTable, key, verified, state, reason, sourceRows, targetRows, sourceDigest, targetDigest, chunks,
                chunksInSync, pendingChunks, divergentChunks, pendingKeys, divergentKeys, transientMismatches, List.of(), List.of());
    }

    /** The same table, led by the sentences of its divergence groups (README, "Which column, and why"). */
    public TableStatus withDivergence(List<String> sentences) {
        return new TableStatus(table, sourceTable, targetTable, key, verified, state, reason, sourceRows, targetRows, sourceDigest, targetDigest,
                chunks, chunksInSync, pendingChunks, divergentChunks, pendingKeys, divergentKeys, transientMismatches, sentences, columns);
    }

    /** The same table with the columns verified unlike the others ({@link ColumnNote}). */
    public TableStatus withColumns(List<ColumnNote> notes) {
        return new TableStatus(table, sourceTable, targetTable, key, verified, state, reason, sourceRows, targetRows, sourceDigest, targetDigest,
                chunks, chunksInSync, pendingChunks, divergentChunks, pendingKeys, divergentKeys, transientMismatches, divergence, notes);
    }
}
