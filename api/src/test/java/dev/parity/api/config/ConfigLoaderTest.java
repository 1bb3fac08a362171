package dev.parity.api.config;

import dev.parity.ingest.IngestConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final String MINIMAL = """
            source: {url: "jdbc:postgresql://db1:5432/shop", user: parity, password: "${SRC_PW}"}
            target: {url: "jdbc:postgresql://db2:5432/shop", user: parity, password: "${TGT_PW}"}
            """;

    @Test
    void shouldApplyDefaultsAndExpandEnvironment() {
        ParityConfig c = ConfigLoader.parse(MINIMAL, "t", Map.of("SRC_PW", "a", "TGT_PW", "b"));
        assertThat(c.source().password()).isEqualTo("a");
        assertThat(c.chunkBits()).isEqualTo(10);
        assertThat(c.heartbeat().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.readiness().maxLag()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.api().bind()).isEqualTo("127.0.0.1");
        assertThat(c.kafka().embedded()).isTrue();
        assertThat(c.stateDir()).isEqualTo(Path.of("./data"));
        assertThat(c.verify().enabled()).isTrue();
        assertThat(c.verify().sides()).containsExactly(dev.parity.reconciler.model.Side.SOURCE, dev.parity.reconciler.model.Side.TARGET);
        assertThat(c.verify().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.verify().maxAge()).as("auto: worked out from the budget").isNull();
        assertThat(c.snapshot().method()).isEqualTo(IngestConfig.Snapshot.Method.AUTO);
        assertThat(c.snapshot().pageRows()).isEqualTo(10_000);
        assertThat(c.snapshot().maxRowsPerSecond()).as("unlimited").isZero();
        assertThat(ConfigLoader.parse(MINIMAL + "snapshot: {maxRowsPerSecond: 50000}\n", "t", Map.of("SRC_PW", "a", "TGT_PW", "b"))
                .snapshot().maxRowsPerSecond()).isEqualTo(50_000);
    }

    @Test
    void shouldReportEveryProblemAtOnceAsKeyValueReason() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                name: "Bad Name"
                source: {url: "mysql://x", user: parity, password: "${MISSING_PW}", engine: oracle, serverId: -3}
                chunks: {bits: 40}
                heartbeat: {interval: soon}
                api: {port: 70000}
                alerts: {webhooks: ["ftp://x"]}
                verify: {sides: [both], pageRows: 0, maxAge: later}
                snapshot: {method: fast, maxRowsPerSecond: lots}
                drilldown: {values: loud, maxKeysPerSecond: 0}
                colour: blue
                """, "bad.yaml", Map.of()));
        assertThat(e.problems()).extracting(ConfigProblem::toString).contains(
                "name: Bad Name: must be 1-31 lower-case letters, digits or underscores, starting with a letter (it names slots and publications)",
                "source.url: mysql://x: must be a JDBC URL such as jdbc:postgresql://host:5432/db or jdbc:mariadb://host:3306/db",
                "source.password: ${MISSING_PW}: environment variable MISSING_PW is not set",
                "target.url: (missing): is required",
                "chunks.bits: 40: must be a whole number from 0 to 20",
                "heartbeat.interval: soon: must be a duration such as 500ms, 10s, 5m or 1h",
                "api.port: 70000: must be a port number from 0 to 65535",
                "alerts.webhooks: ftp://x: must be an http:// or https:// URL",
                "colour: (not shown): unknown key",
                "source.engine: oracle: must be postgresql, mysql or mariadb",
                "source.serverId: -3: must be a whole number from 1 to 4294967295, unique in the replication topology",
                "verify.sides: both: must be source or target",
                "verify.maxAge: later: must be a duration such as 10m or 1h, or auto (two sweep rounds at the read budget)",
                "snapshot.method: fast: must be auto, parity or debezium",
                "snapshot.maxRowsPerSecond: lots: must be unlimited or a whole number of rows a second from 1 to 100000000",
                "drilldown.values: loud: must be show, hash, hide");
        assertThat(e.problems()).extracting(ConfigProblem::key).contains("verify.pageRows", "drilldown.maxKeysPerSecond");
        assertThat(e.getMessage()).startsWith("invalid configuration bad.yaml (18 problems):");
    }

    @Test
    void shouldTakeAnAdvertisedAddressOnlyWithWhatInstancesNeedToMeet() {
        ParityConfig c = ConfigLoader.parse(MINIMAL + """
                kafka: {bootstrapServers: "k1:9092"}
                capture: {mode: connect}
                api: {port: 8081, token: s3cret, advertise: "parity-1.internal:8081"}
                """, "t", Map.of("SRC_PW", "a", "TGT_PW", "b"));
        assertThat(c.api().advertised()).isEqualTo(new org.apache.kafka.streams.state.HostInfo("parity-1.internal", 8081));
        assertThat(c.api().toString()).doesNotContain("s3cret");
        assertThat(ConfigLoader.parse(MINIMAL, "t", Map.of("SRC_PW", "a", "TGT_PW", "b")).api().advertised()).as("one instance").isNull();

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(MINIMAL + """
                api: {port: 0, advertise: "parity-1.internal"}
                """, "t", Map.of("SRC_PW", "a", "TGT_PW", "b")));
        assertThat(e.problems()).extracting(ConfigProblem::key, ConfigProblem::reason).contains(
                org.assertj.core.groups.Tuple.tuple("api.advertise", "must be host:port, the address other instances reach this API at"),
                org.assertj.core.groups.Tuple.tuple("api.advertise", "needs capture.mode: connect for now (an embedded capture keeps its"
                        + " offsets in one instance's state.dir, so another could not take it over)"),
                org.assertj.core.groups.Tuple.tuple("api.advertise", "needs api.token: the instances query each other's stores with it"),
                org.assertj.core.groups.Tuple.tuple("api.advertise", "needs a fixed api.port (0 picks one the other instances cannot know)"),
                org.assertj.core.groups.Tuple.tuple("api.advertise", "needs kafka.bootstrapServers: instances meet on an external Kafka"
                        + " (the embedded broker serves one process)"));
    }

    @Test
    void shouldNeverPrintSecretsInProblemsOrToString() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                MINIMAL + "api: {token: [\"hunter2\"]}\n", "t", Map.of("SRC_PW", "pw-one", "TGT_PW", "pw-two")));
        assertThat(e.getMessage()).doesNotContain("hunter2").contains("api.token: ***");
        ParityConfig c = ConfigLoader.parse(MINIMAL.replace("db1:5432/shop", "db1:5432/shop?password=inurl"), "t", Map.of("SRC_PW", "pw-one", "TGT_PW", "pw-two"));
        assertThat(c.toString()).doesNotContain("pw-one").doesNotContain("pw-two").doesNotContain("inurl");
    }

    @Test
    void shouldTakeTheEngineFromTheUrlOrTheEngineKey() {
        ParityConfig c = ConfigLoader.parse("""
                source: {url: "jdbc:mariadb://db1:3306/shop", user: parity, serverId: 77}
                target: {url: "jdbc:postgresql://db2:5432/shop", user: parity}
                """, "t", Map.of());
        assertThat(c.source().serverId()).isEqualTo(77L);
        assertThat(dev.parity.ingest.engine.Engine.fromUrl(c.source().url())).isEqualTo(dev.parity.ingest.engine.Engine.MARIADB);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                source: {url: "jdbc:sqlserver://db1:1433/shop"}
                target: {url: "jdbc:postgresql://db2:5432/shop"}
                """, "t", Map.of()));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("set source.engine"));
    }

    @Test
    void shouldReportAnUnreadableFile() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(Path.of("/nonexistent/parity.yaml"), Map.of()));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.reason()).startsWith("cannot be read"));
    }

    @Test
    void shouldReadColumnRulesAndReportEveryBadOne() {
        var ok = ConfigLoader.parse("""
                source: {url: "jdbc:mariadb://h/shop", user: u}
                target: {url: "jdbc:postgresql://h/db", user: u}
                tables:
                  columns:
                    shop.items.Code: {padding: ignore}
                    shop.items.at: {zone: Europe/Berlin, digits: 12}
                    shop.items.shape: {compare: false}
                """, "t", Map.of()).tables();
        assertThat(ok.rules("shop.items")).containsOnlyKeys("code", "at", "shape");
        assertThat(ok.rules("shop.items").get("shape").ignored()).isTrue();
        assertThat(ok.rules("shop.items").get("at").ignored()).isFalse();
        assertThat(ok.rules("shop.items").get("code").ignorePadding()).isTrue();
        assertThat(ok.rules("shop.items").get("at").zone()).isEqualTo(java.time.ZoneId.of("Europe/Berlin"));
        assertThat(ok.rules("shop.items").get("at").digits()).isEqualTo(12);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                source: {url: "jdbc:mariadb://h/shop", user: u}
                target: {url: "jdbc:postgresql://h/db", user: u}
                tables:
                  columns:
                    items: {padding: ignore}
                    shop.items.a: {padding: trim}
                    shop.items.b: {digits: 40}
                    shop.items.c: {zone: Mars/Olympus}
                    shop.items.d: {tolerance: 0.1}
                    shop.items.e: {compare: "no"}
                """, "t", Map.of()));
        assertThat(e.problems()).extracting(p -> p.key() + ": " + p.value() + ": " + p.reason()).containsExactlyInAnyOrder(
                "tables.columns.items: {\"padding\":\"ignore\"}: must be named namespace.table.column (the table by its source name)",
                "tables.columns.shop.items.a.padding: trim: must be ignore (trailing spaces do not count) or keep",
                "tables.columns.shop.items.b.digits: 40: must be a whole number of significant digits within 1..17",
                "tables.columns.shop.items.c.zone: Mars/Olympus: must be a time zone such as UTC, +02:00 or Europe/Berlin",
                "tables.columns.shop.items.d.tolerance: 0.1: unknown rule (padding, digits, zone, compare)",
                "tables.columns.shop.items.e.compare: no: must be true or false (false: the column is not compared, and status says so)");
    }
}
