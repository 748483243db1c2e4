package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.notifications.Notifications;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/** Profile and security: email confirmation, password change, signed-in sessions, the notifications we sent. */
final class ProfilePages {
    private final Gate gate;
    private final Html html;
    private final Accounts accounts;
    private final Notifications notifications;

    ProfilePages(Gate gate, Html html, Accounts accounts, Notifications notifications) {
        this.notifications = notifications;
        this.gate = gate;
        this.html = html;
        this.accounts = accounts;
    }

    void register(ConsolePages console, HttpRouting.Builder r) {
        console.signedIn(r, "/portal/profile", false, (req, res, c) -> page(req, res, c,
                "saved".equals(req.query().first("password").orElse(null))
                        ? "Password saved. Other sessions were signed out." : null, null, 200));
        // the person's own sign-in stays theirs to protect while an account is paused
        console.signedInPost(r, "/portal/profile/password", Gate.Guard.NONE, this::changePassword);
        console.signedInPost(r, "/portal/profile/verify", Gate.Guard.NONE, this::resendVerification);
        console.signedInPost(r, "/portal/profile/sessions/end-others", Gate.Guard.NONE, this::endOthers);
    }

    private void page(ServerRequest req, ServerResponse res, Sessions.Current c, String notice, String error, int status) {
        var sessions = gate.sessions().list(c.user().id()).stream().map(s -> new Views.SessionRow(s.id(),
                device(s.userAgent()), s.clientAddr() == null ? "" : s.clientAddr(), Format.ago(s.lastSeenAt()),
                s.id() == c.sessionId())).toList();
        Page page = gate.page(req, res, c, "Profile", "profile");
        if (notice != null) {
            page = page.withNotice(notice, "info");
        }
        html.render(res, status, "profile.jte", AuthPages.params("page", page, "view", new Views.Profile(
                c.user().email(), c.user().emailVerified(), c.user().passwordHash() != null, sessions, c.sessionId(), error,
                notifications.sentTo(c.user().id()))));
    }

    private void changePassword(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            accounts.changePassword(c.user().id(), form.get("current"), form.get("password"));
            gate.sessions().endOthers(c.user().id(), c.sessionId());
            Web.redirect(res, "/portal/profile?password=saved"); // post/redirect/get: a reload does not send it again
        } catch (FormError e) {
            page(req, res, c, null, e.getMessage(), 400);
        }
    }

    private void resendVerification(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (Forms.read(req, res, gate, html) == null) {
            return;
        }
        if (accounts.sendVerification(c.user().id(), c.user().email())) {
            page(req, res, c, "We sent a new confirmation mail to " + c.user().email() + ".", null, 200);
        } else {
            page(req, res, c, null, "We could not send the mail right now. Please try again in a few minutes.", 503);
        }
    }

    private void endOthers(ServerRequest req, ServerResponse res, Sessions.Current c) {
        if (Forms.read(req, res, gate, html) == null) {
            return;
        }
        gate.sessions().endOthers(c.user().id(), c.sessionId());
        page(req, res, c, "All other sessions are signed out.", null, 200);
    }

    /** A short, human description of a browser from its user agent. */
    static String device(String ua) {
        if (ua == null) {
            return "Unknown device";
        }
        String browser = ua.contains("Edg/") ? "Edge" : ua.contains("Chrome/") ? "Chrome" : ua.contains("Firefox/")
                ? "Firefox" : ua.contains("Safari/") ? "Safari" : ua.contains("curl") ? "curl" : "Browser";
        String os = ua.contains("Windows") ? "Windows" : ua.contains("Mac OS") ? "macOS" : ua.contains("Android")
                ? "Android" : ua.contains("iPhone") ? "iOS" : ua.contains("Linux") ? "Linux" : "";
        return os.isEmpty() ? browser : browser + " on " + os;
    }
}
