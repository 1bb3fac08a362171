package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.MariaDbPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * TLS to MariaDB (README, "Security"): both servers offer TLS, and Parity's user may only log in over it
 * ({@code REQUIRE SSL}). Parity's URL asks for {@code sslMode=verify-full} against the test's CA
 * ({@code serverSslCert}); its own connections and its capture's — the connector's JDBC connections and its binlog
 * stream, which could not log in otherwise — use it: IN_SYNC, a target-only row found, the binlog dump running as
 * Parity's user on both servers. With a CA that did not sign the servers' certificate it refuses to start, saying why.
 * Needs {@code openssl} to make the certificates; skipped without it.
 */
class MariaDbTlsIT {
    private static final String TOKEN = "maria-tls";

    @Test
    void shouldCaptureAndReadOverVerifiedTls() throws Exception {
        Path dir = Files.createTempDirectory("parity-maria-tls");
        Assumptions.assumeTrue(TestCertificates.make(dir), "openssl is needed to make the test's certificates");
        List<String> tls = List.of("--ssl", "--ssl-ca=" + dir.resolve("ca.crt"), "--ssl-cert=" + dir.resolve("server.crt"),
                "--ssl-key=" + dir.resolve("server.key"));
        try (MariaDbPair db = MariaDbPair.startWithGrants("shop", tls)) {
            // On the source: replication carries the user to the target, as it would in production.
            db.onSource("CREATE USER 'parity'@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL", "GRANT ALL PRIVILEGES ON *.* TO 'parity'@'%'",
                    "CREATE TABLE shop.items (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO shop.items SELECT seq, seq FROM seq_1_to_2000");
            ParityProbe.awaitRows(db::target, "shop.items", 2000);

            Path wrongState = dir.resolve("state-wrong");
            Throwable refused = catchThrowable(() -> Parity.start(ConfigLoader.parse(config(db, dir.resolve("other-ca.crt"), wrongState), "tls",
                    Map.of())).close());
            assertThat(refused).as("a CA that did not sign the servers' certificate").isNotNull();
            assertThat(ParityProbe.messages(refused)).contains("cannot connect to the source database");

            try (Parity p = Parity.start(ConfigLoader.parse(config(db, dir.resolve("ca.crt"), dir.resolve("state")), "tls", Map.of()))) {
                ParityProbe.awaitInSync(p);
                assertThat(ParityProbe.binlogDumps(db.source(), "parity")).as("the source capture's binlog stream, as parity (so over TLS)").isPositive();
                assertThat(ParityProbe.binlogDumps(db.target(), "parity")).as("the target capture's").isPositive();
                db.onTarget("INSERT INTO shop.items VALUES (-1, -1)"); // in the target's binlog, not the source's
                await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.divergences(p, "shop.items", 10))
                        .extracting(d -> d.get("kind") + " " + ((Map<?, ?>) d.get("key")).get("id") + " " + d.get("state"))
                        .containsExactly("EXTRA_ON_TARGET -1 DIVERGENT"));
            }
        }
    }

    private static String config(MariaDbPair db, Path ca, Path state) {
        String tls = "?sslMode=verify-full&serverSslCert=" + ca;
        return String.format("""
                name: mtls
                source: {url: "%s%s", user: parity, password: tls-pw}
                target: {url: "%s%s", user: parity, password: tls-pw}
                tables: {include: ["shop.items"]}
                verify: {enabled: false}
                api: {port: 0, token: "%s"}
                state: {dir: "%s"}
                """, db.sourceUrl(), tls, db.targetUrl(), tls, TOKEN, state);
    }
}
