package dev.parity.api.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery to a real local HTTP receiver. */
class WebhookNotifierTest {
    private final HttpServer receiver;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    WebhookNotifierTest() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            requests.incrementAndGet();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int code = failuresLeft.getAndDecrement() > 0 ? 503 : 204;
            if (code == 204) {
                bodies.add(body);
            }
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    @Test
    void shouldPostTheAlertAsJsonAfterRetryingFailures() {
        failuresLeft.set(2);
        try (WebhookNotifier n = new WebhookNotifier(List.of(url()), Duration.ofMillis(10))) {
            n.send(new Alert("DIVERGENCE", Map.of("type", "DIVERGENCE", "table", "public.orders")));
            await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1);
        }
        assertThat(bodies.get(0)).contains("\"type\":\"DIVERGENCE\"").contains("\"table\":\"public.orders\"");
        assertThat(requests.get()).isEqualTo(3);
    }

    @Test
    void shouldGiveUpAfterABoundedNumberOfAttempts() {
        failuresLeft.set(100);
        try (WebhookNotifier n = new WebhookNotifier(List.of(url()), Duration.ofMillis(5))) {
            n.send(new Alert("REPLICATION_LAG", Map.of("type", "REPLICATION_LAG")));
            await().atMost(Duration.ofSeconds(10)).until(() -> requests.get() == WebhookNotifier.ATTEMPTS);
        }
        assertThat(bodies).isEmpty();
        assertThat(requests.get()).isEqualTo(WebhookNotifier.ATTEMPTS);
    }
}
