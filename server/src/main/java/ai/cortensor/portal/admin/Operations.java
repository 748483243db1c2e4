package ai.cortensor.portal.admin;

import ai.cortensor.portal.accounts.AccountDirectory;
import ai.cortensor.portal.accounts.Accounts;
import ai.cortensor.portal.admin.DirectoryStore.KeyRecord;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Billing;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.KeyFormat;
import ai.cortensor.portal.plans.AccountPlans;
import ai.cortensor.portal.pools.Catalog;
import ai.cortensor.portal.pools.PoolControl;
import ai.cortensor.portal.pools.PoolLoad;
import ai.cortensor.portal.pools.PoolStatus;
import ai.cortensor.portal.pools.Prices;
import ai.cortensor.portal.usage.TrafficReport;
import ai.cortensor.portal.usage.UsageReports;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * Everything an operator can see and do, as one plain Java service under the admin API, the CLI (through the API)
 * and the console. Reads are open to every operator; each mutation checks the actor's {@link Role}, requires a
 * reason, and writes its audit event and its {@link ChangeFeed} notice in the same transaction as the change, so
 * every replica follows once it commits. Failures are {@link ActionRefused} with a message fit to show.
 */
public final class Operations {
    static final int MAX_REASON = 500;

    private final DirectoryStore directory;
    private final Accounts accounts;
    private final InspectionStore inspectionStore;
    private final Inspection inspection;
    private final OperatorStore operators;
    private final AccountInsight insight;
    private final ApiKeys keys;
    private final PoolControl pools;
    private final Catalog catalog;
    private final PoolLoad load;
    private final Find find;
    private final PlanChanges planChanges;
    private final TrafficReport traffic;
    private final Accounting accounting;

    public Operations(DirectoryStore directory, Accounts accounts, InspectionStore inspection, OperatorStore operators,
                      AccountInsight insight, ApiKeys keys, PoolControl pools, Catalog catalog,
                      PoolLoad load, AccountDirectory customers, UsageReports usage, AccountPlans plans,
                      TrafficReport traffic, Billing billing, InstantSource clock) {
        this.load = load;
        this.find = new Find(customers, directory, usage, clock);
        this.planChanges = new PlanChanges(plans, this);
        this.traffic = traffic;
        this.accounting = new Accounting(this, directory, billing, usage, clock);
        this.directory = directory;
        this.accounts = accounts;
        this.inspectionStore = inspection;
        this.inspection = new Inspection(inspection, billing);
        this.operators = operators;
        this.insight = insight;
        this.keys = keys;
        this.pools = pools;
        this.catalog = catalog;
    }

    /** The result of a mutation: whether anything changed (false when it already was in that state) and the subject now. */
    public record Done<T>(boolean changed, T result) {}

    // ---- lookups ----

    /** A user by id, email, or the prefix of one of their keys. */
    public DirectoryStore.UserRecord user(String ref) {
        String r = required(ref, "user");
        if (r.chars().allMatch(Character::isDigit)) {
            return directory.user(Long.parseLong(r)).orElseThrow(() -> ActionRefused.notFound("No user with id " + r + "."));
        }
        if (r.contains("@")) {
            return directory.userByEmail(r).orElseThrow(() -> ActionRefused.notFound("No user with email " + r + "."));
        }
        KeyRecord k = key(r);
        return directory.user(k.userId()).orElseThrow(() -> ActionRefused.notFound("No user for key " + k.prefix() + "."));
    }

