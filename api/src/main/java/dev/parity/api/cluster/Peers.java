package dev.parity.api.cluster;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A connection to another instance's API (README, "Deployment"): over HTTPS, trusting the shared keystore, when
 * the API serves TLS; 2 s to connect. The caller sets the method, the headers (the token) and its read timeout.
 */
final class Peers {
    private Peers() {
    }

    static HttpURLConnection open(HostInfo to, String pathAndQuery, SSLContext tls) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create((tls == null ? "http" : "https") + "://" + to.host() + ":" + to.port() + pathAndQuery)
                .toURL().openConnection();
        if (tls != null && c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        c.setConnectTimeout(2_000);
        return c;
    }
}
