package ai.cortensor.portal.plans;

import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.Pool;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * "Why is this blocked?": for an account or a key (and optionally a model), every reason the next request would be
 * refused, with the numbers. It reads the same state and applies the same rules as the gateway's admission (same
 * limits from {@link AdmissionControl}, same counters), so the two cannot disagree. Empty means nothing blocks.
 */
public final class WhyBlocked {
    private final AdmissionControl admission;
    private final Catalog catalog;
    private final InstantSource clock;

    public WhyBlocked(AdmissionControl admission, Catalog catalog, InstantSource clock) {
        this.admission = admission;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** One reason, with the error code the gateway answers for it. {@code resetsIn} is null when waiting won't help. */
    public record Reason(String code, String message, Duration resetsIn) {}

    public List<Reason> forKey(ApiKey key, String model) {
        List<Reason> out = new ArrayList<>();
        if (key.revoked()) {
            out.add(new Reason("revoked_api_key", "The key " + key.prefix() + " is revoked.", null));
        }
        if (key.expiredAt(clock.instant())) {
            out.add(new Reason("expired_api_key", "The key " + key.prefix() + " expired at " + key.expiresAt() + ".", null));
        }
        if (key.accountPaused()) {
            out.add(new Reason("account_paused", "The account that owns the key is paused.", null));
        }
        limits(admission.limitsFor(key), out);
        if (model != null) {
            model(model, AdmissionControl.AccountRef.of(key), out);
        }
        return out;
    }

    public List<Reason> forAccount(AdmissionControl.AccountRef account, boolean paused, String model) {
        List<Reason> out = new ArrayList<>();
        if (paused) {
            out.add(new Reason("account_paused", "The account is paused.", null));
        }
        limits(admission.accountLimits(account), out);
        if (model != null) {
            model(model, account, out);
        }
        return out;
    }

    /** A limit blocks when one more request would not fit (one request; any tokens once the token limit is full). */
    private void limits(List<Limit> limits, List<Reason> out) {
        for (Limiter.State s : admission.peek(limits)) {
            Limit l = s.limit();
            if (s.used() + 1 > l.max()) {
                String code = l.kind().allowance() ? "insufficient_quota" : "rate_limit_exceeded";
                out.add(new Reason(code, (l.kind().allowance() ? "Allowance used up: " : "Rate limit reached: ")
                        + l.describe() + " (" + s.used() + " used); frees up in " + Windows.readable(s.resetIn()) + ".",
                        s.resetIn()));
            }
        }
    }

    private void model(String alias, AdmissionControl.AccountRef account, List<Reason> out) {
        var model = catalog.model(alias);
        if (model.isEmpty()) {
            out.add(new Reason("model_not_found", "The model '" + alias + "' does not exist or is disabled.", null));
            return;
        }
        if (!admission.plan(account).entitled(alias)) {
            out.add(new Reason("model_not_entitled", "The plan " + admission.plan(account).plan().name()
                    + " does not include the model '" + alias + "'.", null));
        }
        if (!catalog.serviceable(model.get())) {
            out.add(new Reason("model_unavailable", "The model '" + alias + "' has no routable pool right now.", null));
        }
    }
}
