package dev.parity.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.time.Instant;
import java.util.List;

/**
 * Live structure comparison in {@link Status}: the latest differences between source and target.
 *
 * @param drift null before the first comparison
 * @param unwatched tables the filter names now that Parity does not watch (created or renamed since it planned them;
 *                  planned again within seconds where it can: README, "When things fail")
 * @param error why the last comparison failed; absent when it succeeded
 */
public record SchemaStatus(Instant checkedAt, Boolean drift, List<Difference> differences, List<String> unwatched,
                           @JsonInclude(Include.NON_NULL) String error) {
    public SchemaStatus {
        differences = List.copyOf(differences);
        unwatched = List.copyOf(unwatched);
    }

    public record Difference(String table, String aspect, String source, String target, String risk) {
    }
}
