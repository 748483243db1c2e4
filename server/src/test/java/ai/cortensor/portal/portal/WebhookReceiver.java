package ai.cortensor.portal.portal;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A customer's webhook endpoint: a real HTTP server on a free local port that checks each delivery's signature the
 * way docs/billing.md tells customers to (its own HMAC code, not the portal's), answers what {@link #answer} says,
 * and records every delivery it saw.
 */
final class WebhookReceiver implements AutoCloseable {
    /** One POST as the receiver saw it; {@code signed}: the signature matched the secret and the exact body. */
    record Delivery(String eventId, String type, String attempt, String body, JsonNode json, boolean signed,
                    long timestamp, int answered) {}

    private final HttpServer server;
    final List<Delivery> seen = new CopyOnWriteArrayList<>();
    /** Each account's signing secret (u12 → whsec_…), as its owner copied it from the portal. */
    final java.util.Map<String, String> secrets = new java.util.concurrent.ConcurrentHashMap<>();
    /** The status to answer a delivery with; 200 unless a test says otherwise. */
    volatile Function<Delivery, Integer> answer = d -> 200;

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/hooks/cortensor", exchange -> {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String body = new String(raw, StandardCharsets.UTF_8);
            String header = exchange.getRequestHeaders().getFirst("X-Cortensor-Signature");
            long t = -1;
            boolean signed = false;
            JsonNode json = parse(body);
            String secret = json == null ? null : secrets.get(json.path("account").asText());
            if (header != null && header.matches("t=\\d+,v1=[0-9a-f]{64}")) {
                t = Long.parseLong(header.substring(2, header.indexOf(',')));
                String v1 = header.substring(header.indexOf("v1=") + 3);
                signed = secret != null && v1.equals(hmac(secret, t + "." + body))
                        && Math.abs(System.currentTimeMillis() / 1000 - t) <= 300; // the docs' replay tolerance
            }
            Delivery probe = new Delivery(exchange.getRequestHeaders().getFirst("X-Cortensor-Event-Id"),
                    exchange.getRequestHeaders().getFirst("X-Cortensor-Event"),
                    exchange.getRequestHeaders().getFirst("X-Cortensor-Attempt"), body, json, signed, t, 0);
            int status = answer.apply(probe);
            seen.add(new Delivery(probe.eventId(), probe.type(), probe.attempt(), body, probe.json(), signed, t, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/cortensor";
    }

    /** The deliveries of events of {@code type}, in arrival order. */
    List<Delivery> of(String type) {
        return seen.stream().filter(d -> type.equals(d.type())).toList();
    }

    /** Waits until a delivery matching {@code what} was answered 2xx, and returns it. */
    Delivery awaitDelivered(java.util.function.Predicate<Delivery> what) {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> seen.stream().filter(d -> d.answered() / 100 == 2 && what.test(d)).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
    }

    private static JsonNode parse(String body) {
        try {
            return PortalHttp.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    static String hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
