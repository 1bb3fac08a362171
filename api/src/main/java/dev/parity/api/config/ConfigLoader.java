package dev.parity.api.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.engine.Engine;
import dev.parity.reconciler.model.Chunking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads and validates the YAML config. Every problem is collected and reported at once as
 * {@code key: value: reason}; {@code ${ENV}} references are expanded from the environment and
 * {@code ${file:/run/secrets/x}} from a file, and a secret's value never appears in a problem.
 */
public final class ConfigLoader {
    /** Every default, declared once. Keys not listed here are unknown (and reported). */
    static final String DEFAULTS = """
            name: parity
            source: {url: null, user: null, password: null, engine: null, serverId: null}
            target: {url: null, user: null, password: null, engine: null, serverId: null}
            tables: {include: ["*"], exclude: [], map: {}, columns: {}}
            chunks: {bits: 10}
            heartbeat: {table: parity_heartbeat, interval: 1s, enabled: true, grace: 30s, extraWhenUnordered: 3}
            readiness: {maxLag: 10s, fenceTimeout: 60s}
            kafka: {bootstrapServers: "", partitions: 4, properties: {}}
            api: {bind: 127.0.0.1, port: 8080, token: "", advertise: "", tls: {keystore: "", password: ""}}
            alerts: {webhooks: [], lagThreshold: 10s, groupInterval: 30s}
            verify: {enabled: true, interval: 10s, maxAge: auto, sides: [source, target], pageRows: 1000, maxRowsPerSecond: 20000}
            snapshot: {method: auto, pageRows: 10000, maxRowsPerSecond: unlimited}
            drilldown: {enabled: true, values: show, maxKeysPerSecond: 200}
            capture: {mode: embedded}
            state: {dir: ./data, minFreeMb: 256}
            """;
    private static final Set<String> FREE_MAPS = Set.of("tables.map", "tables.columns", "kafka.properties");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, String> env;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private JsonNode root;

