package dev.parity.api.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts: one structured log line each, and a JSON POST to every webhook with bounded
 * retries and exponential backoff. One delivery thread keeps messages in order.
 */
public final class WebhookNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int ATTEMPTS = 4;

    private final List<URI> webhooks;
    private final Duration firstBackoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parity-alerts");
        t.setDaemon(true);
        return t;
    });

    public WebhookNotifier(List<String> webhooks, Duration firstBackoff) {
        this.webhooks = webhooks.stream().map(URI::create).toList();
        this.firstBackoff = firstBackoff;
    }

    public void send(Alert alert) {
        String body;
        try {
            body = JSON.writeValueAsString(alert.payload());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("alert not serialisable", e);
        }
        if (alert.isRecovery()) {
            LOG.info("alert {}", body);
        } else {
            LOG.warn("alert {}", body);
        }
        for (URI hook : webhooks) {
            delivery.execute(() -> deliver(hook, body, alert.type()));
        }
    }

    private void deliver(URI hook, String body, String type) {
        Duration backoff = firstBackoff;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(hook).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    return;
                }
                LOG.debug("webhook {} answered {} to {} (attempt {})", hook, r.statusCode(), type, attempt);
            } catch (java.io.IOException e) {
                LOG.debug("webhook {} failed for {} (attempt {}): {}", hook, type, attempt, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (attempt < ATTEMPTS) {
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = backoff.multipliedBy(2);
            }
        }
        LOG.error("could not deliver alert {} to webhook {} after {} attempts", type, hook, ATTEMPTS);
    }

    @Override
    public void close() {
        delivery.shutdown();
        try {
            delivery.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
