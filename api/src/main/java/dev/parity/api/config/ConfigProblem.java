package dev.parity.api.config;

/** One thing wrong with a config: printed as {@code key: value: reason}. */
public record ConfigProblem(String key, String value, String reason) {
    @Override
    public String toString() {
        return key + ": " + value + ": " + reason;
    }
}
