package dev.parity.reconciler.rules;

import java.util.Map;

/**
 * One readiness check with its evidence. Anything not positively verified is UNKNOWN, never PASS.
 *
 * @param name     stable, lower-case with dashes (scripts match on it)
 * @param evidence what the check saw; never null (empty when there is nothing to show)
 */
public record Check(String name, Status status, String detail, Map<String, Object> evidence) {
    public enum Status { PASS, FAIL, UNKNOWN }

    public Check {
        evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
    }

    public static Check pass(String name, String detail, Map<String, Object> evidence) {
        return new Check(name, Status.PASS, detail, evidence);
    }

    public static Check fail(String name, String detail, Map<String, Object> evidence) {
        return new Check(name, Status.FAIL, detail, evidence);
    }

    public static Check unknown(String name, String detail) {
        return new Check(name, Status.UNKNOWN, detail, Map.of());
    }

    public static Check unknown(String name, String detail, Map<String, Object> evidence) {
        return new Check(name, Status.UNKNOWN, detail, evidence);
    }

    public boolean passed() {
        return status == Status.PASS;
    }
}
