package dev.parity.api.readiness;

import java.util.Map;

/**
 * One readiness check with its evidence. Anything not positively verified is UNKNOWN, never PASS.
 *
 * @param name   stable, lower-case with dashes (scripts match on it)
 */
public record Check(String name, Status status, String detail, Map<String, Object> evidence) {
    public enum Status { PASS, FAIL, UNKNOWN }

    public Check {
        evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
    }

    static Check pass(String name, String detail, Map<String, Object> evidence) {
        return new Check(name, Status.PASS, detail, evidence);
    }

    static Check fail(String name, String detail, Map<String, Object> evidence) {
        return new Check(name, Status.FAIL, detail, evidence);
    }

    static Check unknown(String name, String detail) {
        return new Check(name, Status.UNKNOWN, detail, Map.of());
    }

    static Check unknown(String name, String detail, Map<String, Object> evidence) {
        return new Check(name, Status.UNKNOWN, detail, evidence);
    }
}
