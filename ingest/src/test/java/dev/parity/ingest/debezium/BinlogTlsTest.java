package dev.parity.ingest.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.ingest.engine.Engine;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinlogTlsTest {
    @TempDir
    Path dir;

    @Test
    void shouldGiveAMariaDbCaptureTheUrlsTlsOnBothItsJdbcConnectionsAndItsBinlogStream() throws Exception {
        Path pem = caPem();
        Path store = dir.resolve("capture/source.truststore.p12");
        Map<String, String> p = BinlogTls.properties(Engine.MARIADB,
                Map.of("sslMode", "verify-full", "serverSslCert", pem.toString(), "connectTimeout", "5000"), store);
        assertThat(p).containsEntry("driver.sslMode", "verify-full").containsEntry("driver.serverSslCert", pem.toString())
                .containsEntry("database.ssl.mode", "verify-full").containsEntry("database.ssl.truststore", store.toString())
                .doesNotContainKey("driver.connectTimeout");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, p.get("database.ssl.truststore.password").toCharArray());
        }
        assertThat(ks.size()).as("the CA of the PEM file").isEqualTo(1);
        assertThat(ks.getCertificate("ca-0").getType()).isEqualTo("X.509");

        assertThat(BinlogTls.properties(Engine.MARIADB, Map.of("useSsl", "true"), store)).containsEntry("database.ssl.mode", "trust");
        assertThat(BinlogTls.properties(Engine.MARIADB, Map.of("connectTimeout", "5000"), store)).as("no TLS asked for").isEmpty();
    }

    @Test
    void shouldMapMySqlsNamesToTheConnectors() throws Exception {
        Map<String, String> p = BinlogTls.properties(Engine.MYSQL, Map.of("sslMode", "VERIFY_IDENTITY",
                "trustCertificateKeyStoreUrl", "file:/etc/parity/trust.p12", "trustCertificateKeyStorePassword", "pw",
                "clientCertificateKeyStoreUrl", "file:/etc/parity/client.p12", "clientCertificateKeyStorePassword", "pw2"), dir.resolve("t.p12"));
        assertThat(p).containsEntry("database.ssl.mode", "verify_identity").containsEntry("database.ssl.truststore", "/etc/parity/trust.p12")
                .containsEntry("database.ssl.truststore.password", "pw").containsEntry("database.ssl.keystore", "/etc/parity/client.p12")
                .containsEntry("database.ssl.keystore.password", "pw2").containsEntry("driver.sslMode", "VERIFY_IDENTITY");
        assertThat(BinlogTls.mode(Engine.MYSQL, Map.of("useSSL", "true", "verifyServerCertificate", "true"))).isEqualTo("verify_ca");
        assertThat(BinlogTls.mode(Engine.MYSQL, Map.of("useSSL", "true"))).isEqualTo("required");
        assertThat(BinlogTls.mode(Engine.MYSQL, Map.of())).isNull();
        // A caching_sha2_password user without TLS: the capture's own connections need the same permission as Parity's.
        assertThat(BinlogTls.properties(Engine.MYSQL, Map.of("sslMode", "DISABLED", "allowPublicKeyRetrieval", "true"), dir.resolve("t.p12")))
                .containsEntry("driver.allowPublicKeyRetrieval", "true").containsEntry("database.ssl.mode", "disabled");
    }

    /** A self-signed CA certificate as PEM, made with the JDK's keytool. */
    private Path caPem() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path ks = dir.resolve("ca.p12");
        Path pem = dir.resolve("ca.pem");
        run(keytool.toString(), "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=test-ca", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-ext", "bc:c");
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "ca", "-keystore", ks.toString(), "-storepass", "changeit", "-file", pem.toString());
        return pem;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
