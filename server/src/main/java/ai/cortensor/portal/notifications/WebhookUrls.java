package ai.cortensor.portal.notifications;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs a customer's webhook may point at. The portal calls them from inside the operator's network, so by
 * default only {@code https://} URLs of public hosts: never this machine, a private network, link-local (cloud
 * metadata) or multicast addresses — checked when the URL is saved (for literal addresses and {@code localhost}) and
 * again before every attempt, against what the host name resolves to then. {@code allowLocal}
 * ({@code webhooks.allow-local-urls}, development and tests) accepts local and private addresses, and plain
 * {@code http://} to this machine ({@code localhost}, {@code 127.x.y.z}, {@code [::1]}) only.
 */
final class WebhookUrls {
    static final int MAX_LENGTH = 2000;

    private WebhookUrls() {}

    /** The URL to post to; an IllegalArgumentException's message says what to change. */
    static URI parse(String text, boolean allowLocal) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("Enter the URL that should receive the alerts, like https://example.com/hooks/cortensor.");
        }
        if (t.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("The URL is longer than " + MAX_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("That is not a valid URL: " + e.getReason() + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(scheme.startsWith("http")
                    ? "The URL needs a host name, like https://example.com/hooks/cortensor."
                    : "The URL must start with https:// (alerts are not sent in clear text).");
        }
        if (!scheme.equals("https") && !(scheme.equals("http") && allowLocal && loopback(uri.getHost()))) {
            throw new IllegalArgumentException("The URL must start with https:// (alerts are not sent in clear text).");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("Leave the user name and password out of the URL; check the signature instead.");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("Leave the #fragment out of the URL: it is never sent to a server.");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!allowLocal && (host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".local")
                || host.endsWith(".internal") || literalNotPublic(host))) {
            throw new IllegalArgumentException("The URL must point at a public host, not at this machine or a private network.");
        }
        return uri;
    }

    /**
     * Null when the URL's host may be called now; else why not (an attempt's error). Resolves the host name: a
     * name that once pointed at a public address and now points inward is refused.
     */
    static String refusal(URI uri, boolean allowLocal) {
        if (allowLocal) {
            return null;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
                if (!isPublic(a)) {
                    return "refused: " + uri.getHost() + " resolves to a private or local address";
                }
            }
            return null;
        } catch (UnknownHostException e) {
            return "unknown host " + uri.getHost();
        }
    }

    /** localhost, 127.x.y.z or ::1: plain http stays on this machine. */
    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("[::1]");
    }

    private static boolean literalNotPublic(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a name: checked when resolved, before each attempt
        }
        try {
            return !isPublic(InetAddress.getByName(h)); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return true;
        }
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(first == 198 && (second == 18 || second == 19)) // benchmarking
                    && first < 240; // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) != 0xfc; // unique local fc00::/7
        }
        return false;
    }
}
