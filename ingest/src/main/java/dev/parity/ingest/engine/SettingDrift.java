package dev.parity.ingest.engine;

/**
 * A server setting that differs between source and target.
 *
 * @param dataRisk true when the difference can change or lose data (time zone, strictness, character set)
 */
public record SettingDrift(String setting, String source, String target, boolean dataRisk, String risk) {
}