    public DirectoryStore.OrganizationRecord organization(String ref) {
        String r = required(ref, "organization");
        String digits = r.startsWith("o") ? r.substring(1) : r;
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            throw ActionRefused.invalid("invalid_organization", "Name an organization by its id, e.g. 3 or o3.");
        }
        return directory.organization(Long.parseLong(digits))
                .orElseThrow(() -> ActionRefused.notFound("No organization with id " + digits + "."));
    }

    /** A key by numeric id or by (the start of) its prefix {@code ctsr_…}; a pasted full key is cut to its prefix. */
    public KeyRecord key(String ref) {
        String r = required(ref, "key");
        if (r.chars().allMatch(Character::isDigit)) {
            return directory.key(Long.parseLong(r)).orElseThrow(() -> ActionRefused.notFound("No key with id " + r + "."));
        }
        String publicId = r.startsWith(KeyFormat.PREFIX) ? r.substring(KeyFormat.PREFIX.length()) : r;
        int secret = publicId.indexOf('_');
        if (secret >= 0) {
            publicId = publicId.substring(0, secret); // never echo or look up by a secret
        }
        if (publicId.length() < 4 || !publicId.chars().allMatch(Character::isLetterOrDigit)) {
            throw ActionRefused.invalid("invalid_key_reference",
                    "Name a key by its id or by at least the first 4 characters after ctsr_.");
        }
        List<KeyRecord> found = directory.keysByPrefix(publicId, 2);
        if (found.isEmpty()) {
            throw ActionRefused.notFound("No key with prefix " + KeyFormat.PREFIX + publicId + ".");
        }
        if (found.size() > 1 && !found.get(0).publicId().equals(publicId)) {
            throw new ActionRefused(ActionRefused.Kind.CONFLICT, "ambiguous_key_reference",
                    "More than one key starts with " + KeyFormat.PREFIX + publicId + "; give more characters.");
        }
        return found.get(0);
    }

    public Page<KeyRecord> keys(String account, String state, String cursor, Integer limit) {
        AccountId a = account == null ? null : account(account);
        if (state != null && !state.equals("active") && !state.equals("revoked")) {
            throw ActionRefused.invalid("invalid_state", "state must be active or revoked.");
        }
        int n = Page.limit(limit);
        Long before = cursor == null ? null : Page.decodeId(cursor);
        List<KeyRecord> rows = directory.keys(a, state, before, n + 1);
        return Page.of(rows, n, k -> Long.toString(k.id()));
    }

    /** Plan, limits with their counters, why requests are refused right now, and recent usage of an account. */
    public AccountInsight.AccountStatus accountStatus(String account, String model) {
        AccountId a = account(account);
        return insight.account(a, paused(a), model);
    }

    public AccountInsight.KeyStatus keyStatus(String ref, String model) {
        KeyRecord k = key(ref);
        return insight.key(k, keys.find(k.publicId()).orElseThrow(() -> ActionRefused.notFound("No key " + ref + ".")),
                model);
    }

    public List<InspectionStore.ModelState> models() {
        return inspectionStore.models();
    }

    /** Every pool with its state, targets, health, in-flight requests and error rates as this replica sees them. */
    public List<PoolStatus> pools() {
        java.util.Map<String, Integer> others = load.others();
        return catalog.status().stream().map(p -> p.plusOtherReplicas(others.getOrDefault(p.name(), 0))).toList();
    }

    public List<Operator> operators() {
        return operators.list();
    }

    // ---- mutations ----

    public Done<KeyRecord> revokeKey(String ref, String reason, Actor actor) {
        allow(actor, "api_key.revoke");
        String why = reason(reason);
        KeyRecord k = key(ref);
        ApiKey key = keys.find(k.publicId()).orElseThrow(() -> ActionRefused.notFound("No key " + ref + "."));
        boolean changed = keys.revoke(key, actor, why); // audited and announced in its transaction
        return new Done<>(changed, directory.key(k.id()).orElseThrow());
    }

    public Done<Object> pauseAccount(String account, String reason, Actor actor) {
        return setPaused(account, true, reason, actor);
    }

    public Done<Object> unpauseAccount(String account, String reason, Actor actor) {
        return setPaused(account, false, reason, actor);
    }

    private Done<Object> setPaused(String account, boolean paused, String reason, Actor actor) {
        allow(actor, paused ? "account.pause" : "account.unpause");
        String why = reason(reason);
        AccountId a = account(account);
        boolean changed = accounts.setState(a.organization(), a.id(), a.toString(), paused, actor, why)
                .orElseThrow(() -> ActionRefused.notFound("No account " + a + "."));
        keys.forgetAccount(a.toString()); // this replica at once; the others when the change feed tells them
        return new Done<>(changed, a.organization() ? directory.organization(a.id()).orElseThrow()
                : directory.user(a.id()).orElseThrow());
    }

    public Done<PoolControl.Transition> setModelEnabled(String alias, boolean enabled, String reason, Actor actor) {
        return setModelState(alias, enabled ? "enabled" : "disabled", reason, actor);
    }

    /**
     * {@code state}: enabled (served; also resumes a paused model), paused (refused for now with 503
     * {@code model_unavailable}, kept in the catalog) or disabled (withdrawn: 404 {@code model_disabled}).
     */
    public Done<PoolControl.Transition> setModelState(String alias, String state, String reason, Actor actor) {
        if (!ai.cortensor.portal.pools.Model.STATES.contains(state)) {
            throw ActionRefused.invalid("invalid_state", "A model can be enabled, paused or disabled.");
        }
        allow(actor, switch (state) {
            case "paused" -> "model.pause";
            case "disabled" -> "model.disable";
            default -> "model.enable";
        });
        String why = reason(reason);
        return transition(() -> pools.setModelState(required(alias, "model"), state, actor, why));
    }

    /** The family (chat template and output parser) a model is served with. */
    public Done<PoolControl.Transition> setModelFamily(String alias, String family, String reason, Actor actor) {
        allow(actor, "model.family");
        String why = reason(reason);
        if (family == null || family.isBlank()) {
            throw ActionRefused.invalid("missing_family", "Give the family: qwen, gpt-oss, gemma-4 or generic.");
        }
        return transition(() -> pools.setModelFamily(required(alias, "model"), family, actor, why));
    }

    /** {@code state}: live (resume), paused or draining. */
    public Done<PoolControl.Transition> setPoolState(String pool, String state, String reason, Actor actor) {
        if (!PoolControl.OPERATOR_POOL_STATES.contains(state)) {
            throw ActionRefused.invalid("invalid_state", "A pool can be set live, paused or draining.");
        }
        allow(actor, switch (state) {
            case "paused" -> "pool.pause";
            case "draining" -> "pool.drain";
            default -> "pool.resume";
        });
        String why = reason(reason);
        return transition(() -> pools.setPoolState(required(pool, "pool"), state, actor, why));
    }

    public Done<PoolControl.Transition> setTargetEnabled(String pool, String target, boolean enabled, String reason,
                                                         Actor actor) {
        allow(actor, enabled ? "target.enable" : "target.disable");
        String why = reason(reason);
        return transition(() -> pools.setTargetEnabled(required(pool, "pool"), required(target, "target"), enabled,
                actor, why));
    }

    /** A target's weight and concurrency cap, as the next selection uses them. */
    public Done<PoolControl.Transition> setTargetCapacity(String pool, String target, Integer weight,
                                                          Integer maxConcurrency, String reason, Actor actor) {
        allow(actor, "target.capacity");
        String why = reason(reason);
        if (weight == null || maxConcurrency == null) {
            throw ActionRefused.invalid("missing_capacity", "Give both weight (1..10000) and max_concurrency.");
        }
        return transition(() -> pools.setTargetCapacity(required(pool, "pool"), required(target, "target"), weight,
                maxConcurrency, actor, why));
    }

    /** A model's prices as operators set them: micro-USD per million tokens; {@code reasoningPrice} null: none. */
    public record ModelPrices(long inputPrice, long outputPrice, Long reasoningPrice) {
        static ModelPrices of(Prices p) {
            return new ModelPrices(p.input(), p.output(), p.reasoning());
        }
    }

    /** A price change: the model and its prices before and after. */
    public record PriceChange(String model, ModelPrices before, ModelPrices after) {}

    /**
     * Changes a model's input, output and reasoning prices, in micro-USD per million tokens, each 0 to
     * {@link Prices#MAX}: a null {@code input} or {@code output} keeps it; {@code reasoning} is changed only when
     * {@code setReasoning} (to null: reasoning tokens at the output price). Audited {@code model.prices} with the
     * prices before and after; every replica's catalog follows at commit, and requests admitted from then on are
     * charged at the new prices (those already admitted keep theirs).
     */
    public Done<PriceChange> setModelPrices(String alias, Long input, Long output, boolean setReasoning,
                                            Long reasoning, String reason, Actor actor) {
        allow(actor, "model.prices");
        String why = reason(reason);
        String model = required(alias, "model");
        price("input_price", input);
        price("output_price", output);
        price("reasoning_price", reasoning);
        Prices.Edit edit = new Prices.Edit(input, output, setReasoning, reasoning);
        if (edit.empty()) {
            throw ActionRefused.invalid("missing_price", "Give input_price, output_price or reasoning_price (null: "
                    + "reasoning at the output price), in micro-USD per million tokens.");
        }
        try {
            PoolControl.PriceChange c = pools.setModelPrices(model, edit, actor, why);
            return new Done<>(c.changed(), new PriceChange(c.alias(), ModelPrices.of(c.before()),
                    ModelPrices.of(c.after())));
        } catch (PoolControl.NotFound e) {
            throw ActionRefused.notFound(capitalized(e.getMessage()) + ".");
        }
    }

    private static void price(String field, Long value) {
        if (value != null && (value < 0 || value > Prices.MAX)) {
            throw ActionRefused.invalid("invalid_" + field, field + " must be a whole number of micro-USD per "
                    + "million tokens from 0 to " + Prices.MAX + " ($" + Prices.MAX / 1_000_000
                    + " per million tokens); got " + value + ".");
        }
    }

    /** Which pools serve a model: the first serves it, the rest are ordered fallbacks. */
    public Done<PoolControl.Transition> mapModel(String alias, List<String> poolNames, String reason, Actor actor) {
        allow(actor, "model.map");
        String why = reason(reason);
        return transition(() -> pools.mapModel(required(alias, "model"), poolNames == null ? List.of() : poolNames,
                actor, why));
    }

    /** Creates an operator (or issues a new token to one) and returns the token, shown this once. */
    public OperatorStore.Issued createOperator(String email, String role, String reason, Actor actor) {
        allow(actor, "operator.create");
        String why = reason(reason);
        Role r = Role.of(role);
        if (r == null) {
            throw ActionRefused.invalid("invalid_role", "role must be admin or support.");
        }
        return operators.issue(email, r, actor, why);
    }

    /** Disables an operator: all their tokens are revoked and their console sessions end. Not oneself (ask another admin). */
    public Done<String> disableOperator(String email, String reason, Actor actor) {
        allow(actor, "operator.disable");
        String why = reason(reason);
        String e = required(email, "operator email");
        if (e.equalsIgnoreCase(actor.name())) {
            throw new ActionRefused(ActionRefused.Kind.CONFLICT, "cannot_disable_self",
                    "You cannot disable yourself; ask another admin.");
        }
        boolean changed = operators.disable(e, actor, why)
                .orElseThrow(() -> ActionRefused.notFound("No operator with email " + e + "."));
        return new Done<>(changed, e);
    }

    private static Done<PoolControl.Transition> transition(Supplier<PoolControl.Transition> change) {
        try {
            PoolControl.Transition t = change.get();
            return new Done<>(t.changed(), t);
        } catch (PoolControl.NotFound e) {
            throw ActionRefused.notFound(capitalized(e.getMessage()) + ".");
        } catch (IllegalArgumentException e) {
            throw ActionRefused.invalid("invalid_value", capitalized(e.getMessage()) + ".");
        }
    }

    /** Balances, ledgers, grants and adjustments of credits, spend and reconciliation. */
    public Accounting accounting() {
        return accounting;
    }

    /** The request log, request lifecycles and the audit log (read only). */
    public Inspection inspection() {
        return inspection;
    }

    /** Search for customers, the newest sign-ups, accounts by usage (read only). */
    public Find find() {
        return find;
    }

    /** An account's plan and limit overrides (admin). */
    public PlanChanges plans() {
        return planChanges;
    }

    /**
     * The dashboard's traffic over the last hour (1-minute buckets) or day (15-minute buckets): requests, outcomes,
     * latency p50/p99 and tokens, overall, per model and per pool.
     */
    public TrafficView traffic(String window) {
        String w = window == null ? "1h" : window;
        return TrafficView.of(w, switch (w) {
            case "1h" -> traffic.last(Duration.ofHours(1), Duration.ofMinutes(1));
            case "24h" -> traffic.last(Duration.ofDays(1), Duration.ofMinutes(15));
            default -> throw ActionRefused.invalid("invalid_window", "window must be 1h or 24h.");
        });
    }

    // ---- helpers ----

    /** {@code u12}, {@code o3}, or a user's email (their personal account). */
    public AccountId account(String ref) {
        String r = required(ref, "account");
        AccountId a = AccountId.parse(r);
        if (a != null) {
            return a;
        }
        if (r.contains("@")) {
            return AccountId.user(directory.userByEmail(r)
                    .orElseThrow(() -> ActionRefused.notFound("No user with email " + r + ".")).id());
        }
        throw ActionRefused.invalid("invalid_account", "Name an account as u<user id>, o<organization id> or an email.");
    }

    /** The account {@code ref} names, which must exist (else not found). */
    AccountId existing(String ref) {
        AccountId a = account(ref);
        paused(a);
        return a;
    }

    private boolean paused(AccountId a) {
        return a.organization()
                ? "paused".equals(directory.organization(a.id()).orElseThrow(() -> ActionRefused.notFound("No account " + a + ".")).state())
                : "paused".equals(directory.user(a.id()).orElseThrow(() -> ActionRefused.notFound("No account " + a + ".")).state());
    }

    static void allow(Actor actor, String action) {
        Role role = Role.of(actor.role());
        if (role == null || !role.may(action)) {
            throw new ActionRefused(ActionRefused.Kind.FORBIDDEN, "forbidden",
                    "The " + actor.role() + " role may not do " + action + ".");
        }
    }

    static String reason(String reason) {
        String r = reason == null ? "" : reason.strip();
        if (r.isEmpty()) {
            throw ActionRefused.invalid("reason_required", "Give a reason: it goes into the audit log.");
        }
        if (r.length() > MAX_REASON) {
            throw ActionRefused.invalid("reason_too_long", "Keep the reason under " + MAX_REASON + " characters.");
        }
        return r;
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw ActionRefused.invalid("missing_" + what.replace(' ', '_'), "Name the " + what + ".");
        }
        return value.strip();
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
