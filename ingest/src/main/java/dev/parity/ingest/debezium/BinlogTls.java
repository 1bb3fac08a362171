package dev.parity.ingest.debezium;

import dev.parity.ingest.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * TLS for a MariaDB or MySQL capture, from the TLS parameters of the side's JDBC URL (README, "Security"), so that the
 * capture connects as Parity's own connections do. A binlog connector opens two kinds of connection: JDBC ones
 * (snapshot, schema) and the binlog stream. The JDBC ones get the URL's TLS parameters as they are (Debezium's
 * {@code driver.} pass-through); the stream gets Debezium's {@code database.ssl.*}: the mode, and the CA as a trust
 * store (a MariaDB URL names it as a PEM file, {@code serverSslCert}, which Parity turns into a PKCS#12 file beside the
 * capture's offsets; a trust store holds only public certificates, so its password protects nothing and is fixed).
 */
public final class BinlogTls {
    /** The trust store's password: the file holds public CA certificates only. */
    static final String TRUST_STORE_PASSWORD = "parity-public-certificates";
    /** MariaDB Connector/J's TLS parameters (3.x), passed to the capture's JDBC connections as they are. */
    static final Set<String> MARIADB = Set.of("sslMode", "serverSslCert", "keyStore", "keyStorePassword", "keyStoreType", "trustStore",
            "trustStorePassword", "trustStoreType", "enabledSslProtocolSuites", "enabledSslCipherSuites", "useSsl", "useSSL");
    /**
     * MySQL Connector/J's, and the two that let a {@code caching_sha2_password} user log in without TLS (the password
     * encrypted with the server's RSA key, fetched or from a file).
     */
    static final Set<String> MYSQL = Set.of("sslMode", "trustCertificateKeyStoreUrl", "trustCertificateKeyStorePassword",
            "trustCertificateKeyStoreType", "clientCertificateKeyStoreUrl", "clientCertificateKeyStorePassword", "clientCertificateKeyStoreType",
            "tlsVersions", "tlsCiphersuites", "useSSL", "requireSSL", "verifyServerCertificate", "allowPublicKeyRetrieval",
            "serverRSAPublicKeyFile");

    private BinlogTls() {
    }

    /**
     * The connector properties for the URL's TLS parameters; empty when it has none.
     *
     * @param trustStore where a trust store made from a PEM CA is written (MariaDB's {@code serverSslCert})
     */
    public static Map<String, String> properties(Engine engine, Map<String, String> url, Path trustStore) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        Set<String> known = engine == Engine.MARIADB ? MARIADB : MYSQL;
        url.forEach((k, v) -> {
            if (known.contains(k)) {
                p.put("driver." + k, v);
            }
        });
        String mode = mode(engine, url);
        if (mode != null) {
            p.put("database.ssl.mode", mode);
        }
        if (engine == Engine.MARIADB) {
            if (url.containsKey("serverSslCert")) {
                writeTrustStore(Path.of(url.get("serverSslCert")), trustStore);
                p.put("database.ssl.truststore", trustStore.toString());
                p.put("database.ssl.truststore.password", TRUST_STORE_PASSWORD);
            } else if (url.containsKey("trustStore")) {
                p.put("database.ssl.truststore", fileOf(url.get("trustStore")));
                putIfPresent(p, "database.ssl.truststore.password", url.get("trustStorePassword"));
            }
            if (url.containsKey("keyStore")) {
                p.put("database.ssl.keystore", fileOf(url.get("keyStore")));
                putIfPresent(p, "database.ssl.keystore.password", url.get("keyStorePassword"));
            }
        } else {
            if (url.containsKey("trustCertificateKeyStoreUrl")) {
                p.put("database.ssl.truststore", fileOf(url.get("trustCertificateKeyStoreUrl")));
                putIfPresent(p, "database.ssl.truststore.password", url.get("trustCertificateKeyStorePassword"));
            }
            if (url.containsKey("clientCertificateKeyStoreUrl")) {
                p.put("database.ssl.keystore", fileOf(url.get("clientCertificateKeyStoreUrl")));
                putIfPresent(p, "database.ssl.keystore.password", url.get("clientCertificateKeyStorePassword"));
            }
        }
        return p;
    }

    /**
     * Debezium's {@code database.ssl.mode} for the URL's: MariaDB's connector takes the driver's own names
     * ({@code disable}, {@code trust}, {@code verify-ca}, {@code verify-full}); MySQL's the server's, lower case
     * ({@code disabled} … {@code verify_identity}). Legacy {@code useSsl=true} encrypts without verifying. Null: the URL
     * says nothing (the connector's default then applies).
     */
    static String mode(Engine engine, Map<String, String> url) {
        String mode = url.get("sslMode");
        boolean legacy = "true".equalsIgnoreCase(url.getOrDefault("useSsl", url.get("useSSL")));
        if (engine == Engine.MARIADB) {
            return mode != null ? mode.toLowerCase(Locale.ROOT) : legacy ? "trust" : null;
        }
        if (mode != null) {
            return mode.toLowerCase(Locale.ROOT);
        }
        if (!legacy) {
            return null;
        }
        return "true".equalsIgnoreCase(url.get("verifyServerCertificate")) ? "verify_ca" : "required";
    }

    /** A PKCS#12 trust store holding every certificate of a PEM file. */
    static void writeTrustStore(Path pem, Path out) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException(pem + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            Files.createDirectories(out.toAbsolutePath().getParent());
            try (OutputStream o = Files.newOutputStream(out)) {
                store.store(o, TRUST_STORE_PASSWORD.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a trust store of " + pem + ": " + e.getMessage(), e);
        }
    }

    /** A driver's key store location as a file path ({@code file:/x.p12} or {@code /x.p12}). */
    private static String fileOf(String location) {
        return location.startsWith("file:") ? location.substring("file:".length()) : location;
    }

    private static void putIfPresent(Map<String, String> p, String key, String value) {
        if (value != null) {
            p.put(key, value);
        }
    }
}
