package ai.cortensor.portal.web;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's address as the product records and throttles it ({@link Web#clientAddr}): the TCP peer, unless that
 * peer is one of the configured trusted proxies ({@code http.trusted-proxies}: addresses or CIDR ranges); then the
 * rightmost {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries left of it were written by the
 * client and are never believed. With no trusted proxies (the default) the header is ignored entirely.
 */
public final class ClientAddress {
    /** The resolved address, kept in the request's context by {@link #filter}. */
    record Resolved(String address) {}

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest))) == 0;
        }
    }

    private final List<Range> trusted;

    private ClientAddress(List<Range> trusted) {
        this.trusted = trusted;
    }

    /**
     * From {@code http.trusted-proxies} entries such as {@code 10.0.0.0/8}, {@code 192.0.2.7} or {@code fd00::/8}.
     *
     * @throws IllegalArgumentException naming the entry that is not an IP address or CIDR range
     */
    public static ClientAddress trusting(List<String> proxies) {
        List<Range> ranges = new ArrayList<>();
        for (String p : proxies) {
            String s = p.strip();
            int slash = s.indexOf('/');
            byte[] network;
            try {
                network = parse(slash < 0 ? s : s.substring(0, slash)).getAddress();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR range");
            }
            int bits = network.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("'" + s + "' has a prefix length outside 0.." + network.length * 8);
                }
            }
            ranges.add(new Range(network, bits));
        }
        return new ClientAddress(List.copyOf(ranges));
    }

    /** Resolves the client's address once per request, before any handler runs. */
    public Filter filter() {
        return (chain, req, res) -> {
            req.context().register(new Resolved(resolve(peer(req), req.headers().all(HeaderNames.X_FORWARDED_FOR,
                    List::of))));
            chain.proceed();
        };
    }

    /** The client's address for a request from {@code peer} carrying these {@code X-Forwarded-For} lines. */
    public String resolve(String peer, List<String> forwardedFor) {
        if (trusted.isEmpty() || !trusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String line : forwardedFor) {
            for (String h : line.split(",")) {
                if (!h.isBlank()) {
                    hops.add(h.strip());
                }
            }
        }
        String address = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = literal(hops.get(i));
            if (hop == null) {
                return address; // unreadable: stop at the last address we could vouch for
            }
            address = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return address;
    }

    static String peer(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
    }

    private boolean trusted(String address) {
        String literal = literal(address);
        if (literal == null) {
            return false;
        }
        byte[] a = parse(literal).getAddress();
        return trusted.stream().anyMatch(r -> r.contains(a));
    }

    /** The canonical text of an address literal, or null when it is not one (names are never looked up). */
    private static String literal(String s) {
        try {
            return parse(s).getHostAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /**
     * An IP address literal: a dotted IPv4 quad or an IPv6 address. Only such text reaches
     * {@link InetAddress#getByName}, which then parses it without any name lookup.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static InetAddress parse(String s) {
        if (s == null || !(IPV4.matcher(s).matches() || IPV6.matcher(s).matches())) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
    }
}
