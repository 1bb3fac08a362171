package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.time.Instant;
import java.util.List;

/**
 * Live structure comparison in {@link Status}: the latest differences between source and target.
 *
 * @param drift null before the first comparison
 * @param error why the last comparison failed; absent when it succeeded
 */
public record SchemaStatus(Instant checkedAt, Boolean drift, List<Difference> differences, @JsonInclude(Include.NON_NULL) String error) {
    public SchemaStatus {
        differences = List.copyOf(differences);
    }

    public record Difference(String table, String aspect, String source, String target, String risk) {
    }
}
