package dev.parity.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** The {@code tables.columns} section: per-column comparison rules (README, "Configuration"). */
final class ColumnRulesConfig {
    private ColumnRulesConfig() {
    }

    /**
     * {@code tables.columns}: {@code "namespace.table.column": {padding: ignore, digits: 12, zone: Europe/Berlin, compare: false}},
     * the table by its source name; each rule checked, every problem reported.
     */
    static Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> read(ConfigTree t) {
        JsonNode node = t.node("tables.columns");
        Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> out = new java.util.TreeMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            t.problem("tables.columns", node, "must be a mapping of namespace.table.column to rules");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = "tables.columns." + e.getKey();
            int dot = e.getKey().lastIndexOf('.');
            if (dot <= 0 || e.getKey().indexOf('.') == dot || dot == e.getKey().length() - 1) {
                t.problem(key, e.getValue(), "must be named namespace.table.column (the table by its source name)");
                continue;
            }
            if (!e.getValue().isObject()) {
                t.problem(key, e.getValue(), "must be a mapping of rules: padding, digits, zone, compare");
                continue;
            }
            boolean padding = false;
            Integer digits = null;
            java.time.ZoneId zone = null;
            boolean ignored = false;
            boolean ok = true;
            for (Iterator<Map.Entry<String, JsonNode>> r = e.getValue().fields(); r.hasNext(); ) {
                Map.Entry<String, JsonNode> rule = r.next();
                String rk = key + "." + rule.getKey();
                JsonNode v = rule.getValue();
                switch (rule.getKey()) {
                    case "padding" -> {
                        if ("ignore".equals(v.asText()) || "keep".equals(v.asText())) {
                            padding = "ignore".equals(v.asText());
                        } else {
                            t.problem(rk, v, "must be ignore (trailing spaces do not count) or keep");
                            ok = false;
                        }
                    }
                    case "digits" -> {
                        if (v.canConvertToInt() && v.isIntegralNumber() && v.asInt() >= 1 && v.asInt() <= 17) {
                            digits = v.asInt();
                        } else {
                            t.problem(rk, v, "must be a whole number of significant digits within 1..17");
                            ok = false;
                        }
                    }
                    case "zone" -> {
                        try {
                            zone = java.time.ZoneId.of(v.asText());
                        } catch (java.time.DateTimeException ex) {
                            t.problem(rk, v, "must be a time zone such as UTC, +02:00 or Europe/Berlin");
                            ok = false;
                        }
                    }
                    case "compare" -> {
                        if (v.isBoolean()) {
                            ignored = !v.asBoolean();
                        } else {
                            t.problem(rk, v, "must be true or false (false: the column is not compared, and status says so)");
                            ok = false;
                        }
                    }
                    default -> {
                        t.problem(rk, v, "unknown rule (padding, digits, zone, compare)");
                        ok = false;
                    }
                }
            }
            if (ok) {
                out.computeIfAbsent(e.getKey().substring(0, dot), k -> new java.util.TreeMap<>())
                        .put(e.getKey().substring(dot + 1).toLowerCase(java.util.Locale.ROOT), new dev.parity.reconciler.canonical.ColumnRule(padding, digits, zone, ignored));
            }
        }
        return out;
    }
}
