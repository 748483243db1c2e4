package ai.cortensor.portal.portal;

import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Browser plumbing for the portal: cookies, form bodies, redirects, client address. */
final class Web {
    static final String SESSION_COOKIE = "portal_session";
    static final String CSRF_COOKIE = "portal_csrf";
    static final String CSRF_FIELD = "_csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final int MAX_FORM_BYTES = 64 * 1024;

    private Web() {}

    static String cookie(ServerRequest req, String name) {
        return req.headers().cookies().first(name).orElse(null);
    }

    static void setCookie(ServerResponse res, String name, String value, Duration maxAge, boolean httpOnly,
                          boolean secure) {
        res.headers().addCookie(SetCookie.builder(name, value).path("/").httpOnly(httpOnly).secure(secure)
                .sameSite(SetCookie.SameSite.LAX).maxAge(maxAge).build());
    }

    static void clearCookie(ServerResponse res, String name) {
        res.headers().addCookie(SetCookie.builder(name, "").path("/").maxAge(Duration.ZERO).build());
    }

    /** True when the browser reached us over HTTPS (directly or via a proxy that says so). */
    static boolean secure(ServerRequest req) {
        return req.isSecure() || req.headers().first(HeaderNames.X_FORWARDED_PROTO).map("https"::equalsIgnoreCase).orElse(false);
    }

    static String clientAddr(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
    }

    /** The form fields of a urlencoded body; {@link TooLarge} past {@link #MAX_FORM_BYTES}. */
    static Map<String, String> form(ServerRequest req) {
        if (req.headers().contentLength().orElse(0) > MAX_FORM_BYTES) {
            throw new TooLarge();
        }
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(MAX_FORM_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body.length > MAX_FORM_BYTES) {
            throw new TooLarge();
        }
        Map<String, String> out = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    static void redirect(ServerResponse res, String location) {
        res.status(303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    /** A path inside this site to return to after sign-in; anything else becomes {@code /portal}. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.length() > 2000) {
            return "/portal";
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            // browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil") and read "\" as "/"
            if (c < 0x21 || c == 0x7f || c == '\\') {
                return "/portal";
            }
        }
        return next;
    }

    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("form too large", null, false, false);
        }
    }
}
