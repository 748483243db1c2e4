package ai.cortensor.portal.portal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Slows password guessing: at most {@code perEmail} failed sign-ins per address and {@code perAddress} per client
 * address within a sliding {@code window}. A success clears the address's email count. In memory, per replica.
 */
public final class SignInThrottle {
    private final InstantSource clock;
    private final Duration window;
    private final int perEmail;
    private final int perAddress;
    private final Cache<String, Deque<Instant>> failures;

    public SignInThrottle(InstantSource clock, Duration window, int perEmail, int perAddress) {
        this.clock = clock;
        this.window = window;
        this.perEmail = perEmail;
        this.perAddress = perAddress;
        this.failures = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(window).build();
    }

    /** Seconds until another attempt is allowed, or 0 when the attempt may proceed. */
    long retryAfterSeconds(String email, String clientAddr) {
        return Math.max(wait("e:" + email.toLowerCase(Locale.ROOT), perEmail), wait("a:" + clientAddr, perAddress));
    }

    void failed(String email, String clientAddr) {
        Instant now = clock.instant();
        for (String k : new String[] {"e:" + email.toLowerCase(Locale.ROOT), "a:" + clientAddr}) {
            Deque<Instant> d = failures.get(k, x -> new ArrayDeque<>());
            synchronized (d) {
                d.addLast(now);
                while (d.size() > 1000) {
                    d.removeFirst();
                }
            }
        }
    }

    void succeeded(String email) {
        failures.invalidate("e:" + email.toLowerCase(Locale.ROOT));
    }

    private long wait(String key, int limit) {
        Deque<Instant> d = failures.getIfPresent(key);
        if (d == null) {
            return 0;
        }
        Instant now = clock.instant();
        synchronized (d) {
            while (!d.isEmpty() && !d.peekFirst().isAfter(now.minus(window))) {
                d.removeFirst();
            }
            if (d.size() < limit) {
                return 0;
            }
            Instant oldestCounted = d.stream().skip(d.size() - limit).findFirst().orElseThrow();
            return Math.max(1, Duration.between(now, oldestCounted.plus(window)).toSeconds() + 1);
        }
    }
}
