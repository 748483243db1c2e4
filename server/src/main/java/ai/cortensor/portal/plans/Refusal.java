package ai.cortensor.portal.plans;

import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.billing.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Why a request is refused, as {@link AdmissionRules} decides it: one value per rule, each with the stable error
 * code clients get, the scope it concerns and a message fit to show the customer. The gateway turns the first
 * refusal of a request into its dialect's error (one exhaustive {@code switch}); the portal and the operators'
 * "why is this blocked?" list every refusal that applies. {@link #retryAfter()} is null when waiting will not help.
 */
public sealed interface Refusal {

    /** What a refusal is about. */
    enum Scope { USER, ORGANIZATION, KEY, PLAN, MODEL, POOL, LIMITS, BILLING }

    String code();

    Scope scope();

    String message();

    default Duration retryAfter() {
        return null;
    }

    /** How long a refusal caused by capacity (a paused model or pool, no healthy router) asks clients to wait. */
    Duration CAPACITY_RETRY = Duration.ofSeconds(5);

    record KeyRevoked(String prefix) implements Refusal {
        public String code() { return "revoked_api_key"; }
        public Scope scope() { return Scope.KEY; }
        public String message() { return "This API key (" + prefix + ") has been revoked."; }
    }

    record KeyExpired(String prefix, Instant expiredAt) implements Refusal {
        public String code() { return "expired_api_key"; }
        public Scope scope() { return Scope.KEY; }
        public String message() { return "This API key (" + prefix + ") expired at " + expiredAt + "."; }
    }

    /**
     * The account is paused by an operator: a user's personal account or an organization. {@code since} and
     * {@code reason} are known when the answer is for a person (the portal, operators); the gateway's hot path
     * leaves them null.
     */
    record AccountPaused(boolean organization, Instant since, String reason) implements Refusal {
        public String code() { return "account_paused"; }
        public Scope scope() { return organization ? Scope.ORGANIZATION : Scope.USER; }
        public String message() {
            String what = organization ? "This organization's account" : "This account";
            return what + " is paused" + (since == null ? "" : " (since " + WHEN.format(since) + ")")
                    + (reason == null || reason.isBlank() ? "" : ": " + reason.strip())
                    + ", so its keys are not accepted. Contact support to resolve it.";
        }
    }

    record ModelNotFound(String alias) implements Refusal {
        public String code() { return "model_not_found"; }
        public Scope scope() { return Scope.MODEL; }
        public String message() {
            return "The model '" + alias + "' does not exist or you do not have access to it.";
        }
    }

    /** An operator withdrew the model from the catalog: asking again will not help. */
    record ModelDisabled(String alias) implements Refusal {
        public String code() { return "model_disabled"; }
        public Scope scope() { return Scope.MODEL; }
        public String message() {
            return "The model '" + alias + "' has been disabled by the operator and is not served. "
                    + "Choose another model (GET /v1/models lists them).";
        }
    }

    /** An operator paused the model for now: it stays in the catalog and comes back. */
    record ModelPaused(String alias) implements Refusal {
        public String code() { return "model_unavailable"; }
        public Scope scope() { return Scope.MODEL; }
        public String message() {
            return "The model '" + alias + "' is paused by the operator and temporarily unavailable. "
                    + "Please retry later.";
        }
        public Duration retryAfter() { return CAPACITY_RETRY; }
    }

    record ModelNotEntitled(String alias, String planName) implements Refusal {
        public String code() { return "model_not_entitled"; }
        public Scope scope() { return Scope.PLAN; }
        public String message() {
            return "Your plan (" + planName + ") does not include the model '" + alias + "'. See your plan in the "
                    + "portal for the models it includes.";
        }
    }

    /**
     * None of the model's pools can take a request now; {@code pools} is each one's state as requests see it
     * ({@code paused}, {@code draining}, {@code degraded} with no healthy router, or {@code missing}).
     */
    record ModelUnavailable(String alias, Map<String, String> pools) implements Refusal {
        public ModelUnavailable {
            pools = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pools));
        }
        public String code() { return "model_unavailable"; }
        public Scope scope() { return Scope.POOL; }
        public String message() {
            String why = pools.isEmpty() ? "no pool serves it"
                    : pools.entrySet().stream().map(e -> "pool " + e.getKey() + " is " + describe(e.getValue()))
                    .collect(Collectors.joining(", "));
            return "The model '" + alias + "' has no available capacity right now (" + why + "). Please retry shortly.";
        }
        public Duration retryAfter() { return CAPACITY_RETRY; }

        private static String describe(String state) {
            return switch (state) {
                case "degraded", "live" -> "without a healthy router";
                default -> state;
            };
        }
    }

    /**
     * A limit of the plan ({@link Limit.Scope#ACCOUNT}) or of the key itself has no room: {@code used} of its
     * maximum, room again after {@code resetIn}.
     */
    record LimitReached(Limit limit, long used, Duration resetIn) implements Refusal {
        public String code() { return limit.kind().allowance() ? "insufficient_quota" : "rate_limit_exceeded"; }
        public Scope scope() { return limit.scope() == Limit.Scope.KEY ? Scope.KEY : Scope.PLAN; }
        public String message() {
            String when = "in " + Windows.readable(resetIn);
            if (limit.kind().allowance()) {
                return "You have used your allowance of " + limit.describe() + " (" + used
                        + " used in the last 7 days). Usage frees up " + when + "; a larger plan raises the allowance.";
            }
            return "Rate limit reached: " + limit.describe() + " (" + used + " in use). Try again " + when + ".";
        }
        public Duration retryAfter() { return resetIn; }
    }

    /** The shared limit counters cannot be read and the policy is to refuse ({@code limits.redis-failure=closed}). */
    record LimitsUnavailable() implements Refusal {
        public String code() { return "limits_unavailable"; }
        public Scope scope() { return Scope.LIMITS; }
        public String message() { return "Usage limits cannot be checked right now. Please retry shortly."; }
        public Duration retryAfter() { return Duration.ofSeconds(2); }
    }

    /**
     * A prepaid account's credits cannot cover a request: for one request, its worst-case cost
     * ({@code neededMicros}) is more than what is available; for "why blocked" (needed null), nothing is left.
     */
    record InsufficientCredits(long availableMicros, Long neededMicros) implements Refusal {
        public String code() { return "insufficient_credits"; }
        public Scope scope() { return Scope.BILLING; }
        public String message() {
            return "This account's prepaid credits are used up: " + Money.usd(availableMicros) + " is available"
                    + (neededMicros == null ? "" : " and this request may cost up to " + Money.usd(neededMicros))
                    + ". Add credits (ask support, or your operator)"
                    + (neededMicros == null ? "" : " or lower max_tokens") + ", then retry.";
        }
    }

    /**
     * A spend budget of the account or of the key is reached for its day or month: for one request, its worst-case
     * cost is more than what is left; for "why blocked" (needed null), nothing is left. Whole again at
     * {@code resetsAt}.
     */
    record BudgetExceeded(Budget budget, long availableMicros, Long neededMicros, Instant resetsAt, Instant now)
            implements Refusal {
        public String code() { return "budget_exceeded"; }
        public Scope scope() { return budget.scope() == Budget.Scope.KEY ? Scope.KEY : Scope.BILLING; }
        public String message() {
            return "The spend budget of " + budget.describe() + " is reached: " + Money.usd(availableMicros)
                    + " is left" + (neededMicros == null ? "" : " and this request may cost up to "
                    + Money.usd(neededMicros)) + ". It resets at " + resetsAt
                    + "; raise the budget in the portal to continue sooner.";
        }
        public Duration retryAfter() { return Duration.between(now, resetsAt); }
    }

    /** Credits and budgets cannot be read (the database does not answer) for an account that has either. */
    record BillingUnavailable() implements Refusal {
        public String code() { return "billing_unavailable"; }
        public Scope scope() { return Scope.BILLING; }
        public String message() { return "Spend limits and credits cannot be checked right now. Please retry shortly."; }
        public Duration retryAfter() { return Duration.ofSeconds(2); }
    }

    DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
}
