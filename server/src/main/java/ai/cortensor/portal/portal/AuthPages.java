package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.SignInThrottle;
import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.accounts.OidcFailure;
import ai.cortensor.portal.accounts.OidcLogin;
import ai.cortensor.portal.accounts.Organizations;
import ai.cortensor.portal.accounts.User;
import ai.cortensor.portal.plans.Windows;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Signing up, in and out; emailed links (verify, reset); OpenID Connect; accepting an organization invite. */
final class AuthPages {
    private static final Logger log = LoggerFactory.getLogger(AuthPages.class);
    private static final String OIDC_COOKIE = "portal_oidc";

    private final Gate gate;
    private final Html html;
    private final Accounts accounts;
    private final Organizations organizations;
    private final SignInThrottle throttle;
    private final OidcLogin oidc;
    private final Supplier<String> publicUrl;
    private final Cache<String, PendingLogin> pendingLogins = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

    private record PendingLogin(OidcLogin.Pending pending, String next) {}

    AuthPages(Gate gate, Html html, Accounts accounts, Organizations organizations, SignInThrottle throttle,
              OidcLogin oidc, Supplier<String> publicUrl) {
        this.organizations = organizations;
        this.gate = gate;
        this.html = html;
        this.accounts = accounts;
        this.throttle = throttle;
        this.oidc = oidc;
        this.publicUrl = publicUrl;
    }

    void register(HttpRouting.Builder r) {
        r.get("/", (req, res) -> Web.redirect(res, gate.current(req).isPresent() ? "/portal" : "/signin"));
        r.get("/signin", this::signInPage);
        r.post("/signin", this::signIn);
        r.get("/signup", (req, res) -> signUpPage(req, res, req.query().first("email").orElse(""), null, null, 200,
                Web.safeNext(req.query().first("next").orElse("/portal"))));
        r.post("/signup", this::signUp);
        r.post("/signout", this::signOut);
        r.get("/verify-email", this::verifyEmail);
        r.get("/forgot-password", (req, res) -> html.render(res, 200, "forgot.jte",
                Map.of("page", gate.page(req, res, null, "Reset your password", ""), "sent", false)));
        r.post("/forgot-password", this::forgot);
        r.get("/reset-password", (req, res) -> resetPage(req, res, req.query().first("token").orElse(""), null, false, 200));
        r.post("/reset-password", this::reset);
        r.get("/oidc/start", this::oidcStart);
        r.get("/oidc/callback", this::oidcCallback);
        r.get("/invite", this::invitePage);
        r.post("/invite", this::acceptInvite);
    }

    private String oidcName() {
        return oidc == null ? null : oidc.displayName();
    }

