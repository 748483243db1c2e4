package ai.cortensor.portal.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;

/**
 * Slows password (or token) guessing without letting anyone lock a known customer out from elsewhere. Two counts of
 * failed sign-ins, neither of them per account alone:
 * <ul>
 *   <li>per account <em>and</em> client address: {@link Policy#perPair} failures within {@link Policy#pairWindow}
 *       make that address wait until the oldest of them is older than the window. The same account from any other
 *       address is not affected; a success from the address clears its count.</li>
 *   <li>per client address (IPv6: per /64), whatever the account: the first {@link Policy#freePerAddress} failures
 *       within {@link Policy#addressWindow} are free; after that each further attempt waits 1 s after the last
 *       failure, doubling with every failure, at most {@link Policy#maxWait}. Successes do not reset it (an attacker
 *       could sign in to an account of their own in between).</li>
 * </ul>
 * Waiting attempts are refused before the password is checked and are not counted. In memory, per replica: with
 * N replicas behind a load balancer an address gets up to N times these numbers.
 */
public final class SignInThrottle {

    /** The numbers (docs/portal.md and docs/operations.md quote the defaults). */
    public record Policy(int perPair, Duration pairWindow, int freePerAddress, Duration addressWindow, Duration maxWait) {
        public static final Policy DEFAULT = new Policy(5, Duration.ofMinutes(15), 10, Duration.ofHours(24),
                Duration.ofMinutes(15));
    }

    private static final int KEPT_PER_ADDRESS = 1000;
    private final InstantSource clock;
    private final Policy policy;
    private final Cache<String, Deque<Instant>> pairs;
    private final Cache<String, Deque<Instant>> addresses;

    public SignInThrottle(InstantSource clock, Policy policy) {
        this.clock = clock;
        this.policy = policy;
        // separate caches: filling one with made-up accounts must not evict an address's count
        this.pairs = Caffeine.newBuilder().maximumSize(200_000).expireAfterAccess(policy.pairWindow()).build();
        this.addresses = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(policy.addressWindow()).build();
    }

    /** How long this attempt must wait; {@link Duration#ZERO} when it may be checked now. */
    public Duration waitBefore(String account, String address) {
        Instant now = clock.instant();
        Duration pair = Duration.ZERO;
        Deque<Instant> p = pairs.getIfPresent(pairKey(account, address));
        if (p != null) {
            synchronized (p) {
                prune(p, now.minus(policy.pairWindow()));
                if (p.size() >= policy.perPair()) {
                    pair = Duration.between(now, p.peekFirst().plus(policy.pairWindow()));
                }
            }
        }
        Duration addr = Duration.ZERO;
        Deque<Instant> a = addresses.getIfPresent(addressKey(address));
        if (a != null) {
            synchronized (a) {
                prune(a, now.minus(policy.addressWindow()));
                int over = a.size() - policy.freePerAddress();
                if (over >= 0) {
                    Duration backoff = over >= 30 ? policy.maxWait()
                            : Duration.ofSeconds(1L << over).compareTo(policy.maxWait()) > 0 ? policy.maxWait()
                            : Duration.ofSeconds(1L << over);
                    addr = Duration.between(now, a.peekLast().plus(backoff));
                }
            }
        }
        Duration wait = pair.compareTo(addr) >= 0 ? pair : addr;
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    public void failed(String account, String address) {
        Instant now = clock.instant();
        record(pairs.get(pairKey(account, address), k -> new ArrayDeque<>()), now, policy.perPair());
        record(addresses.get(addressKey(address), k -> new ArrayDeque<>()), now, KEPT_PER_ADDRESS);
    }

    /** A correct password from this address: its failures for this account are forgotten (the address's are not). */
    public void succeeded(String account, String address) {
        pairs.invalidate(pairKey(account, address));
    }

    private static void record(Deque<Instant> d, Instant now, int keep) {
        synchronized (d) {
            d.addLast(now);
            while (d.size() > keep) {
                d.removeFirst();
            }
        }
    }

    private static void prune(Deque<Instant> d, Instant oldest) {
        while (!d.isEmpty() && !d.peekFirst().isAfter(oldest)) {
            d.removeFirst();
        }
    }

    private static String pairKey(String account, String address) {
        return (account == null ? "" : account.strip().toLowerCase(Locale.ROOT)) + "\n" + addressKey(address);
    }

    /** An IPv4 address as it is; an IPv6 address by its /64 (one customer line usually holds a whole /64). */
    static String addressKey(String address) {
        if (address == null || !address.contains(":")) {
            return address == null ? "unknown" : address;
        }
        try {
            byte[] b = ClientAddress.parse(address).getAddress();
            if (b.length == 16) {
                Arrays.fill(b, 8, 16, (byte) 0);
                return InetAddress.getByAddress(b).getHostAddress() + "/64";
            }
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return address;
        }
    }
}
