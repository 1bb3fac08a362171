package dev.parity.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.api.config.ParityConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the API listens, and what an operator is warned of (README, "Security"). */
class ApiExposureTest {
    @Test
    void shouldWarnWhenReachableBeyondThisMachineWithoutATokenOrInClear() {
        assertThat(ApiServer.exposure(new ParityConfig.Api("127.0.0.1", 8080, "", null))).as("loopback: nothing to say").isEmpty();
        assertThat(ApiServer.exposure(new ParityConfig.Api("::1", 8080, "", null))).isEmpty();
        assertThat(ApiServer.exposure(new ParityConfig.Api("0.0.0.0", 8080, "", null))).singleElement().asString()
                .contains("without api.token", "set api.token, or api.bind: 127.0.0.1");
        assertThat(ApiServer.exposure(new ParityConfig.Api("0.0.0.0", 8080, "t0ken-value", null))).singleElement().asString()
                .contains("plain HTTP", "api.tls").doesNotContain("t0ken-value");
        assertThat(ApiServer.exposure(new ParityConfig.Api("0.0.0.0", 8080, "t", null, new ParityConfig.Tls(Path.of("k.p12"), "pw")))).isEmpty();
    }
}
