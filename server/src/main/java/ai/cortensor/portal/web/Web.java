package ai.cortensor.portal.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Browser plumbing shared by the customer portal and the operator console: cookies, form bodies, redirects. */
public final class Web {
    public static final int MAX_FORM_BYTES = 64 * 1024;

    private Web() {}

    public static String cookie(ServerRequest req, String name) {
        return req.headers().cookies().first(name).orElse(null);
    }

    /** A SameSite=Lax cookie for the whole site. */
    public static void setCookie(ServerResponse res, String name, String value, Duration maxAge, boolean httpOnly,
                                 boolean secure) {
        setCookie(res, name, value, "/", SetCookie.SameSite.LAX, maxAge, httpOnly, secure);
    }

    public static void setCookie(ServerResponse res, String name, String value, String path, SetCookie.SameSite sameSite,
                                 Duration maxAge, boolean httpOnly, boolean secure) {
        res.headers().addCookie(SetCookie.builder(name, value).path(path).httpOnly(httpOnly).secure(secure)
                .sameSite(sameSite).maxAge(maxAge).build());
    }

    public static void clearCookie(ServerResponse res, String name) {
        clearCookie(res, name, "/");
    }

    public static void clearCookie(ServerResponse res, String name, String path) {
        res.headers().addCookie(SetCookie.builder(name, "").path(path).maxAge(Duration.ZERO).build());
    }

    /** True when the browser reached us over HTTPS (directly or via a proxy that says so). */
    public static boolean secure(ServerRequest req) {
        return req.isSecure() || req.headers().first(HeaderNames.X_FORWARDED_PROTO).map("https"::equalsIgnoreCase).orElse(false);
    }

    /**
     * The client's address: as {@link ClientAddress#filter} resolved it (the TCP peer, or behind a trusted proxy
     * the address it forwarded for), else the TCP peer.
     */
    public static String clientAddr(ServerRequest req) {
        return req.context().get(ClientAddress.Resolved.class).map(ClientAddress.Resolved::address)
                .orElseGet(() -> ClientAddress.peer(req));
    }

    /** The form fields of a urlencoded body; {@link TooLarge} past {@link #MAX_FORM_BYTES}. */
    public static Map<String, String> form(ServerRequest req) {
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

    public static void redirect(ServerResponse res, String location) {
        res.status(303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    /** A path inside this site to return to after sign-in; anything else becomes {@code /portal}. */
    public static String safeNext(String next) {
        return safeNext(next, "/portal");
    }

    /** A path inside this site to return to after sign-in; anything else becomes {@code fallback}. */
    public static String safeNext(String next, String fallback) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.length() > 2000) {
            return fallback;
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            // browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil") and read "\" as "/"
            if (c < 0x21 || c == 0x7f || c == '\\') {
                return fallback;
            }
        }
        return next;
    }

    public static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("form too large", null, false, false);
        }
    }
}
