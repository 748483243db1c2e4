package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.accounts.OidcLogin;
import ai.cortensor.portal.accounts.OidcSettings;
import ai.cortensor.portal.accounts.OneTimeTokens;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.accounts.Organizations;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.notifications.Notifications;
import ai.cortensor.portal.notifications.Webhooks;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.gateway.Gateway;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.web.ApiFallbacks;
import ai.cortensor.portal.web.SignInThrottle;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.InstantSource;
import java.util.function.Supplier;

/** The customer-facing web product: sign-in pages, the console pages and {@code /portal/api}, built in one place. */
public final class CustomerPortal {
    private final AuthPages auth;
    private final ConsolePages console;
    private final UsagePages usagePages;
    private final ProfilePages profile;
    private final TeamPages team;
    private final BudgetPages budgetPages;
    private final PortalApi api;
    private final SpendApi spendApi;
    private final AlertPages alerts;
    private final AlertsApi alertsApi;
    private final StaticAssets assets = new StaticAssets();
    private final Accounts accounts;
    private final Gate gate;
    private final Html html;

    /** Everything is built once by the composition root; this only assembles the customer's pages over it. */
    public CustomerPortal(PortalConfig config, Accounts accounts, Organizations organizations, Sessions sessions,
                          OneTimeTokens tokens, ApiKeys apiKeys, AuditLog audit, UsageReports usage,
                          SpendReports spend, Catalog catalog,
                          Gateway gateway, AdmissionControl admission, WhyBlocked whyBlocked, SignInThrottle throttle,
                          Notifications notifications, Billing billing, Webhooks webhooks, InstantSource clock,
                          Supplier<String> publicUrl) {
        this.accounts = accounts;
        this.gate = new Gate(sessions, tokens, whyBlocked, config.support().email());
        this.html = new Html();
        CustomerKeys keys = new CustomerKeys(apiKeys, audit, clock);
        CustomerBudgets budgets = new CustomerBudgets(billing, keys, admission);
        OidcLogin oidc = config.oidc().enabled() ? new OidcLogin(new OidcSettings(config.oidc().issuer(),
                config.oidc().clientId(), config.oidc().clientSecret(), config.oidc().name())) : null;
        this.auth = new AuthPages(gate, html, accounts, organizations, throttle, oidc, publicUrl);
        this.console = new ConsolePages(gate, html, keys, usage, catalog, clock, publicUrl, tokens,
                admission, whyBlocked, budgets, spend);
        this.team = new TeamPages(gate, html, organizations, keys);
        this.usagePages = new UsagePages(gate, html, keys, usage, spend, catalog, clock);
        this.budgetPages = new BudgetPages(gate, html, keys, budgets);
        this.profile = new ProfilePages(gate, html, accounts, notifications);
        this.api = new PortalApi(gate, keys, usage, admission, gateway, clock, whyBlocked);
        this.spendApi = new SpendApi(api, budgets, spend, new UsageExport(spend, keys, clock));
        this.alerts = new AlertPages(gate, html, keys, billing, webhooks, admission);
        this.alertsApi = new AlertsApi(api, billing, webhooks, admission);
    }

    public void register(HttpRouting.Builder r) {
        r.get("/static/*", assets::serve);
        r.get("/webjars/*", assets::serve);
        auth.register(r);
        spendApi.register(r); // these two before the API's catch-all 404
        alertsApi.register(r);
        api.register(r);
        console.register(r);
        alerts.register(console, r);
        usagePages.register(console, r);
        budgetPages.register(console, r);
        team.register(console, r);
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
}
