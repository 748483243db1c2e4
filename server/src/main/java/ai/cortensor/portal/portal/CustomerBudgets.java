package ai.cortensor.portal.portal;

import ai.cortensor.portal.accounts.Account;
import ai.cortensor.portal.accounts.FormError;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Balance;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.billing.Money;
import ai.cortensor.portal.keys.KeyStore;
import ai.cortensor.portal.plans.AdmissionControl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Spend caps as a customer manages them, and the account's credits as it sees them, always within the account they act for: the pages
 * and {@code /portal/api} both use this. Only owners change them for an organization ({@link NotOwner}); a key of
 * another account is not found; every change is audited by billing with the customer as the actor.
 */
final class CustomerBudgets {
    private final Billing billing;
    private final CustomerKeys keys;
    private final AdmissionControl admission;

    CustomerBudgets(Billing billing, CustomerKeys keys, AdmissionControl admission) {
        this.billing = billing;
        this.keys = keys;
        this.admission = admission;
    }

    /** A member (not an owner) of an organization tried to change its money settings. */
    static final class NotOwner extends RuntimeException {
        NotOwner(Account a) {
            super("Only owners of " + a.name() + " can change its budgets. Ask an owner.", null, false, false);
        }
    }

    /** A key id that is not a key of this account. */
    static final class NoSuchKey extends RuntimeException {
        NoSuchKey() {
            super("No such key in this account.", null, false, false);
        }
    }

    /** One budget with its spend this period; {@code key} is null for the account's own. */
    record Row(Billing.BudgetState state, KeyStore.Listing key) {
        String id() {
            Budget b = state.budget();
            return b.scope().name().toLowerCase() + "-" + (key == null ? "" : key.id() + "-")
                    + b.period().name().toLowerCase();
        }
    }

    /** The account's money: balance (with its low-credit threshold), whether it is prepaid or was ever funded. */
    record Credits(Balance balance, boolean prepaid, boolean funded) {
        /** The overview and the budgets page show credits to prepaid accounts and to accounts ever funded. */
        boolean shown() {
            return prepaid || funded;
        }
    }

    static String accountId(Account a) {
        return a.personal() ? "u" + a.userId() : "o" + a.organizationId();
    }

    /** Every budget of the account and of its keys, account first. */
    List<Row> list(Account a) {
        Map<Long, KeyStore.Listing> byId = new LinkedHashMap<>();
        for (KeyStore.Listing k : keys.list(a)) {
            byId.put(k.id(), k);
        }
        List<Row> out = new ArrayList<>();
        for (Billing.BudgetState s : billing.budgetsOf(accountId(a), List.copyOf(byId.keySet()))) {
            KeyStore.Listing key = s.budget().scope() == Budget.Scope.KEY
                    ? byId.get(Long.parseLong(s.budget().scopeId())) : null;
            if (s.budget().scope() == Budget.Scope.ACCOUNT || key != null) {
                out.add(new Row(s, key));
            }
        }
        return out;
    }

    Credits credits(Account a) {
        String account = accountId(a);
        boolean prepaid = admission.plan(new AdmissionControl.AccountRef(a.userId(), a.organizationId())).plan()
                .prepaid();
        return new Credits(billing.balance(account), prepaid, billing.funded(account));
    }

    /**
     * Sets the account's budget ({@code keyId} null) or a key's, for a day or a month, to {@code usd}: a positive
     * amount with at most 6 decimals. A refused amount is a {@link FormError} on {@code field}.
     */
    Budget set(Sessions.Current c, Long keyId, Budget.Period period, String usd, String field, Actor actor) {
        requireOwner(c.account());
        Long cap = Money.parseUsd(usd);
        if (cap == null || cap <= 0) {
            throw new FormError(field, "Enter the budget in US dollars, a positive amount such as 5 or 12.50 "
                    + "(at most 6 decimals).");
        }
        String scopeId = scopeId(c.account(), keyId, true);
        Budget.Scope scope = keyId == null ? Budget.Scope.ACCOUNT : Budget.Scope.KEY;
        billing.setBudget(scope, scopeId, period, cap, actor);
        return new Budget(scope, scopeId, period, cap);
    }

    /** Removes a budget; false when there was none. */
    boolean remove(Sessions.Current c, Long keyId, Budget.Period period, Actor actor) {
        requireOwner(c.account());
        String scopeId = scopeId(c.account(), keyId, false);
        Budget.Scope scope = keyId == null ? Budget.Scope.ACCOUNT : Budget.Scope.KEY;
        boolean exists = billing.budgetsOf(accountId(c.account()), keyId == null ? List.of() : List.of(keyId)).stream()
                .anyMatch(s -> s.budget().scope() == scope && s.budget().scopeId().equals(scopeId)
                        && s.budget().period() == period);
        if (exists) {
            billing.setBudget(scope, scopeId, period, null, actor);
        }
        return exists;
    }

    /** The key (of this account) as a budget's scope id, or the account's id. */
    private String scopeId(Account a, Long keyId, boolean mustBeActive) {
        if (keyId == null) {
            return accountId(a);
        }
        Optional<KeyStore.Listing> key = keys.find(a, keyId.toString());
        if (key.isEmpty()) {
            throw new NoSuchKey();
        }
        if (mustBeActive && !"active".equals(key.get().state())) {
            throw new FormError("key", "The key " + key.get().name() + " is revoked: it cannot spend, so it needs "
                    + "no budget.");
        }
        return keyId.toString();
    }

    static void requireOwner(Account a) {
        if (!a.owner()) {
            throw new NotOwner(a);
        }
    }
}
