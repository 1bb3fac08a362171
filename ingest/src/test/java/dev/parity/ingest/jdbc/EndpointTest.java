package dev.parity.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void shouldSayWhatACachingSha2UserWithoutTlsNeeds() {
        // Connector/J's own words when the server asks for the password and the connection is not encrypted.
        assertThat(Endpoint.tlsHint("Public Key Retrieval is not allowed")).contains("caching_sha2_password")
                .contains("allowPublicKeyRetrieval=true").contains("sslMode=REQUIRED");
        assertThat(Endpoint.tlsHint("Access denied for user 'parity'@'localhost'")).isEmpty();
        assertThat(Endpoint.tlsHint(null)).isEmpty();
    }
}
