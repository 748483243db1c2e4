package ai.cortensor.portal.portal;

import ai.cortensor.portal.web.Web;
import ai.cortensor.portal.web.Html;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.accounts.OneTimeTokens;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import ai.cortensor.portal.plans.AdmissionControl;
import ai.cortensor.portal.plans.LimitKind;
import ai.cortensor.portal.plans.Limiter;
import ai.cortensor.portal.plans.PlanStore;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.plans.Windows;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Model;
import ai.cortensor.portal.usage.SpendReports;
import ai.cortensor.portal.usage.UsageReports;
import ai.cortensor.portal.billing.Balance;
import ai.cortensor.portal.billing.Money;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The signed-in console: overview, keys, models, quickstart, playground, plan pages (team: {@link TeamPages}). */
final class ConsolePages {
    private final Gate gate;
    private final Html html;
    private final CustomerKeys keys;
    private final UsageReports usage;
    private final Catalog catalog;
    private final InstantSource clock;
    private final Supplier<String> publicUrl;
    private final OneTimeTokens tokens;
    private final AdmissionControl admission;
    private final WhyBlocked whyBlocked;
    private final CustomerBudgets budgets;
    private final SpendReports spend;
    /** New key secrets between the create POST and the redirected GET: seconds in memory, never stored. */
    private final Cache<String, Reveal> reveals = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(2)).build();
    private static final String REVEAL_COOKIE = "portal_reveal";

    private record Reveal(long sessionId, String token, String name) {}

    ConsolePages(Gate gate, Html html, CustomerKeys keys, UsageReports usage, Catalog catalog,
                 InstantSource clock, Supplier<String> publicUrl,
                 OneTimeTokens tokens, AdmissionControl admission, WhyBlocked whyBlocked, CustomerBudgets budgets,
                 SpendReports spend) {
        this.budgets = budgets;
        this.spend = spend;
        this.tokens = tokens;
        this.admission = admission;
        this.whyBlocked = whyBlocked;
        this.gate = gate;
        this.html = html;
        this.keys = keys;
        this.usage = usage;
        this.catalog = catalog;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    /** A page handler that runs only for a signed-in browser. */
    @FunctionalInterface
    interface SignedInHandler {
        void handle(ServerRequest req, ServerResponse res, Sessions.Current c) throws Exception;
    }

    /**
     * Wraps a handler: signed-out browsers go to sign-in and come back. A form post changes the account, so it is
     * refused while the account is paused ({@link Gate.Guard#ACCOUNT}); posts that may run anyway say so with
     * {@link #signedInPost}.
     */
    HttpRouting.Builder signedIn(HttpRouting.Builder r, String path, boolean post, SignedInHandler handler) {
        return post ? signedInPost(r, path, Gate.Guard.ACCOUNT, handler) : r.get(path, (req, res) -> {
            var c = gate.requirePage(req, res);
            if (c.isPresent()) {
                handler.handle(req, res, c.get());
            }
        });
    }

    /** A form post for a signed-in browser, refused with a page that says why when {@code guard} does not hold. */
    HttpRouting.Builder signedInPost(HttpRouting.Builder r, String path, Gate.Guard guard, SignedInHandler handler) {
        return r.post(path, (req, res) -> {
            var c = gate.requirePage(req, res);
            if (c.isEmpty()) {
                return;
            }
            var paused = gate.refusal(c.get(), guard);
            if (paused.isPresent()) {
                html.render(res, 403, "message.jte", AuthPages.params("page", gate.page(req, res, c.get(),
                        "Account paused", ""), "text", gate.pausedMessage(paused.get()), "linkHref", "/portal",
                        "linkText", "Go to the overview"));
                return;
            }
            handler.handle(req, res, c.get());
        });
    }

    void register(HttpRouting.Builder r) {
        signedIn(r, "/portal", false, this::overview);
        signedIn(r, "/portal/keys", false, this::keysAfterRedirect);
        signedIn(r, "/portal/keys", true, this::createKey);
        signedIn(r, "/portal/keys/{id}/revoke", false, this::revokePage);
        signedInPost(r, "/portal/keys/{id}/revoke", Gate.Guard.NONE, this::revoke); // only takes access away
        signedIn(r, "/portal/models", false, (req, res, c) -> html.render(res, 200, "models.jte",
                AuthPages.params("page", gate.page(req, res, c, "Models", "models"), "models", modelRows(c))));
        signedIn(r, "/portal/quickstart", false, (req, res, c) -> html.render(res, 200, "quickstart.jte",
                AuthPages.params("page", gate.page(req, res, c, "Quickstart", "quickstart"), "view",
                        new Views.Quickstart(publicUrl.get() + "/v1", defaultModel(),
                                !keys.list(c.account()).isEmpty()))));
        signedIn(r, "/portal/playground", false, (req, res, c) -> html.render(res, 200, "playground.jte",
                AuthPages.params("page", gate.page(req, res, c, "Playground", "playground"), "models",
                        catalog.models().stream().map(Model::alias).toList())));
        signedIn(r, "/portal/billing", false, (req, res, c) -> html.render(res, 200, "billing.jte",
                AuthPages.params("page", gate.page(req, res, c, "Plan and billing", "billing"), "view",
                        new Views.Billing(admission.plan(new AdmissionControl.AccountRef(c.user().id(),
                                c.account().organizationId())).plan(), admission.plans(), accountLimits(c)))));
        signedInPost(r, "/portal/account", Gate.Guard.NONE, this::switchAccount);
    }

    /** The account's limits as admission enforces them (the plan's, or an operator's override), with their use. */
    private List<Views.AccountLimit> accountLimits(Sessions.Current c) {
        var ref = new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId());
        var view = admission.plan(ref);
        return admission.peek(admission.accountLimits(ref)).stream().map(s -> new Views.AccountLimit(
                s.limit().kind().key(), s.limit().kind() == LimitKind.SHORT_WINDOW_REQUESTS
                        ? "Requests per " + Windows.readable(s.limit().window())
                        : Character.toUpperCase(s.limit().kind().label().charAt(0)) + s.limit().kind().label().substring(1),
                s.used(), s.limit().max(),
                s.used() == 0 || s.resetIn() == null || s.limit().kind().concurrency() ? "—"
                        : "in " + Windows.readable(s.resetIn()),
                view.overridden(s.limit().kind().key()) || (s.limit().kind() == LimitKind.SHORT_WINDOW_REQUESTS
                        && view.overridden(ai.cortensor.portal.plans.LimitOverrides.SHORT_WINDOW_SECONDS))))
                .toList();
    }

    /** Allowance and consumption come from the policy layer's counters, the same ones admission uses. */
    private void overview(ServerRequest req, ServerResponse res, Sessions.Current c) {
        var ref = new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId());
        PlanStore.Plan plan = admission.plan(ref).plan();
        Limiter.State tokens = null;
        Limiter.State requests = null;
        for (Limiter.State s : admission.peek(admission.accountLimits(ref))) {
            if (s.limit().kind() == LimitKind.WEEKLY_TOKENS) {
                tokens = s;
            } else if (s.limit().kind() == LimitKind.WEEKLY_REQUESTS) {
                requests = s;
            }
        }
        int percent = tokens == null ? 0 : (int) Math.min(999, tokens.used() * 100 / Math.max(1, tokens.limit().max()));
        int requestPercent = requests == null ? 0 : (int) Math.min(999, requests.used() * 100 / Math.max(1, requests.limit().max()));
        percent = Math.max(percent, requestPercent);
        Limiter.State oldest = tokens != null ? tokens : requests;
        String reset = oldest == null || oldest.used() == 0
                ? "The allowance is a rolling 7-day window: each request counts for 7 days after it was made."
                : "Rolling 7-day window: the oldest usage still counted frees up in "
                        + Windows.readable(oldest.resetIn()) + ".";
        var week = usage.totals(new UsageReports.Scope(c.user().id(), c.account().organizationId(), null, null),
                clock.instant().minus(Duration.ofDays(7)));
        var view = new Views.Overview(plan.name(), tokens == null ? week.tokens() : tokens.used(),
                tokens == null ? null : tokens.limit().max(), percent, percent >= 80, percent >= 100, reset,
                requests == null ? week.requests() : requests.used(), requests == null ? null : requests.limit().max(),
                !keys.list(c.account()).isEmpty(), week.requests() > 0,
                whyBlocked.forAccount(ref, null), spend(c, plan), credits(c));
        Page page = gate.page(req, res, c, "Overview", "overview");
        if (req.query().contains("welcome")) {
            page = page.withNotice("Welcome! Your account is ready. We sent you a mail to confirm your address.", "info");
        } else if (req.query().contains("password")) {
            page = page.withNotice("Your new password is saved.", "info");
        }
        html.render(res, 200, "overview.jte", AuthPages.params("page", page, "view", view));
    }

    /**
     * This month's usage and what it cost as charged, and the plan's price: the account's spend so far. Read from the
     * daily spend (days × models × keys rows), however many requests the account made.
     */
    private Views.Spend spend(Sessions.Current c, PlanStore.Plan plan) {
        var month = SpendReports.monthStart(clock.instant());
        var t = spend.totals(new UsageReports.Scope(c.user().id(), c.account().organizationId(), null, null), month,
                month.plusMonths(1).minusDays(1));
        return new Views.Spend(Format.date(month.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()), t.requests(),
                t.promptTokens() + t.completionTokens(), t.costMicros(), plan.name(), plan.monthlyPriceCents());
    }

    /** The credits when the account is prepaid or was ever funded, and how many budgets it has. */
    private Views.Credits credits(Sessions.Current c) {
        CustomerBudgets.Credits credits = budgets.credits(c.account());
        Balance b = credits.balance();
        boolean low = credits.shown() && b.lowBalanceMicros() != null && b.availableMicros() < b.lowBalanceMicros();
        return new Views.Credits(credits.shown(), credits.prepaid(), Money.usd(b.availableMicros()),
                Money.usd(b.reservedMicros()), low,
                b.lowBalanceMicros() == null ? null : Money.usd(b.lowBalanceMicros()), budgets.list(c.account()).size());
    }

    private void keysPage(ServerRequest req, ServerResponse res, Sessions.Current c, String revealed, String revealedName,
                          String error, int status) {
        Page page = gate.page(req, res, c, "API keys", "keys");
        if (req.query().contains("revoked")) {
            page = page.withNotice("The key is revoked.", "info");
        }
        html.render(res, status, "keys.jte", AuthPages.params("page", page, "view",
                new Views.Keys(keys.list(c.account()), revealed, revealedName, error, publicUrl.get() + "/v1",
                        keyBudgets(c))));
    }

    /** Each key's budgets as the keys table shows them: "$5.00 / day · $100.00 / month". */
    private Map<Long, String> keyBudgets(Sessions.Current c) {
        Map<Long, String> out = new java.util.HashMap<>();
        for (CustomerBudgets.Row r : budgets.list(c.account())) {
            if (r.key() != null) {
                out.merge(r.key().id(), Money.usd(r.state().budget().capMicros()) + " / "
                        + r.state().budget().period().name().toLowerCase(), (a, b) -> a + " · " + b);
            }
        }
        return out;
    }

    private void createKey(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        try {
            String days = form.getOrDefault("expires", "");
            var created = keys.create(c, form.get("name"), days.isBlank() ? null : Integer.parseInt(days), Web.clientAddr(req));
            // post/redirect/get: a reload must not create a second key, and the secret must not sit in a URL
            String revealId = tokens.next();
            reveals.put(revealId, new Reveal(c.sessionId(), created.token(), created.key().name()));
            Web.setCookie(res, REVEAL_COOKIE, revealId, Duration.ofMinutes(2), true, Web.secure(req));
            Web.redirect(res, "/portal/keys");
        } catch (FormError e) {
            keysPage(req, res, c, null, null, e.getMessage(), 400);
        } catch (NumberFormatException e) {
            keysPage(req, res, c, null, null, "Choose an expiry from the list.", 400);
        }
    }

    /** Shows a just-created key once (then forgets it), else the plain list. */
    private void keysAfterRedirect(ServerRequest req, ServerResponse res, Sessions.Current c) {
        String revealId = Web.cookie(req, REVEAL_COOKIE);
        Reveal reveal = revealId == null ? null : reveals.asMap().remove(revealId);
        if (revealId != null) {
            Web.clearCookie(res, REVEAL_COOKIE);
        }
        if (reveal != null && reveal.sessionId() == c.sessionId()) {
            keysPage(req, res, c, reveal.token(), reveal.name(), null, 200);
        } else {
            keysPage(req, res, c, null, null, null, 200);
        }
    }

    private void revokePage(ServerRequest req, ServerResponse res, Sessions.Current c) {
        var key = keys.find(c.account(), req.path().pathParameters().get("id"));
        if (key.isEmpty()) {
            notFound(req, res, c);
            return;
        }
        html.render(res, 200, "revoke.jte", AuthPages.params("page", gate.page(req, res, c, "Revoke key", "keys"),
                "key", key.get()));
    }

    private void revoke(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        if (!keys.revoke(c, req.path().pathParameters().get("id"), Web.clientAddr(req))) {
            notFound(req, res, c);
            return;
        }
        Web.redirect(res, "/portal/keys?revoked=1");
    }

    private void switchAccount(ServerRequest req, ServerResponse res, Sessions.Current c) {
        Map<String, String> form = Forms.read(req, res, gate, html);
        if (form == null) {
            return;
        }
        String value = form.getOrDefault("account", "personal");
        Long org = null;
        if (!"personal".equals(value)) {
            try {
                org = Long.parseLong(value);
            } catch (NumberFormatException e) {
                org = -1L;
            }
        }
        if (!gate.sessions().switchAccount(c, org)) {
            notFound(req, res, c);
            return;
        }
        Web.redirect(res, "/portal");
    }

    void notFound(ServerRequest req, ServerResponse res, Sessions.Current c) {
        html.render(res, 404, "message.jte", AuthPages.params("page", gate.page(req, res, c, "Not found", ""),
                "text", "There is nothing here, or it belongs to another account.", "linkHref", "/portal",
                "linkText", "Go to the overview"));
    }

    /**
     * Every catalog model with what a request for it from this account would meet now, by the gateway's rules:
     * available, temporarily unavailable (paused, or no capacity), not in the plan, or disabled.
     */
    private List<Views.ModelRow> modelRows(Sessions.Current c) {
        var ref = new AdmissionControl.AccountRef(c.user().id(), c.account().organizationId());
        return catalog.all().stream().map(m -> {
            var reason = whyBlocked.forModel(ref, m.alias());
            String state = reason.map(r -> switch (r.code()) {
                case "model_disabled" -> "disabled";
                case "model_not_entitled" -> "not_in_plan";
                default -> "unavailable";
            }).orElse("available");
            return new Views.ModelRow(m.alias(), m.displayName(), m.description(), m.contextLength(),
                    m.maxOutputTokens(), state, reason.map(WhyBlocked.Reason::code).orElse(null),
                    reason.map(WhyBlocked.Reason::message).orElse(null), m.prices());
        }).toList();
    }

    private String defaultModel() {
        return catalog.models().stream().map(Model::alias).filter("qwen"::equals).findFirst()
                .orElse(catalog.models().isEmpty() ? "qwen" : catalog.models().get(0).alias());
    }
}
