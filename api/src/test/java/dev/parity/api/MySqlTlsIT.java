package dev.parity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.parity.api.app.Parity;
import dev.parity.api.config.ConfigLoader;
import dev.parity.ingest.local.MySqlPair;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS and {@code caching_sha2_password} (MySQL 8's default for every user) on a real MySQL pair (README, "Security"),
 * with MySQL Connector/J's own parameter names. Both servers present a certificate the test's CA signed for 127.0.0.1.
 * <ul>
 *   <li>A user that may log in over TLS only ({@code REQUIRE SSL}), Parity's URL asking {@code sslMode=VERIFY_IDENTITY}
 *       against a trust store of the test's CA: IN_SYNC, the binlog dumps run as that user on both servers, a
 *       target-only row found. A trust store without that CA: refused at start, saying which database.</li>
 *   <li>A {@code caching_sha2_password} user over a connection without TLS: refused with what to change in the URL;
 *       with {@code allowPublicKeyRetrieval=true} (the password sent encrypted with the server's RSA key) Parity and
 *       its captures log in.</li>
 * </ul>
 * Needs {@code openssl} to make the certificates; skipped without it.
 */
class MySqlTlsIT {
    private static final String TOKEN = "mysql-tls";
    private static Path dir;
    private static MySqlPair db;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("parity-mysql-tls");
        Assumptions.assumeTrue(TestCertificates.make(dir), "openssl is needed to make the test's certificates");
        List<String> tls = List.of("--ssl-ca=" + dir.resolve("ca.crt"), "--ssl-cert=" + dir.resolve("server.crt"),
                "--ssl-key=" + dir.resolve("server.key"));
        db = MySqlPair.start("shop", tls);
        // On the source: replication carries the users to the target, as it would in production.
        db.onSource("CREATE USER 'parity'@'%' IDENTIFIED BY 'tls-pw' REQUIRE SSL", "GRANT ALL PRIVILEGES ON *.* TO 'parity'@'%'",
                "CREATE USER 'plain'@'%' IDENTIFIED BY 'plain-pw'", "GRANT ALL PRIVILEGES ON *.* TO 'plain'@'%'",
                "CREATE TABLE shop.items (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO shop.items SELECT seq, seq FROM " + dev.parity.ingest.local.BinlogPair.seq(2000));
        ParityProbe.awaitRows(db::target, "shop.items", 2000);
        ParityProbe.awaitRows(db::target, "mysql.user WHERE User IN ('parity', 'plain')", 2);
        trustStore(dir.resolve("ca.crt"), dir.resolve("ca.p12"));
        trustStore(dir.resolve("other-ca.crt"), dir.resolve("other-ca.p12"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void shouldCaptureAndReadOverVerifiedTls() throws Exception {
        Throwable refused = catchThrowable(() -> Parity.start(ConfigLoader.parse(verified(dir.resolve("other-ca.p12"), dir.resolve("state-wrong")),
                "tls", Map.of())).close());
        assertThat(refused).as("a CA that did not sign the servers' certificate").isNotNull();
        assertThat(ParityProbe.messages(refused)).contains("cannot connect to the source database");

        try (Parity p = Parity.start(ConfigLoader.parse(verified(dir.resolve("ca.p12"), dir.resolve("state")), "tls", Map.of()))) {
            ParityProbe.awaitInSync(p);
            assertThat(ParityProbe.binlogDumps(db.source(), "parity")).as("the source capture's binlog stream, as parity (so over TLS)").isPositive();
            assertThat(ParityProbe.binlogDumps(db.target(), "parity")).as("the target capture's").isPositive();
            db.onTarget("INSERT INTO shop.items VALUES (-1, -1)"); // in the target's binlog, not the source's
            await().atMost(ParityProbe.VERDICT).untilAsserted(() -> assertThat(ParityProbe.divergences(p, "shop.items", 10))
                    .extracting(d -> d.get("kind") + " " + ((Map<?, ?>) d.get("key")).get("id") + " " + d.get("state"))
                    .containsExactly("EXTRA_ON_TARGET -1 DIVERGENT"));
            db.onTarget("DELETE FROM shop.items WHERE id = -1");
        }
    }

    @Test
    void shouldSayWhatACachingSha2UserNeedsWithoutTlsAndRunWithIt() throws Exception {
        // Before any TLS login of 'plain': the server has not cached its password, so a login without TLS needs the RSA key.
        Throwable refused = catchThrowable(() -> Parity.start(ConfigLoader.parse(plain("?sslMode=DISABLED", dir.resolve("state-plain-refused")),
                "plain", Map.of())).close());
        assertThat(ParityProbe.messages(refused)).contains("cannot connect to the source database").contains("caching_sha2_password")
                .contains("allowPublicKeyRetrieval=true").doesNotContain("plain-pw");

        try (Parity p = Parity.start(ConfigLoader.parse(plain("?sslMode=DISABLED&allowPublicKeyRetrieval=true", dir.resolve("state-plain")),
                "plain", Map.of()))) {
            ParityProbe.awaitInSync(p);
            assertThat(ParityProbe.binlogDumps(db.source(), "plain")).as("the source capture's binlog stream, as plain").isPositive();
            assertThat(ParityProbe.binlogDumps(db.target(), "plain")).as("the target capture's").isPositive();
        }
    }

    private static String verified(Path trustStore, Path state) {
        String tls = "?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreUrl=file:" + trustStore
                + "&trustCertificateKeyStorePassword=changeit&trustCertificateKeyStoreType=PKCS12";
        return config("parity", "tls-pw", tls, state);
    }

    private static String plain(String parameters, Path state) {
        return config("plain", "plain-pw", parameters, state);
    }

    private static String config(String user, String password, String parameters, Path state) {
        return String.format("""
                name: mytls
                source: {url: "%s%s", user: %s, password: %s}
                target: {url: "%s%s", user: %s, password: %s}
                tables: {include: ["shop.items"]}
                verify: {enabled: false}
                api: {port: 0, token: "%s"}
                state: {dir: "%s"}
                """, db.sourceUrl(), parameters, user, password, db.targetUrl(), parameters, user, password, TOKEN, state);
    }

    /** A PKCS#12 trust store (password changeit) of one PEM certificate: what Connector/J's trustCertificateKeyStoreUrl reads. */
    private static void trustStore(Path pem, Path out) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream o = Files.newOutputStream(out)) {
            store.store(o, "changeit".toCharArray());
        }
    }
}
