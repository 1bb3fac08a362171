package dev.parity.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The TLS tests' certificates, made with {@code openssl} in a directory of their own. */
final class TestCertificates {
    private TestCertificates() {
    }

    /** A CA, a server certificate it signs for 127.0.0.1, a client one for user parity, and a second CA that signs nothing; false without openssl. */
    static boolean make(Path dir) throws Exception {
        String[][] steps = {
                {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=parity-test-ca"},
                {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=other-ca"},
                {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"},
                {"openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
                        "-days", "2", "-extfile", "san.ext"},
                {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=parity"},
                {"openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2"},
                // The JDBC driver reads a client key as PKCS#8 DER.
                {"openssl", "pkcs8", "-topk8", "-inform", "PEM", "-outform", "DER", "-in", "client.key", "-out", "client.pk8", "-nocrypt"},
        };
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        for (String[] step : steps) {
            Process p;
            try {
                p = new ProcessBuilder(step).directory(dir.toFile()).redirectErrorStream(true).start();
            } catch (IOException noOpenssl) {
                return false;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", step) + ": " + out);
            }
        }
        Files.setPosixFilePermissions(dir.resolve("server.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return true;
    }
}
