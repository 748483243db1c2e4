package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.accounts.AccountStore;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.accounts.LogMailer;
import ai.cortensor.portal.accounts.Mailer;
import ai.cortensor.portal.accounts.OidcLogin;
import ai.cortensor.portal.accounts.OidcSettings;
import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.accounts.SmtpMailer;
import ai.cortensor.portal.accounts.SmtpSettings;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.PlanStore;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.web.ApiFallbacks;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/** The customer-facing web product: sign-in pages, the console pages and {@code /portal/api}, built in one place. */
public final class CustomerPortal {
    private final AuthPages auth;
    private final ConsolePages console;
    private final UsagePages usagePages;
    private final ProfilePages profile;
    private final PortalApi api;
    private final StaticAssets assets = new StaticAssets();
    private final Accounts accounts;
    private final Gate gate;
    private final Html html;

    public CustomerPortal(PortalConfig config, Jdbi jdbi, ApiKeys apiKeys, Catalog catalog,
                          Gateway gateway, AdmissionControl admission, WhyBlocked whyBlocked,
                          InstantSource clock, Supplier<String> publicUrl) {
        OneTimeTokens tokens = new OneTimeTokens(new SecureRandom());
        AccountStore accountStore = new AccountStore(jdbi);
        OrganizationStore orgs = new OrganizationStore(jdbi);
        this.accounts = new Accounts(accountStore, orgs, mailer(config.mail()), tokens, clock, publicUrl);
        this.gate = new Gate(new Sessions(new SessionStore(jdbi), accountStore, orgs, tokens, clock), tokens, whyBlocked,
                config.support().email());
        this.html = new Html();
        CustomerKeys keys = new CustomerKeys(apiKeys, new KeyStore(jdbi), new AuditLog(jdbi), clock);
        PlanStore plans = new PlanStore(jdbi);
        UsageReports usage = new UsageReports(jdbi);
        OidcLogin oidc = config.oidc().enabled() ? new OidcLogin(new OidcSettings(config.oidc().issuer(),
                config.oidc().clientId(), config.oidc().clientSecret(), config.oidc().name())) : null;
        this.auth = new AuthPages(gate, html, accounts, new SignInThrottle(clock, Duration.ofMinutes(15), 5, 50), oidc, publicUrl);
        this.console = new ConsolePages(gate, html, keys, plans, usage, catalog, accounts, orgs, clock, publicUrl, tokens,
                admission, whyBlocked);
        this.usagePages = new UsagePages(gate, html, keys, usage, catalog, clock);
        this.profile = new ProfilePages(gate, html, accounts);
        this.api = new PortalApi(gate, keys, usage, plans, gateway, clock, whyBlocked);
    }

    public void register(HttpRouting.Builder r) {
        r.get("/static/*", assets::serve);
        r.get("/webjars/*", assets::serve);
        auth.register(r);
        api.register(r);
        console.register(r);
        usagePages.register(console, r);
        profile.register(console, r);
        r.any("/portal/*", this::notFound); // last: /portal/api/* keeps its own JSON 404
    }

    /**
     * What answers a path nothing else serves: a browser (any path under /portal, or a page asked for as HTML) gets
     * the portal's 404 page; the API paths and every other client keep the JSON error ({@link ApiFallbacks}).
     */
    public void notFound(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        boolean api = path.equals("/v1") || path.startsWith("/v1/");
        boolean browser = path.startsWith("/portal/") || req.headers().first(HeaderNames.ACCEPT)
                .map(a -> a.contains("text/html")).orElse(false);
        if (api || !browser) {
            ApiFallbacks.notFound(req, res);
            return;
        }
        Sessions.Current c = gate.current(req).orElse(null);
        html.render(res, 404, "message.jte", AuthPages.params("page", gate.page(req, res, c, "Page not found", ""),
                "text", "There is no page at " + path + ". The link may be mistyped, or the page has moved.",
                "linkHref", c == null ? "/signin" : "/portal", "linkText", c == null ? "Sign in" : "Go to the overview"));
    }

    public Accounts accounts() {
        return accounts;
    }

    private static Mailer mailer(PortalConfig.Mail m) {
        return m.toLog() ? new LogMailer(m.logText()) : new SmtpMailer(new SmtpSettings(m.host(), m.port(), m.username(),
                m.password(), m.from(), m.startTls(), Duration.ofSeconds(10)));
    }
}
