package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.ingest.local.PostgresPair;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * TLS to the databases and secrets kept out of every output (README, "Security"), on a PostgreSQL pair that accepts TCP
 * connections over TLS only, and Parity's user only with its password and a client certificate signed by the test's
 * CA. {@code parity run}, in its own JVM, connects with the JDBC URL's {@code sslmode=verify-full}, {@code sslrootcert},
 * {@code sslcert} and {@code sslkey}, and so does its capture (its replication connection could not log in otherwise;
 * seen in {@code pg_stat_ssl}); it reaches IN_SYNC and finds a target-only row. With a CA that did not sign the
 * servers' certificate it refuses to start, saying so. The password (read from a file) appears in no output: not the
 * console, not {@code parity.log}, not a byte of {@code state.dir} (broker log, stores, offsets, readiness reports), not
 * an API answer. Needs {@code openssl} to make the certificates; skipped without it.
 */
class PostgresTlsIT {
    private static final String PASSWORD = "Tls-S3cret-Pa55-not-to-be-seen";
    private static final String TOKEN = "tls-token";
    private static final String TABLE = "public.items";

    @Test
    void shouldCaptureAndReadOverVerifiedTlsAndNeverShowThePassword() throws Exception {
        Path dir = Files.createTempDirectory("parity-tls");
        Assumptions.assumeTrue(TestCertificates.make(dir), "openssl is needed to make the test's certificates");
        Path hba = Files.writeString(dir.resolve("pg_hba.conf"), """
                local all all trust
                hostssl all postgres 127.0.0.1/32 trust
                hostssl all postgres ::1/128 trust
                hostssl replication postgres 127.0.0.1/32 trust
                hostssl all parity 127.0.0.1/32 scram-sha-256 clientcert=verify-full
                hostssl replication parity 127.0.0.1/32 scram-sha-256 clientcert=verify-full
                host all all 0.0.0.0/0 reject
                host all all ::/0 reject
                host replication all 0.0.0.0/0 reject
                """);
        Map<String, String> tls = Map.of("ssl", "on", "ssl_cert_file", dir.resolve("server.crt").toString(),
                "ssl_key_file", dir.resolve("server.key").toString(), "ssl_ca_file", dir.resolve("ca.crt").toString(), "hba_file", hba.toString());
        List<ParityProcess> launched = new java.util.ArrayList<>();
        Path console = dir.resolve("console.log");
        try (PostgresPair pg = PostgresPair.start(tls)) {
            String user = "CREATE ROLE parity LOGIN SUPERUSER REPLICATION PASSWORD '" + PASSWORD + "'";
            pg.ddl(user, "CREATE TABLE items (id INT PRIMARY KEY, v INT NOT NULL)", dev.parity.ingest.jdbc.HeartbeatWriter.ddl("public.parity_heartbeat"));
            pg.onSource("INSERT INTO items SELECT g, g FROM generate_series(1, 2000) g");
            pg.replicate("tls");
            ParityProbe.awaitRows(pg::target, "items", 2000);
            Path pw = Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
            int port = ParityProcess.freePort();
            Path state = dir.resolve("state");
            String yaml = """
                    name: tls
                    source: {url: "jdbc:postgresql://127.0.0.1:%d/postgres?sslmode=verify-full&sslrootcert=%s&sslcert=CLIENT.crt&sslkey=CLIENT.pk8", user: parity, password: "${file:%s}"}
                    target: {url: "jdbc:postgresql://127.0.0.1:%d/postgres?sslmode=verify-full&sslrootcert=%s&sslcert=CLIENT.crt&sslkey=CLIENT.pk8", user: parity, password: "${file:%s}"}
                    tables: {include: ["%s"]}
                    api: {port: %d, token: %s}
                    state: {dir: "%s"}
                    """.replace("CLIENT", dir.resolve("client").toString());
            int sp = port(pg.sourceUrl());
            int tp = port(pg.targetUrl());
            Path config = Files.writeString(dir.resolve("parity.yaml"), String.format(yaml, sp, dir.resolve("ca.crt"), pw, tp,
                    dir.resolve("ca.crt"), pw, TABLE, port, TOKEN, state));

            // A CA that did not sign the servers' certificate: refused at start, saying why.
            Path wrong = Files.writeString(dir.resolve("wrong-ca.yaml"), String.format(yaml, sp, dir.resolve("other-ca.crt"), pw, tp,
                    dir.resolve("other-ca.crt"), pw, TABLE, port, TOKEN, dir.resolve("state-wrong")));
            ParityProcess refused = ParityProcess.launch(wrong, console, port, TOKEN);
            launched.add(refused);
            assertThat(refused.process().waitFor(60, TimeUnit.SECONDS)).as("refused in bounded time").isTrue();
            assertThat(refused.process().exitValue()).isEqualTo(2);
            assertThat(Files.readString(console)).contains("cannot connect to the source database", "SSL error",
                    "the server's certificate is not signed by a CA the client trusts");

            ParityProcess parity = ParityProcess.launch(config, console, port, TOKEN);
            launched.add(parity);
            parity.awaitCounted(pg, TABLE, "items");
            assertThat(sslUse(pg.source(), false)).as("connections of parity to the source not over TLS").isZero();
            assertThat(sslUse(pg.source(), true)).as("the capture's replication connection, over TLS").isPositive();
            assertThat(sslUse(pg.target(), false)).as("connections of parity to the target not over TLS").isZero();

            pg.onTarget("INSERT INTO items VALUES (-1, -1)");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> parity.divergent(TABLE).equals(List.of("EXTRA_ON_TARGET -1")));
            parity.readiness();

            // Every answer of the API, with the token (row values shown), and without it.
            for (String path : List.of("/api/v1/status", "/api/v1/tables/" + TABLE, "/api/v1/divergences?table=" + TABLE, "/metrics",
                    "/api/v1/readiness/last", "/api/v1/divergences/summary", "/api/v1/diff?table=" + TABLE, "/api/v1/lag", "/api/v1/tables", "/health", "/api/v1/nope")) {
                assertThat(parity.get(path).body()).as(path).doesNotContain(PASSWORD);
            }
            parity.close();
            assertThat(Files.readString(console)).as("the console").contains("Parity running").doesNotContain(PASSWORD);
            assertThat(state.resolve("parity.log")).exists();
            try (Stream<Path> files = Files.walk(state)) {
                byte[] secret = PASSWORD.getBytes(StandardCharsets.UTF_8);
                List<Path> all = files.filter(Files::isRegularFile).toList();
                assertThat(all).as("state.dir holds the broker's log, the stores, offsets, reports and parity.log").hasSizeGreaterThan(20);
                for (Path f : all) {
                    assertThat(indexOf(Files.readAllBytes(f), secret)).as("the password in " + f).isEqualTo(-1);
                }
            }
        } catch (AssertionError | Exception e) {
            if (!launched.isEmpty()) {
                launched.get(launched.size() - 1).printLog();
            }
            throw e;
        } finally {
            for (ParityProcess p : launched) {
                p.close();
            }
        }
    }

    /** Connections of user parity with (or without) TLS; {@code walsender}: replication connections only. */
    private static long sslUse(Connection connection, boolean walsender) throws Exception {
        try (Connection c = connection; Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'parity' AND "
                        + (walsender ? "a.backend_type = 'walsender' AND s.ssl" : "NOT s.ssl"))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int port(String jdbcUrl) {
        return URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
