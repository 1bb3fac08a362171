package dev.parity.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The config as one tree (the defaults with the user's file merged over them) and its typed readers: each reads one
 * key, and a value of the wrong kind becomes a {@code key: value: reason} problem in {@link #problems} (its value
 * masked where it is a secret) while reading goes on, so that {@link ConfigLoader} can report every problem at once.
 */
final class ConfigTree {
    /** Keys whose mappings are the user's own (any keys), not part of the schema. */
    private static final Set<String> FREE_MAPS = Set.of("tables.map", "tables.columns", "kafka.properties");

    final List<ConfigProblem> problems = new ArrayList<>();
    private final Map<String, String> env;
    private final ObjectNode root;

    /** @param defaults every key with its default; the user's keys are merged into it ({@link #merge}) */
    ConfigTree(ObjectNode defaults, Map<String, String> env) {
        this.root = defaults;
        this.env = env;
    }

    /** Merges the user's file over the defaults; a key the defaults lack is reported as unknown. */
    void merge(JsonNode user) {
        merge(root, user, "");
    }

    private void merge(ObjectNode defaults, JsonNode user, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode def = defaults.get(e.getKey());
            if (def == null) {
                // The value is not shown: an unknown key is often a misspelt one ("pasword"), and its value a secret;
                // nor a key past its first odd character ("password 'x'" is a key, when the colon was forgotten).
                String name = e.getKey().isEmpty() ? "(empty key)" : e.getKey().replaceAll("[^A-Za-z0-9_.*-].*", "…");
                problems.add(new ConfigProblem(prefix + name, "(not shown)", "unknown key"));
            } else if (def.isObject() && !FREE_MAPS.contains(key)) {
                if (e.getValue().isObject()) {
                    merge((ObjectNode) def, e.getValue(), key + ".");
                } else {
                    problem(key, e.getValue(), "must be a mapping");
                }
            } else {
                defaults.set(e.getKey(), e.getValue());
            }
        }
    }

    JsonNode node(String key) {
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n.path(part);
        }
        return n;
    }

    /** The string at {@code key}, env-expanded; null when unset. */
    String text(String key) {
        JsonNode n = node(key);
        if (n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (!n.isValueNode()) {
            problem(key, n, "must be a single value");
            return null;
        }
        return expand(key, n.asText());
    }

    String expand(String key, String raw) {
        return ConfigSecrets.expand(key, raw, env, problems);
    }

    int positive(String key, int max) {
        JsonNode n = node(key);
        if (!n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > max) {
            problem(key, n, "must be a whole number from 1 to " + max);
            return 1;
        }
        return n.asInt();
    }

    /** A read budget in rows a second: a whole number, or {@code unlimited} (0). */
    int budget(String key, int max) {
        JsonNode n = node(key);
        if (n.isTextual() && "unlimited".equals(n.asText())) {
            return 0;
        }
        if (!n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > max) {
            problem(key, n, "must be unlimited or a whole number of rows a second from 1 to " + max);
            return 0;
        }
        return n.asInt();
    }

    boolean bool(String key) {
        JsonNode n = node(key);
        if (!n.isBoolean()) {
            problem(key, n, "must be true or false");
            return true;
        }
        return n.asBoolean();
    }

    Duration duration(String key) {
        Duration d = Durations.parse(text(key));
        if (d == null) {
            problem(key, node(key), "must be a duration such as 500ms, 10s, 5m or 1h");
            return Duration.ZERO;
        }
        if (d.isZero()) {
            problem(key, node(key), "must be longer than zero");
        }
        return d;
    }

    /** A duration, or {@code auto} (null): the default is then worked out at run time. */
    Duration optionalDuration(String key) {
        String text = text(key);
        if ("auto".equals(text)) {
            return null;
        }
        Duration d = Durations.parse(text);
        if (d == null || d.isZero()) {
            problem(key, node(key), "must be a duration such as 10m or 1h, or auto (two sweep rounds at the read budget)");
        }
        return d;
    }

    List<String> strings(String key) {
        return list(key, n -> n.isTextual() ? expand(key, n.asText()) : null);
    }

    String oneOf(String key, String... allowed) {
        String v = text(key);
        if (v == null || !List.of(allowed).contains(v)) {
            problem(key, node(key), "must be " + String.join(", ", allowed));
        }
        return v;
    }

    <T> List<T> list(String key, Function<JsonNode, T> element) {
        JsonNode n = node(key);
        List<T> out = new ArrayList<>();
        if (!n.isArray()) {
            problem(key, n, "must be a list");
            return out;
        }
        for (JsonNode e : n) {
            T v = element.apply(e);
            if (v == null) {
                problem(key, e, "list entries must be strings");
            } else {
                out.add(v);
            }
        }
        return out;
    }

    Map<String, String> stringMap(String key) {
        JsonNode n = node(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (!n.isObject()) {
            problem(key, n, "must be a mapping");
            return out;
        }
        n.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                out.put(e.getKey(), expand(key + "." + e.getKey(), e.getValue().asText()));
            } else {
                problem(key + "." + e.getKey(), e.getValue(), "must be a single value");
            }
        });
        return out;
    }

    void problem(String key, JsonNode value, String reason) {
        problems.add(new ConfigProblem(key, ConfigSecrets.shown(key, value), reason));
    }
}
