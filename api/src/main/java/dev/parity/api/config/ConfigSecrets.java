package dev.parity.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a config value may come from and what of it may be shown (README, "Configuration" and "Security"):
 * {@code ${NAME}} from the environment, {@code ${file:/path}} from a file (a mounted secret); a secret's value is
 * never shown in a problem — the passwords, the token, and any key whose name says password, secret, token, jaas or
 * credential, wherever it sits (kafka.properties carries SASL and keystore passwords).
 */
final class ConfigSecrets {
    private static final Set<String> SECRETS = Set.of("source.password", "target.password", "api.token");
    /** {@code ${NAME}}: an environment variable; {@code ${file:/path}}: a file's contents, one trailing newline cut. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(?:file:([^}]+)|([A-Za-z_][A-Za-z0-9_]*))}");
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(passw|secret|token|jaas|credential).*");
    private static final ObjectMapper NODES = new ObjectMapper();

    private ConfigSecrets() {
    }

    static boolean secret(String key) {
        return SECRETS.contains(key) || SECRET_KEY.matcher(key).matches();
    }

    /** {@code raw} with its references replaced; each one that cannot be resolved adds a problem (and expands to nothing). */
    static String expand(String key, String raw, Map<String, String> env, List<ConfigProblem> problems) {
        Matcher m = REFERENCE.matcher(raw);
        StringBuilder out = new StringBuilder();
        // A secret is shown only when it is nothing but a reference (which names where it comes from, not what it is).
        String shown = !secret(key) || REFERENCE.matcher(raw).matches() ? raw : "***";
        while (m.find()) {
            String value;
            if (m.group(1) != null) {
                value = readFile(key, shown, m.group(1), problems);
            } else {
                value = env.get(m.group(2));
                if (value == null) {
                    problems.add(new ConfigProblem(key, shown, "environment variable " + m.group(2) + " is not set"));
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** How a problem shows the value at {@code key}: {@code ***} for a secret, and secrets masked inside a mapping or list. */
    static String shown(String key, JsonNode value) {
        return secret(key) ? "***" : value == null || value.isMissingNode() ? "(missing)" : value.isTextual() ? value.asText()
                : masked(value).toString();
    }

    /** A {@code ${file:...}} reference: the file's text without one trailing newline; null (and a problem) when unreadable. */
    private static String readFile(String key, String shown, String file, List<ConfigProblem> problems) {
        try {
            String text = Files.readString(Path.of(file));
            return text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException | RuntimeException e) { // a missing file, a directory, a bad path, unreadable or not UTF-8
            problems.add(new ConfigProblem(key, shown, "file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")"));
            return null;
        }
    }

    /** A copy of a mapping or list with the value under every secret-looking field name replaced by {@code ***}. */
    private static JsonNode masked(JsonNode value) {
        if (value.isObject()) {
            ObjectNode out = NODES.createObjectNode();
            value.fields().forEachRemaining(e -> out.set(e.getKey(), secret(e.getKey()) ? out.textNode("***") : masked(e.getValue())));
            return out;
        }
        if (value.isArray()) {
            ArrayNode out = NODES.createArrayNode();
            value.forEach(v -> out.add(masked(v)));
            return out;
        }
        return value;
    }
}
