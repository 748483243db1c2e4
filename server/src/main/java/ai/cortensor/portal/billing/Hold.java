package ai.cortensor.portal.billing;

import java.time.Instant;

/** The money side of admitting one request: a value the gateway, the request log and "why blocked" read. */
public sealed interface Hold {
    /** Nothing to hold: the account is not prepaid and no budget applies. */
    record None() implements Hold {}

    /**
     * {@code amountMicros} held against the credits and budgets until the request's usage is written. When budgets
     * apply, {@code tightest} is the one with the least left after this hold: {@code remainingMicros} (cap − spent −
     * held, this request included) until {@code resetsAt}; all three are null (0) when no budget applies.
     */
    record Held(long amountMicros, Budget tightest, long remainingMicros, Instant resetsAt) implements Hold {
        public Held(long amountMicros) {
            this(amountMicros, null, 0, null);
        }
    }

    /**
     * Refused: {@code insufficient_credits} (budget null) or {@code budget_exceeded}; {@code availableMicros} is what
     * was left, {@code neededMicros} the request's worst-case cost, {@code resetsAt} when a budget is whole again
     * (null for credits).
     */
    record Refused(String code, Budget budget, long availableMicros, long neededMicros, Instant resetsAt)
            implements Hold {
        public String message() {
            if (budget == null) {
                return "This account's prepaid credits are used up: " + Money.usd(availableMicros)
                        + " is available and this request may cost up to " + Money.usd(neededMicros)
                        + ". Add credits (ask support, or your operator) or lower max_tokens, then retry.";
            }
            return "The spend budget of " + budget.describe() + " is reached: " + Money.usd(availableMicros)
                    + " is left and this request may cost up to " + Money.usd(neededMicros)
                    + ". It resets at " + resetsAt + "; raise the budget in the portal to continue sooner.";
        }
    }
}
