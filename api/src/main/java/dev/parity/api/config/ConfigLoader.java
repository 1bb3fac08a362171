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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, String> env;
    private ConfigTree t;

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
            t = new ConfigTree((ObjectNode) YAML.readTree(DEFAULTS), env);
        } catch (IOException e) {
            throw new ConfigException(origin, List.of(new ConfigProblem("(file)", origin, "is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""))));
        }
        if (user != null && !user.isNull()) {
            if (!user.isObject()) {
                throw new ConfigException(origin, List.of(new ConfigProblem("(file)", origin, "must be a YAML mapping")));
            }
            t.merge(user);
        }
        ParityConfig config = new ParityConfig(
                name(),
                database("source"),
                database("target"),
                new IngestConfig.Tables(t.strings("tables.include"), t.strings("tables.exclude"), t.stringMap("tables.map"), ColumnRulesConfig.read(t)),
                chunkBits(),
                new ParityConfig.Heartbeat(t.text("heartbeat.table"), t.duration("heartbeat.interval"), t.bool("heartbeat.enabled"),
                        t.duration("heartbeat.grace"), t.positive("heartbeat.extraWhenUnordered", 1000)),
                new ParityConfig.Readiness(t.duration("readiness.maxLag"), t.duration("readiness.fenceTimeout")),
                kafka(),
                api(),
                new ParityConfig.Alerts(webhooks(), t.duration("alerts.lagThreshold"), t.duration("alerts.groupInterval")),
                new IngestConfig.Verify(t.bool("verify.enabled"), t.duration("verify.interval"), t.optionalDuration("verify.maxAge"), verifySides(),
                        t.positive("verify.pageRows", 100_000), t.positive("verify.maxRowsPerSecond", 100_000_000)),
                new IngestConfig.Snapshot(snapshotMethod(), t.positive("snapshot.pageRows", 1_000_000), t.budget("snapshot.maxRowsPerSecond", 100_000_000)),
                new ParityConfig.Drilldown(t.bool("drilldown.enabled"), t.oneOf("drilldown.values", "show", "hash", "hide"),
                        t.positive("drilldown.maxKeysPerSecond", 100_000)),
                capture(),
                stateDir(),
                t.positive("state.minFreeMb", 1_000_000));
        if (!t.problems.isEmpty()) {
            throw new ConfigException(origin, t.problems);
        }
        return config;
    }

    private String name() {
        String name = t.text("name");
        if (name == null || !name.matches("[a-z][a-z0-9_]{0,30}")) {
            t.problem("name", t.node("name"), "must be 1-31 lower-case letters, digits or underscores, starting with a letter (it names slots and publications)");
        }
        return name;
    }

    private IngestConfig.Database database(String side) {
        String url = t.text(side + ".url");
        String engineName = t.text(side + ".engine");
        Engine engine = Engine.fromName(engineName);
        if (engineName != null && engine == null) {
            t.problem(side + ".engine", t.node(side + ".engine"), "must be postgresql, mysql or mariadb");
        }
        if (url == null || url.isBlank()) {
            t.problems.add(new ConfigProblem(side + ".url", "(missing)", "is required"));
        } else if (!url.matches("jdbc:[a-z]+://.+")) {
            t.problem(side + ".url", t.node(side + ".url"), "must be a JDBC URL such as jdbc:postgresql://host:5432/db or jdbc:mariadb://host:3306/db");
        } else if (engine == null && engineName == null && Engine.fromUrl(url) == null) {
            t.problem(side + ".url", t.node(side + ".url"), "names no engine Parity knows (jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:); set "
                    + side + ".engine");
        }
        JsonNode id = t.node(side + ".serverId");
        Long serverId = null;
        if (!id.isNull() && !id.isMissingNode()) {
            if (!id.isIntegralNumber() || id.asLong() < 1 || id.asLong() > 4_294_967_295L) {
                t.problem(side + ".serverId", id, "must be a whole number from 1 to 4294967295, unique in the replication topology");
            } else {
                serverId = id.asLong();
            }
        }
        return new IngestConfig.Database(url, t.text(side + ".user"), t.text(side + ".password"), engine, serverId);
    }

    private int chunkBits() {
        JsonNode n = t.node("chunks.bits");
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > Chunking.MAX_BITS) {
            t.problem("chunks.bits", n, "must be a whole number from 0 to " + Chunking.MAX_BITS);
            return Chunking.DEFAULT_BITS;
        }
        return n.asInt();
    }

    private int port() {
        JsonNode n = t.node("api.port");
        if (!n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > 65535) {
            t.problem("api.port", n, "must be a port number from 0 to 65535");
            return 0;
        }
        return n.asInt();
    }

    private List<dev.parity.reconciler.model.Side> verifySides() {
        List<dev.parity.reconciler.model.Side> out = new ArrayList<>();
        for (String s : t.strings("verify.sides")) {
            switch (s) {
                case "source" -> out.add(dev.parity.reconciler.model.Side.SOURCE);
                case "target" -> out.add(dev.parity.reconciler.model.Side.TARGET);
                default -> t.problems.add(new ConfigProblem("verify.sides", s, "must be source or target"));
            }
        }
        return out;
    }

    private ParityConfig.Kafka kafka() {
        Map<String, String> properties = t.stringMap("kafka.properties");
        String guarantee = properties.get("processing.guarantee");
        if (guarantee != null && !List.of("exactly_once_v2", "at_least_once").contains(guarantee)) {
            t.problems.add(new ConfigProblem("kafka.properties.processing.guarantee", guarantee, "must be exactly_once_v2 (the default) or at_least_once"));
        }
        return new ParityConfig.Kafka(t.text("kafka.bootstrapServers"), t.positive("kafka.partitions", 1024), properties);
    }

    private Path stateDir() {
        String dir = t.text("state.dir");
        if (dir == null || dir.isBlank()) {
            t.problem("state.dir", t.node("state.dir"), "is required: a directory Parity may write to");
            return null;
        }
        try {
            return Path.of(dir);
        } catch (java.nio.file.InvalidPathException e) {
            t.problem("state.dir", t.node("state.dir"), "is not a valid path (" + e.getReason() + ")");
            return null;
        }
    }

    /**
     * {@code api}; {@code advertise} ({@code host:port}, how the other instances of the same {@code name} reach this one's API)
     * makes this instance one of several that answer for each other (README, "Deployment"): they query each other with the token.
     */
    private ParityConfig.Api api() {
        String advertise = t.text("api.advertise");
        String token = t.text("api.token");
        int apiPort = port();
        if (advertise != null && !advertise.isBlank()) {
            if (apiPort == 0) {
                t.problems.add(new ConfigProblem("api.advertise", advertise, "needs a fixed api.port (0 picks one the other instances cannot know)"));
            }
            int colon = advertise.lastIndexOf(':');
            int port = -1;
            try {
                port = colon > 0 ? Integer.parseInt(advertise.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                // reported below
            }
            if (port < 1 || port > 65535) {
                t.problems.add(new ConfigProblem("api.advertise", advertise, "must be host:port, the address other instances reach this API at"));
            }
            if (!ParityConfig.Capture.CONNECT.equals(t.text("capture.mode"))) {
                t.problems.add(new ConfigProblem("api.advertise", advertise, "needs capture.mode: connect for now (an embedded capture keeps its"
                        + " offsets in one instance's state.dir, so another could not take it over)"));
            }
            if (token == null || token.isBlank()) {
                t.problems.add(new ConfigProblem("api.advertise", advertise, "needs api.token: the instances query each other's stores with it"));
            }
            if (t.text("kafka.bootstrapServers") == null || t.text("kafka.bootstrapServers").isBlank()) {
                t.problems.add(new ConfigProblem("api.advertise", advertise, "needs kafka.bootstrapServers: instances meet on an external Kafka"
                        + " (the embedded broker serves one process)"));
            }
        }
        return new ParityConfig.Api(t.text("api.bind"), apiPort, token, advertise == null || advertise.isBlank() ? null : advertise, tls());
    }

    /** {@code api.tls}: loaded here, so a wrong path or password is a config problem, not a failure at start. */
    private ParityConfig.Tls tls() {
        String keystore = t.text("api.tls.keystore");
        String password = t.text("api.tls.password");
        if (keystore == null || keystore.isBlank()) {
            if (password != null && !password.isEmpty()) {
                t.problems.add(new ConfigProblem("api.tls.keystore", "(missing)", "is required when api.tls.password is set"));
            }
            return null;
        }
        try {
            ParityConfig.Tls tls = new ParityConfig.Tls(Path.of(keystore), password == null ? "" : password);
            dev.parity.api.http.ApiTls.context(tls);
            return tls;
        } catch (RuntimeException | java.io.IOException | java.security.GeneralSecurityException e) { // no such file, not a keystore, wrong password
            t.problems.add(new ConfigProblem("api.tls.keystore", keystore, "cannot be loaded with api.tls.password ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")"));
            return null;
        }
    }

    /** {@code capture.mode}; {@code connect} reads a Kafka Connect cluster's topics, so it needs that cluster's Kafka. */
    private ParityConfig.Capture capture() {
        String mode = t.oneOf("capture.mode", ParityConfig.Capture.EMBEDDED, ParityConfig.Capture.CONNECT);
        if (ParityConfig.Capture.CONNECT.equals(mode) && t.text("kafka.bootstrapServers").isBlank()) {
            t.problems.add(new ConfigProblem("capture.mode", mode, "needs kafka.bootstrapServers: the Kafka cluster your Kafka Connect"
                    + " connectors write to (the embedded broker has no Connect cluster)"));
        }
        return new ParityConfig.Capture(mode);
    }

    private IngestConfig.Snapshot.Method snapshotMethod() {
        String m = t.text("snapshot.method");
        return switch (m == null ? "" : m) {
            case "auto" -> IngestConfig.Snapshot.Method.AUTO;
            case "parity" -> IngestConfig.Snapshot.Method.PARITY;
            case "debezium" -> IngestConfig.Snapshot.Method.DEBEZIUM;
            default -> {
                t.problems.add(new ConfigProblem("snapshot.method", m, "must be auto, parity or debezium"));
                yield IngestConfig.Snapshot.Method.AUTO;
            }
        };
    }

    private List<String> webhooks() {
        List<String> hooks = t.strings("alerts.webhooks");
        for (String h : hooks) {
            if (!h.startsWith("http://") && !h.startsWith("https://")) {
                t.problems.add(new ConfigProblem("alerts.webhooks", h, "must be an http:// or https:// URL"));
            }
        }
        return hooks;
    }

}