    private void signInPage(ServerRequest req, ServerResponse res) {
        String next = Web.safeNext(req.query().first("next").orElse("/portal"));
        Page page = gate.page(req, res, null, "Sign in", "");
        if (req.query().contains("expired")) {
            page = page.withNotice("Your session has ended. Sign in again to continue.", "info");
        } else if (req.query().contains("signedout")) {
            page = page.withNotice("You are signed out.", "info");
        }
        html.render(res, 200, "signin.jte", params("page", page, "email", req.query().first("email").orElse(""),
                "next", next, "error", null, "oidcName", oidcName()));
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Map<String, String> form = form(req, res);
        if (form == null) {
            return;
        }
        String email = form.getOrDefault("email", "").trim();
        String next = Web.safeNext(form.get("next"));
        String addr = Web.clientAddr(req);
        Duration wait = throttle.waitBefore(email, addr);
        if (!wait.isZero()) {
            long seconds = Math.max(1, wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
            res.header(io.helidon.http.HeaderNames.RETRY_AFTER, Long.toString(seconds));
            html.render(res, 429, "signin.jte", params("page", gate.page(req, res, null, "Sign in", ""), "email", email,
                    "next", next, "error", "Too many failed sign-ins from your network. Try again in "
                            + Windows.readable(Duration.ofSeconds(seconds)) + ", or reset your password.",
                    "oidcName", oidcName()));
            return;
        }
        Optional<User> user = accounts.checkPassword(email, form.get("password"));
        if (user.isEmpty()) {
            throttle.failed(email, addr);
            html.render(res, 401, "signin.jte", params("page", gate.page(req, res, null, "Sign in", ""), "email", email,
                    "next", next, "error", "The email or password is not correct.", "oidcName", oidcName()));
            return;
        }
        // a paused account signs in to a read-only portal that says why, since when and whom to contact
        throttle.succeeded(email, addr);
        gate.startSession(req, res, user.get().id());
        Web.redirect(res, next);
    }

    private void signUpPage(ServerRequest req, ServerResponse res, String email, String field, String error, int status,
                            String next) {
        html.render(res, status, "signup.jte", params("page", gate.page(req, res, null, "Create your account", ""),
                "email", email, "field", field, "error", error, "oidcName", oidcName(), "next", next));
    }

    private void signUp(ServerRequest req, ServerResponse res) {
        Map<String, String> form = form(req, res);
        if (form == null) {
            return;
        }
        String email = form.getOrDefault("email", "");
        String next = Web.safeNext(form.getOrDefault("next", "/portal"));
        try {
            User user = accounts.signUp(email, form.get("password"));
            gate.startSession(req, res, user.id());
            Web.redirect(res, "/portal".equals(next) ? "/portal?welcome=1" : next);
        } catch (FormError e) {
            signUpPage(req, res, email, e.field(), e.getMessage(), 400, next);
        }
    }

    private void signOut(ServerRequest req, ServerResponse res) {
        Map<String, String> form = form(req, res);
        if (form == null) {
            return;
        }
        gate.endSession(req, res);
        Web.redirect(res, "/signin?signedout=1");
    }

    private void verifyEmail(ServerRequest req, ServerResponse res) {
        boolean ok = accounts.verifyEmail(req.query().first("token").orElse(""));
        html.render(res, ok ? 200 : 400, "message.jte", params("page", gate.page(req, res, null,
                ok ? "Email confirmed" : "Link not valid", ""),
                "text", ok ? "Thank you — your email address is confirmed."
                        : "This confirmation link has expired or was already used. Sign in and send a new one from your profile.",
                "linkHref", "/portal", "linkText", "Go to the portal"));
    }

    private void forgot(ServerRequest req, ServerResponse res) {
        Map<String, String> form = form(req, res);
        if (form == null) {
            return;
        }
        try {
            accounts.requestPasswordReset(form.get("email"));
        } catch (RuntimeException e) {
            log.warn("password reset mail failed: {}", e.getMessage());
        }
        html.render(res, 200, "forgot.jte", Map.of("page", gate.page(req, res, null, "Reset your password", ""), "sent", true));
    }

    private void resetPage(ServerRequest req, ServerResponse res, String token, String error, boolean linkDead,
                           int status) {
        html.render(res, status, "reset.jte", params("page", gate.page(req, res, null, "Choose a new password", ""),
                "token", token, "error", error, "linkDead", linkDead));
    }

    private void reset(ServerRequest req, ServerResponse res) {
        Map<String, String> form = form(req, res);
        if (form == null) {
            return;
        }
        try {
            User user = accounts.resetPassword(form.getOrDefault("token", ""), form.get("password"));
            gate.startSession(req, res, user.id());
            Web.redirect(res, "/portal?password=reset");
        } catch (FormError e) {
            resetPage(req, res, form.getOrDefault("token", ""), e.getMessage(), "token".equals(e.field()), 400);
        }
    }

    private void oidcStart(ServerRequest req, ServerResponse res) {
        if (oidc == null) {
            res.status(404).send("Single sign-on is not configured.");
            return;
        }
        OidcLogin.Pending pending = oidc.start(URI.create(publicUrl.get() + "/oidc/callback"));
        pendingLogins.put(pending.state(), new PendingLogin(pending, Web.safeNext(req.query().first("next").orElse("/portal"))));
        Web.setCookie(res, OIDC_COOKIE, pending.state(), Duration.ofMinutes(10), true, Web.secure(req));
        Web.redirect(res, pending.authorizationUrl().toString());
    }

    private void oidcCallback(ServerRequest req, ServerResponse res) {
        String state = req.query().first("state").orElse("");
        PendingLogin login = pendingLogins.getIfPresent(state);
        Page page = gate.page(req, res, null, "Sign-in failed", "");
        if (login == null || !state.equals(Web.cookie(req, OIDC_COOKIE))) {
            html.render(res, 400, "message.jte", params("page", page, "text",
                    "This sign-in attempt has expired or did not start in this browser. Please try again.",
                    "linkHref", "/signin", "linkText", "Back to sign in"));
            return;
        }
        pendingLogins.invalidate(state);
        Web.clearCookie(res, OIDC_COOKIE);
        try {
            URI callback = URI.create(publicUrl.get() + "/oidc/callback?" + req.query().rawValue());
            OidcLogin.Identity id = oidc.complete(callback, login.pending());
            User user = accounts.signInWithIdentity(id.issuer(), id.subject(), id.email(), id.emailVerified());
            gate.startSession(req, res, user.id());
            Web.redirect(res, login.next());
        } catch (OidcFailure | FormError e) {
            html.render(res, 400, "message.jte", params("page", page, "text", e.getMessage(), "linkHref", "/signin",
                    "linkText", "Back to sign in"));
        }
    }

    /**
     * An invitation link: a signed-out visitor learns which organization, who invited them and for which address,
     * and how to accept (sign in or create an account with that address, then back here); a signed-in one accepts
     * it, or is told it was sent to another address. A link that cannot be used any more (accepted, cancelled,
     * expired) says which of these it is (410).
     */
    private void invitePage(ServerRequest req, ServerResponse res) {
        String token = req.query().first("token").orElse("");
        Sessions.Current c = gate.current(req).orElse(null);
        Optional<Organizations.Invitation> invitation = organizations.invitation(token);
        Page page = gate.page(req, res, c, "Invitation", "team");
        if (invitation.isEmpty()) {
            html.render(res, 404, "message.jte", params("page", page.withTitle("Invitation not valid"), "text",
                    "This invitation link is not valid. Check that you opened the whole link from the mail.",
                    "linkHref", c == null ? "/signin" : "/portal", "linkText", c == null ? "Sign in" : "Go to the portal"));
            return;
        }
        if (invitation.get().state() != Organizations.InvitationState.PENDING) {
            html.render(res, 410, "message.jte", params("page", page.withTitle("Invitation no longer valid"), "text",
                    Organizations.unusable(invitation.get()), "linkHref", c == null ? "/signin" : "/portal",
                    "linkText", c == null ? "Sign in" : "Go to the portal"));
            return;
        }
        String here = "/invite?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        html.render(res, 200, "invite.jte", params("page", page.withTitle("Join " + invitation.get().invite()
                .organizationName()), "invite", invitation.get().invite(), "token", token,
                "signedInAs", c == null ? null : c.user().email(),
                "next", URLEncoder.encode(here, StandardCharsets.UTF_8), "error", null));
    }

    private void acceptInvite(ServerRequest req, ServerResponse res) {
        Map<String, String> form = form(req, res);
        if (form == null || gate.requirePage(req, res).isEmpty()) {
            return;
        }
        Sessions.Current c = gate.current(req).orElseThrow();
        var paused = gate.refusal(c, Gate.Guard.PERSON);
        if (paused.isPresent()) {
            html.render(res, 403, "message.jte", params("page", gate.page(req, res, c, "Invitation", "team"), "text",
                    gate.pausedMessage(paused.get()), "linkHref", "/portal", "linkText", "Go to the overview"));
            return;
        }
        try {
            long org = organizations.accept(form.getOrDefault("token", ""), c.user(), TeamPages.actor(req, res, c));
            gate.sessions().switchAccount(gate.current(req).orElseThrow(), org);
            Web.redirect(res, "/portal/team?joined=1");
        } catch (FormError e) {
            html.render(res, 400, "message.jte", params("page", gate.page(req, res, c, "Invitation", "team"), "text",
                    e.getMessage(), "linkHref", "/portal", "linkText", "Go to the portal"));
        }
    }

    /** The form, or null after answering 403 (missing CSRF token) or 413 (too large). Nothing has changed then. */
    Map<String, String> form(ServerRequest req, ServerResponse res) {
        return Forms.read(req, res, gate, html);
    }

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