    private ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    public static ParityConfig load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem("(file)", file.toString(), "cannot be read: " + e.getMessage())));
        }
        return parse(text, file.toString(), env);
    }

    public static ParityConfig parse(String yaml, String origin, Map<String, String> env) {
        return new ConfigLoader(env).read(yaml, origin);
    }

    private ParityConfig read(String yaml, String origin) {
        JsonNode user;
        try {
            user = YAML.readTree(yaml);
            root = YAML.readTree(DEFAULTS);
        } catch (IOException e) {
            throw new ConfigException(origin, List.of(new ConfigProblem("(file)", origin, "is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""))));
        }
        if (user != null && !user.isNull()) {
            if (!user.isObject()) {
                throw new ConfigException(origin, List.of(new ConfigProblem("(file)", origin, "must be a YAML mapping")));
            }
            merge((ObjectNode) root, user, "");
        }
        ParityConfig config = new ParityConfig(
                name(),
                database("source"),
                database("target"),
                new IngestConfig.Tables(strings("tables.include"), strings("tables.exclude"), stringMap("tables.map"), columnRules()),
                chunkBits(),
                new ParityConfig.Heartbeat(text("heartbeat.table"), duration("heartbeat.interval"), bool("heartbeat.enabled"),
                        duration("heartbeat.grace"), positive("heartbeat.extraWhenUnordered", 1000)),
                new ParityConfig.Readiness(duration("readiness.maxLag"), duration("readiness.fenceTimeout")),
                kafka(),
                api(),
                new ParityConfig.Alerts(webhooks(), duration("alerts.lagThreshold"), duration("alerts.groupInterval")),
                new IngestConfig.Verify(bool("verify.enabled"), duration("verify.interval"), optionalDuration("verify.maxAge"), verifySides(),
                        positive("verify.pageRows", 100_000), positive("verify.maxRowsPerSecond", 100_000_000)),
                new IngestConfig.Snapshot(snapshotMethod(), positive("snapshot.pageRows", 1_000_000), budget("snapshot.maxRowsPerSecond", 100_000_000)),
                new ParityConfig.Drilldown(bool("drilldown.enabled"), oneOf("drilldown.values", "show", "hash", "hide"),
                        positive("drilldown.maxKeysPerSecond", 100_000)),
                capture(),
                stateDir(),
                positive("state.minFreeMb", 1_000_000));
        if (!problems.isEmpty()) {
            throw new ConfigException(origin, problems);
        }
        return config;
    }

    /**
     * {@code tables.columns}: {@code "namespace.table.column": {padding: ignore, digits: 12, zone: Europe/Berlin, compare: false}},
     * the table by its source name; each rule checked, every problem reported.
     */
    private Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> columnRules() {
        JsonNode node = node("tables.columns");
        Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> out = new java.util.TreeMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            problem("tables.columns", node, "must be a mapping of namespace.table.column to rules");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = "tables.columns." + e.getKey();
            int dot = e.getKey().lastIndexOf('.');
            if (dot <= 0 || e.getKey().indexOf('.') == dot || dot == e.getKey().length() - 1) {
                problem(key, e.getValue(), "must be named namespace.table.column (the table by its source name)");
                continue;
            }
            if (!e.getValue().isObject()) {
                problem(key, e.getValue(), "must be a mapping of rules: padding, digits, zone, compare");
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
                            problem(rk, v, "must be ignore (trailing spaces do not count) or keep");
                            ok = false;
                        }
                    }
                    case "digits" -> {
                        if (v.canConvertToInt() && v.isIntegralNumber() && v.asInt() >= 1 && v.asInt() <= 17) {
                            digits = v.asInt();
                        } else {
                            problem(rk, v, "must be a whole number of significant digits within 1..17");
                            ok = false;
                        }
                    }
                    case "zone" -> {
                        try {
                            zone = java.time.ZoneId.of(v.asText());
                        } catch (java.time.DateTimeException ex) {
                            problem(rk, v, "must be a time zone such as UTC, +02:00 or Europe/Berlin");
                            ok = false;
                        }
                    }
                    case "compare" -> {
                        if (v.isBoolean()) {
                            ignored = !v.asBoolean();
                        } else {
                            problem(rk, v, "must be true or false (false: the column is not compared, and status says so)");
                            ok = false;
                        }
                    }
                    default -> {
                        problem(rk, v, "unknown rule (padding, digits, zone, compare)");
                        ok = false;
                    }
                }
            }
            if (ok) {
                out.computeIfAbsent(e.getKey().substring(0, dot), t -> new java.util.TreeMap<>())
                        .put(e.getKey().substring(dot + 1).toLowerCase(java.util.Locale.ROOT), new dev.parity.reconciler.canonical.ColumnRule(padding, digits, zone, ignored));
            }
        }
        return out;
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

    private JsonNode node(String key) {
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n.path(part);
        }
        return n;
    }

    /** The string at {@code key}, env-expanded; null when unset. */
    private String text(String key) {
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

    private String expand(String key, String raw) {
        return ConfigSecrets.expand(key, raw, env, problems);
    }

    private String name() {
        String name = text("name");
        if (name == null || !name.matches("[a-z][a-z0-9_]{0,30}")) {
            problem("name", node("name"), "must be 1-31 lower-case letters, digits or underscores, starting with a letter (it names slots and publications)");
        }
        return name;
    }

    private IngestConfig.Database database(String side) {
        String url = text(side + ".url");
        String engineName = text(side + ".engine");
        Engine engine = Engine.fromName(engineName);
        if (engineName != null && engine == null) {
            problem(side + ".engine", node(side + ".engine"), "must be postgresql, mysql or mariadb");
        }
        if (url == null || url.isBlank()) {
            problems.add(new ConfigProblem(side + ".url", "(missing)", "is required"));
        } else if (!url.matches("jdbc:[a-z]+://.+")) {
            problem(side + ".url", node(side + ".url"), "must be a JDBC URL such as jdbc:postgresql://host:5432/db or jdbc:mariadb://host:3306/db");
        } else if (engine == null && engineName == null && Engine.fromUrl(url) == null) {
            problem(side + ".url", node(side + ".url"), "names no engine Parity knows (jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:); set "
                    + side + ".engine");
        }
        JsonNode id = node(side + ".serverId");
        Long serverId = null;
        if (!id.isNull() && !id.isMissingNode()) {
            if (!id.isIntegralNumber() || id.asLong() < 1 || id.asLong() > 4_294_967_295L) {
                problem(side + ".serverId", id, "must be a whole number from 1 to 4294967295, unique in the replication topology");
            } else {
                serverId = id.asLong();
            }
        }
        return new IngestConfig.Database(url, text(side + ".user"), text(side + ".password"), engine, serverId);
    }

    private int chunkBits() {
        JsonNode n = node("chunks.bits");
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > Chunking.MAX_BITS) {
            problem("chunks.bits", n, "must be a whole number from 0 to " + Chunking.MAX_BITS);
            return Chunking.DEFAULT_BITS;
        }
        return n.asInt();
    }

    private int port() {
        JsonNode n = node("api.port");
        if (!n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > 65535) {
            problem("api.port", n, "must be a port number from 0 to 65535");
            return 0;
        }
        return n.asInt();
    }

    private int positive(String key, int max) {
        JsonNode n = node(key);
        if (!n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > max) {
            problem(key, n, "must be a whole number from 1 to " + max);
            return 1;
        }
        return n.asInt();
    }

    /** A read budget in rows a second: a whole number, or {@code unlimited} (0). */
    private int budget(String key, int max) {
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

    private boolean bool(String key) {
        JsonNode n = node(key);
        if (!n.isBoolean()) {
            problem(key, n, "must be true or false");
            return true;
        }
        return n.asBoolean();
    }

    private Duration duration(String key) {
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
    private Duration optionalDuration(String key) {
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

    private List<String> strings(String key) {
        return list(key, n -> n.isTextual() ? expand(key, n.asText()) : null);
    }

    private List<dev.parity.reconciler.model.Side> verifySides() {
        List<dev.parity.reconciler.model.Side> out = new ArrayList<>();
        for (String s : strings("verify.sides")) {
            switch (s) {
                case "source" -> out.add(dev.parity.reconciler.model.Side.SOURCE);
                case "target" -> out.add(dev.parity.reconciler.model.Side.TARGET);
                default -> problems.add(new ConfigProblem("verify.sides", s, "must be source or target"));
            }
        }
        return out;
    }

    private ParityConfig.Kafka kafka() {
        Map<String, String> properties = stringMap("kafka.properties");
        String guarantee = properties.get("processing.guarantee");
        if (guarantee != null && !List.of("exactly_once_v2", "at_least_once").contains(guarantee)) {
            problems.add(new ConfigProblem("kafka.properties.processing.guarantee", guarantee, "must be exactly_once_v2 (the default) or at_least_once"));
        }
        return new ParityConfig.Kafka(text("kafka.bootstrapServers"), positive("kafka.partitions", 1024), properties);
    }

    private Path stateDir() {
        String dir = text("state.dir");
        if (dir == null || dir.isBlank()) {
            problem("state.dir", node("state.dir"), "is required: a directory Parity may write to");
            return null;
        }
        try {
            return Path.of(dir);
        } catch (java.nio.file.InvalidPathException e) {
            problem("state.dir", node("state.dir"), "is not a valid path (" + e.getReason() + ")");
            return null;
        }
    }

    private String oneOf(String key, String... allowed) {
        String v = text(key);
        if (v == null || !List.of(allowed).contains(v)) {
            problem(key, node(key), "must be " + String.join(", ", allowed));
        }
        return v;
    }

    /**
     * {@code api}; {@code advertise} ({@code host:port}, how the other instances of the same {@code name} reach this one's API)
     * makes this instance one of several that answer for each other (README, "Deployment"): they query each other with the token.
     */
    private ParityConfig.Api api() {
        String advertise = text("api.advertise");
        String token = text("api.token");
        int apiPort = port();
        if (advertise != null && !advertise.isBlank()) {
            if (apiPort == 0) {
                problems.add(new ConfigProblem("api.advertise", advertise, "needs a fixed api.port (0 picks one the other instances cannot know)"));
            }
            int colon = advertise.lastIndexOf(':');
            int port = -1;
            try {
                port = colon > 0 ? Integer.parseInt(advertise.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                // reported below
            }
            if (port < 1 || port > 65535) {
                problems.add(new ConfigProblem("api.advertise", advertise, "must be host:port, the address other instances reach this API at"));
            }
            if (!ParityConfig.Capture.CONNECT.equals(text("capture.mode"))) {
                problems.add(new ConfigProblem("api.advertise", advertise, "needs capture.mode: connect for now (an embedded capture keeps its"
                        + " offsets in one instance's state.dir, so another could not take it over)"));
            }
            if (token == null || token.isBlank()) {
                problems.add(new ConfigProblem("api.advertise", advertise, "needs api.token: the instances query each other's stores with it"));
            }
            if (text("kafka.bootstrapServers") == null || text("kafka.bootstrapServers").isBlank()) {
                problems.add(new ConfigProblem("api.advertise", advertise, "needs kafka.bootstrapServers: instances meet on an external Kafka"
                        + " (the embedded broker serves one process)"));
            }
        }
        return new ParityConfig.Api(text("api.bind"), apiPort, token, advertise == null || advertise.isBlank() ? null : advertise, tls());
    }

    /** {@code api.tls}: loaded here, so a wrong path or password is a config problem, not a failure at start. */
    private ParityConfig.Tls tls() {
        String keystore = text("api.tls.keystore");
        String password = text("api.tls.password");
        if (keystore == null || keystore.isBlank()) {
            if (password != null && !password.isEmpty()) {
                problems.add(new ConfigProblem("api.tls.keystore", "(missing)", "is required when api.tls.password is set"));
            }
            return null;
        }
        try {
            ParityConfig.Tls tls = new ParityConfig.Tls(Path.of(keystore), password == null ? "" : password);
            dev.parity.api.http.ApiTls.context(tls);
            return tls;
        } catch (RuntimeException | java.io.IOException | java.security.GeneralSecurityException e) { // no such file, not a keystore, wrong password
            problems.add(new ConfigProblem("api.tls.keystore", keystore, "cannot be loaded with api.tls.password ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")"));
            return null;
        }
    }

    /** {@code capture.mode}; {@code connect} reads a Kafka Connect cluster's topics, so it needs that cluster's Kafka. */
    private ParityConfig.Capture capture() {
        String mode = oneOf("capture.mode", ParityConfig.Capture.EMBEDDED, ParityConfig.Capture.CONNECT);
        if (ParityConfig.Capture.CONNECT.equals(mode) && text("kafka.bootstrapServers").isBlank()) {
            problems.add(new ConfigProblem("capture.mode", mode, "needs kafka.bootstrapServers: the Kafka cluster your Kafka Connect"
                    + " connectors write to (the embedded broker has no Connect cluster)"));
        }
        return new ParityConfig.Capture(mode);
    }

    private IngestConfig.Snapshot.Method snapshotMethod() {
        String m = text("snapshot.method");
        return switch (m == null ? "" : m) {
            case "auto" -> IngestConfig.Snapshot.Method.AUTO;
            case "parity" -> IngestConfig.Snapshot.Method.PARITY;
            case "debezium" -> IngestConfig.Snapshot.Method.DEBEZIUM;
            default -> {
                problems.add(new ConfigProblem("snapshot.method", m, "must be auto, parity or debezium"));
                yield IngestConfig.Snapshot.Method.AUTO;
            }
        };
    }

    private List<String> webhooks() {
        List<String> hooks = strings("alerts.webhooks");
        for (String h : hooks) {
            if (!h.startsWith("http://") && !h.startsWith("https://")) {
                problems.add(new ConfigProblem("alerts.webhooks", h, "must be an http:// or https:// URL"));
            }
        }
        return hooks;
    }

    private <T> List<T> list(String key, Function<JsonNode, T> element) {
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

    private Map<String, String> stringMap(String key) {
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

    private void problem(String key, JsonNode value, String reason) {
        problems.add(new ConfigProblem(key, ConfigSecrets.shown(key, value), reason));
    }
}
