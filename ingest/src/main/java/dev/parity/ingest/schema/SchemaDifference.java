package dev.parity.ingest.schema;

/**
 * One structural difference between a source and a target table.
 *
 * @param source what the source has; null when only the target has it
 * @param target what the target has; null when only the source has it
 * @param risk   why it matters (truncation, failing writes); null when it is only a difference
 */
public record SchemaDifference(String table, String aspect, String source, String target, String risk) {
}
