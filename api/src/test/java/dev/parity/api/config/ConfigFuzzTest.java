package dev.parity.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config loader under generated input (README, "When things fail": bad input): thousands of configs built from
 * the real keys with values of every wrong shape, plus mangled YAML. Each must load or fail with a
 * {@link ConfigException} listing {@code key: value: reason} problems — never another exception — and no secret (a
 * password, the token, a SASL property, a secret file's text) may appear in a problem or in the loaded config's
 * text. Seeded: a failure names its seed and document, and replays.
 */
class ConfigFuzzTest {
    private static final String SECRET = "S3cr3t-Pa55w0rd-do-not-print";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void shouldLoadOrListProblemsForAnyConfigAndNeverEchoASecret() throws Exception {
        Path secretFile = Files.writeString(dir.resolve("pw"), SECRET + "\n");
        List<String> keys = leafKeys(YAML.readTree(ConfigLoader.DEFAULTS), "");
        Map<String, String> env = Map.of("PW", SECRET, "PORT", "8081", "EMPTY", "");
        int loaded = 0;
        int refused = 0;
        Map<String, String> crashes = new java.util.LinkedHashMap<>();
        for (int seed = 0; seed < 3000; seed++) {
            Random r = new Random(seed);
            String doc = seed % 10 == 9 ? mangle(r, document(r, keys, secretFile)) : document(r, keys, secretFile);
            try {
                ParityConfig c = ConfigLoader.parse(doc, "fuzz.yaml", env);
                assertThat(c.toString()).as("seed %d: the loaded config's text\n%s", seed, doc).doesNotContain(SECRET);
                loaded++;
            } catch (ConfigException e) {
                assertThat(e.problems()).as("seed %d\n%s", seed, doc).isNotEmpty();
                for (ConfigProblem p : e.problems()) {
                    assertThat(p.key()).as("seed %d: %s", seed, p).isNotBlank();
                    assertThat(p.reason()).as("seed %d: %s", seed, p).isNotBlank();
                    assertThat(p.toString()).as("seed %d: a problem echoes a secret\n%s", seed, doc).doesNotContain(SECRET);
                }
                assertThat(e.getMessage()).as("seed %d", seed).doesNotContain(SECRET);
                refused++;
            } catch (RuntimeException e) {
                // Collected, one per place it was thrown, so one run lists every distinct crash.
                String where = java.util.Arrays.stream(e.getStackTrace()).filter(f -> f.getClassName().startsWith("dev.parity.api.config"))
                        .findFirst().map(StackTraceElement::toString).orElse("?");
                crashes.putIfAbsent(e.getClass().getSimpleName() + " at " + where, "seed " + seed + ":\n" + doc);
            }
        }
        if (!crashes.isEmpty()) {
            fail(crashes.size() + " distinct crashes:\n" + String.join("\n", crashes.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList()));
        }
        assertThat(loaded).as("some generated configs are valid").isPositive();
        assertThat(refused).as("most are not").isGreaterThan(loaded);
    }

    @Test
    void shouldReadASecretFromAFileAndSayWhichFileIsMissing() throws Exception {
        Path pw = Files.writeString(dir.resolve("source-pw"), "from-a-file\n");
        ParityConfig c = ConfigLoader.parse("""
                source: {url: "jdbc:postgresql://db1/shop", user: parity, password: "${file:%s}"}
                target: {url: "jdbc:postgresql://db2/shop", user: parity, password: "x${PW}"}
                """.formatted(pw), "t", Map.of("PW", "y"));
        assertThat(c.source().password()).as("one trailing newline cut").isEqualTo("from-a-file");
        assertThat(c.target().password()).isEqualTo("xy");

        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                source: {url: "jdbc:postgresql://db1/shop", user: parity, password: "${file:/nonexistent/pw}"}
                target: {url: "jdbc:postgresql://db2/shop", user: parity, password: "%s${UNSET}"}
                kafka: {properties: {sasl.jaas.config: 42, ssl.keystore.password: "${file:%s}"}}
                """.formatted(SECRET, dir), "t", Map.of()));
        assertThat(e.problems()).extracting(ConfigProblem::toString).contains(
                "source.password: ${file:/nonexistent/pw}: file /nonexistent/pw cannot be read (NoSuchFileException)",
                "target.password: ***: environment variable UNSET is not set",
                "kafka.properties.ssl.keystore.password: ${file:" + dir + "}: file " + dir + " cannot be read (IOException)");
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    private static List<String> leafKeys(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject() && !e.getValue().isEmpty()) {
                out.addAll(leafKeys(e.getValue(), key + "."));
            }
            out.add(key);
        }
        return out;
    }

    /** A config with a random subset of keys set, each to a value of a random shape, plus now and then an unknown key. */
    private static String document(Random r, List<String> keys, Path secretFile) {
        StringBuilder out = new StringBuilder();
        out.append("source: {url: \"jdbc:postgresql://db1:5432/shop\", user: parity, password: \"").append(SECRET).append("\"}\n");
        out.append("target: {url: \"jdbc:mariadb://db2:3306/shop\", user: parity, password: \"${PW}\"}\n");
        out.append("kafka: {properties: {sasl.jaas.config: \"").append(SECRET).append("\"}}\n");
        // The secret only ever sits under secret keys, in every shape (a key holding it elsewhere would rightly be shown).
        for (String key : List.of("source.password", "api.token", "kafka.properties.ssl.truststore.password", "target.password")) {
            if (r.nextInt(3) == 0) {
                out.append(nest(key, switch (r.nextInt(6)) {
                    case 0 -> "\"" + SECRET + "${UNSET}\"";
                    case 1 -> "[\"" + SECRET + "\"]";
                    case 2 -> "{x: \"" + SECRET + "\"}";
                    case 3 -> "\"${file:" + secretFile + "}\"";
                    case 4 -> "\"${file:" + secretFile + "}${file:/nonexistent}\"";
                    default -> "\"" + SECRET + "\"";
                })).append('\n');
            }
        }
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            String key = r.nextInt(12) == 0 ? "bogus" + r.nextInt(3) + "." + keys.get(r.nextInt(keys.size())) : keys.get(r.nextInt(keys.size()));
            out.append(nest(key, value(r, secretFile))).append('\n');
        }
        return out.toString();
    }

    /** {@code a.b.c: v} as flow YAML; a later duplicate of a top-level key is itself a YAML error the loader must report. */
    private static String nest(String key, String value) {
        String[] parts = key.split("\\.");
        StringBuilder out = new StringBuilder(parts[0]).append(": ");
        for (int i = 1; i < parts.length; i++) {
            out.append("{").append(parts[i]).append(": ");
        }
        out.append(value);
        out.append("}".repeat(parts.length - 1));
        return out.toString();
    }

    private static String value(Random r, Path secretFile) {
        return switch (r.nextInt(22)) {
            case 0 -> "null";
            case 1 -> "true";
            case 2 -> String.valueOf(r.nextInt());
            case 3 -> String.valueOf(r.nextLong());
            case 4 -> "-1";
            case 5 -> "0";
            case 6 -> "1.5e308";
            case 7 -> "\"" + "x".repeat(r.nextInt(20_000)) + "\"";
            case 8 -> "[]";
            case 9 -> "[1, [2, {a: b}], null]";
            case 10 -> "{}";
            case 11 -> "{nested: {deeper: [x]}}";
            case 12 -> "\"${UNSET_" + r.nextInt(3) + "}\"";
            case 13 -> "\"${file:/nonexistent/" + r.nextInt(3) + "}\"";
            case 14 -> "\"${file:/dev/null}\"";
            case 15 -> "\"plain text\"";
            case 16 -> "\"10s\"";
            case 17 -> "\"-5m\"";
            case 18 -> "\"\u00e9\u00fc\u4e2d\\u0000\\t\"";
            case 19 -> "\"${PORT}\"";
            case 20 -> "\"${EMPTY}\"";
            default -> "\"*.*\"";
        };
    }

    /** Cuts, duplicates or garbles a few characters: YAML the parser may reject. */
    private static String mangle(Random r, String doc) {
        StringBuilder b = new StringBuilder(doc);
        for (int i = 0; i < 1 + r.nextInt(4) && b.length() > 0; i++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(4)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, "{[:\t\"'&*!|>%@`".charAt(r.nextInt(14)));
                case 2 -> b.setLength(at);
                default -> b.insert(at, b.substring(at, Math.min(b.length(), at + 20)));
            }
        }
        return b.toString();
    }
}
