package ai.cortensor.portal.notifications;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.config.PortalConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customers' alert webhooks: one HTTPS URL per account, a signing secret shown once, and delivery of each event
 * ({@link #deliverDue}, every replica, every {@code mail.notify-interval}) as a signed JSON POST
 * ({@link WebhookSignature}), at least once: a failed attempt (no answer within {@code webhooks.timeout}, or not 2xx —
 * a redirect is never followed) is tried again after {@code webhooks.retry-base}, doubling with jitter up to
 * {@link #MAX_RETRY_DELAY}, {@code webhooks.max-attempts} in all. Every attempt is logged for the customer
 * ({@link #log}) and kept {@link #RETENTION}. The secret is never logged nor shown again.
 */
public final class Webhooks {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    static final Duration MAX_RETRY_DELAY = Duration.ofHours(2);
    public static final Duration RETENTION = Duration.ofDays(30);
    public static final int LOG_ROWS = 100;

    private final WebhookStore store;
    private final Jdbi jdbi;
    private final PortalConfig.Webhooks config;
    private final InstantSource clock;
    private final SecureRandom random;
    private final HttpClient http;
    private final AtomicBoolean running = new AtomicBoolean();

    public Webhooks(Jdbi jdbi, PortalConfig.Webhooks config, InstantSource clock, SecureRandom random) {
        this.store = new WebhookStore(jdbi);
        this.jdbi = jdbi;
        this.config = config;
        this.clock = clock;
        this.random = random;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The account's webhook as the customer sees it: never the secret. */
    public record Endpoint(String url, Instant createdAt, Instant secretRotatedAt) {}

    /** {@code secret}: the signing secret when the webhook was created by this call (shown once), else null. */
    public record Saved(Endpoint endpoint, String secret) {}

    /**
     * One line of the delivery log ({@code summary}: the event in words): an attempt ({@code attempt} ≥ 1: when, the HTTP status or the error, and when the
     * next attempt is due, if any) or an event not tried yet ({@code attempt} 0, {@code nextRetryAt} when it is due).
     * {@code state}: the delivery's — pending, delivered or failed (given up).
     */
    public record LogEntry(String eventId, String event, String summary, int attempt, Instant at, Integer statusCode, String error,
                           Integer durationMs, Instant nextRetryAt, String state) {}

    public int maxAttempts() {
        return config.maxAttempts();
    }

    public Optional<Endpoint> endpoint(String account) {
        return store.endpoint(account);
    }

    /** Sets the account's webhook URL (IllegalArgumentException: what to change); audited, the URL but no secret. */
    public Saved save(String account, String url, Actor actor) {
        URI uri = WebhookUrls.parse(url, config.allowLocalUrls());
        String secret = newSecret();
        Optional<Endpoint> before = store.endpoint(account);
        boolean created = store.save(account, uri.toString(), secret);
        // the host only: a URL's path or query may itself be a credential (some receivers work that way)
        audit(actor, "webhook.set", account, before.map(e -> Map.<String, Object>of("host", host(e.url()))).orElse(null),
                Map.of("host", uri.getHost()));
        return new Saved(store.endpoint(account).orElseThrow(), created ? secret : null);
    }

    /** A new signing secret, returned once; the old one stops signing at once. Empty when there is no webhook. */
    public Optional<String> rotateSecret(String account, Actor actor) {
        String secret = newSecret();
        if (!store.rotate(account, secret)) {
            return Optional.empty();
        }
        audit(actor, "webhook.rotate_secret", account, null, null);
        return Optional.of(secret);
    }

    public boolean remove(String account, Actor actor) {
        Optional<Endpoint> before = store.endpoint(account);
        if (before.isEmpty() || !store.remove(account)) {
            return false;
        }
        audit(actor, "webhook.remove", account, Map.of("host", host(before.get().url())), null);
        return true;
    }

    /** The outcome of asking for a test event. */
    public sealed interface Test {
        record Queued(String eventId) implements Test {}

        record NoWebhook() implements Test {}

        /** The previous test event has not been tried yet. */
        record AlreadyQueued() implements Test {}

        /** {@link #TESTS_PER_HOUR} test events in the last hour: the portal is not a load generator. */
        record TooMany() implements Test {}
    }

    public static final int TESTS_PER_HOUR = 20;

    /** Queues a {@code webhook.test} event, delivered within seconds (at the latest on the next round). */
    public Test sendTest(String account) {
        if (store.endpoint(account).isEmpty()) {
            return new Test.NoWebhook();
        }
        if (store.testQueued(account)) {
            return new Test.AlreadyQueued();
        }
        if (store.testsSince(account, clock.instant().minus(Duration.ofHours(1))) >= TESTS_PER_HOUR) {
            return new Test.TooMany();
        }
        String id = "evt_test_" + HexFormat.of().formatHex(bytes(8));
        store.enqueue(account, id, "webhook.test", "Test event", WebhookEvents.test(id, account, clock.instant()));
        Thread.ofVirtual().name("webhook-test").start(this::deliverDueQuietly);
        return new Test.Queued(id);
    }

    public List<LogEntry> log(String account) {
        return store.log(account, LOG_ROWS);
    }

    /** Deletes finished deliveries older than {@link #RETENTION}; returns how many. */
    public int sweep() {
        return store.sweep(clock.instant().minus(RETENTION));
    }

    public void deliverDueQuietly() {
        try {
            deliverDue();
        } catch (RuntimeException e) {
            log.warn("webhooks: sending failed; the next round tries again: {}", e.toString());
        }
    }

    /**
     * Attempts every due delivery, {@code webhooks.concurrency} at a time, until none is due. Returns how many were
     * delivered. A replica that dies mid-attempt leaves the lease to expire: that event may arrive twice (its id
     * tells the receiver), never zero times.
     */
    public int deliverDue() {
        if (!running.compareAndSet(false, true)) {
            return 0; // this replica's previous round is still sending
        }
        try {
            int delivered = 0;
            Duration lease = config.timeout().plusMinutes(1);
            for (List<WebhookStore.Due> due = store.claim(clock.instant(), lease, config.concurrency()); !due.isEmpty();
                 due = store.claim(clock.instant(), lease, config.concurrency())) {
                List<Thread> threads = new ArrayList<>(due.size());
                boolean[] ok = new boolean[due.size()];
                for (int i = 0; i < due.size(); i++) {
                    WebhookStore.Due d = due.get(i);
                    int slot = i;
                    threads.add(Thread.ofVirtual().name("webhook-" + d.id()).start(() -> ok[slot] = attempt(d)));
                }
                for (Thread t : threads) {
                    t.join();
                }
                for (boolean b : ok) {
                    delivered += b ? 1 : 0;
                }
                if (due.size() < config.concurrency()) {
                    break;
                }
            }
            return delivered;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            running.set(false);
        }
    }

    /** One attempt of one delivery, logged; true when the receiver answered 2xx. */
    boolean attempt(WebhookStore.Due d) {
        Instant at = clock.instant();
        long start = System.nanoTime();
        Integer status = null;
        String error;
        if (d.url() == null) {
            store.attempted(d, at, null, "the webhook was removed", 0, false, null);
            return false;
        }
        URI uri = URI.create(d.url());
        error = WebhookUrls.refusal(uri, config.allowLocalUrls());
        if (error == null) {
            try {
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.timeout())
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "Cortensor-Webhooks/1")
                        .header("X-Cortensor-Event", d.eventType())
                        .header("X-Cortensor-Event-Id", d.eventId())
                        .header("X-Cortensor-Attempt", Integer.toString(d.attempt()))
                        .header(WebhookSignature.HEADER, WebhookSignature.header(d.secret(), at.getEpochSecond(), d.body()))
                        .POST(HttpRequest.BodyPublishers.ofString(d.body()))
                        .build();
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                response.body().close(); // the answer's body is not read: a receiver cannot hold us with it
                status = response.statusCode();
                error = status / 100 == 3 ? "redirect to " + response.headers().firstValue("Location").orElse("?")
                        + " not followed" : null;
            } catch (HttpTimeoutException e) {
                error = "no answer within " + config.timeout().toMillis() + " ms";
            } catch (IOException e) {
                error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = "interrupted";
            } catch (IllegalArgumentException e) {
                error = "invalid URL";
            }
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - start) / 1_000_000);
        boolean delivered = status != null && status / 100 == 2;
        Instant retryAt = delivered || d.attempt() >= config.maxAttempts() ? null
                : clock.instant().plus(retryDelay(d.attempt()));
        store.attempted(d, at, status, error, ms, delivered, retryAt);
        if (!delivered) {
            // the account and event, never the URL's secret parts or the signing secret
            log.info("webhook {} of {} attempt {} of {} failed ({}); {}", d.eventId(), d.account(), d.attempt(),
                    config.maxAttempts(), status != null ? "HTTP " + status : error,
                    retryAt == null ? "giving up" : "next attempt at " + retryAt);
        }
        return delivered;
    }

    /** After attempt {@code n} failed: retry-base × 2^(n−1), at most 2 h, less up to half of it at random. */
    Duration retryDelay(int n) {
        long base = config.retryBase().toMillis();
        long delay = Math.min(MAX_RETRY_DELAY.toMillis(), base << Math.min(30, Math.max(0, n - 1)));
        if (delay <= 0) {
            delay = MAX_RETRY_DELAY.toMillis();
        }
        return Duration.ofMillis(delay - random.nextLong(delay / 2 + 1));
    }

    private static String host(String url) {
        String host = URI.create(url).getHost();
        return host == null ? "" : host;
    }

    private String newSecret() {
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private void audit(Actor actor, String action, String account, Map<String, Object> before, Map<String, Object> after) {
        jdbi.useHandle(h -> AuditLog.append(h, actor, action, "account", account, before, after, null));
    }
}
