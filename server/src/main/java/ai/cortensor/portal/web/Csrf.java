package ai.cortensor.portal.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CSRF by double-submit cookie: a random value in an HttpOnly cookie that each form (field {@value #FIELD}) or
 * script (header {@value #HEADER}) repeats; a cross-site page can neither read the cookie nor set it. The customer
 * portal and the operator console each have their own cookie (name, path, SameSite).
 */
public final class Csrf {
    public static final String FIELD = "_csrf";
    public static final String HEADER = "X-CSRF-Token";

    private final String cookie;
    private final String path;
    private final SetCookie.SameSite sameSite;
    private final Duration maxAge;
    private final Supplier<String> random;

    public Csrf(String cookie, String path, SetCookie.SameSite sameSite, Duration maxAge, Supplier<String> random) {
        this.cookie = cookie;
        this.path = path;
        this.sameSite = sameSite;
        this.maxAge = maxAge;
        this.random = random;
    }

    /** The CSRF token for this browser, setting the cookie when it has none. */
    public String token(ServerRequest req, ServerResponse res) {
        String existing = Web.cookie(req, cookie);
        if (existing != null && existing.length() >= 32) {
            return existing;
        }
        String fresh = random.get();
        Web.setCookie(res, cookie, fresh, path, sameSite, maxAge, true, Web.secure(req));
        return fresh;
    }

    /** True when the request repeats this browser's CSRF cookie in the form or the header. */
    public boolean ok(ServerRequest req, Map<String, String> form) {
        String expected = Web.cookie(req, cookie);
        String sent = form != null && form.containsKey(FIELD) ? form.get(FIELD)
                : req.headers().first(HeaderNames.create(HEADER)).orElse(null);
        return expected != null && sent != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
    }
}
