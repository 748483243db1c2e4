package ai.cortensor.portal.accounts;

import java.sql.ResultSet;
import java.sql.SQLException;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.changes.ChangeFeed;
import ai.cortensor.portal.plans.Subscriptions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for {@code users}, {@code user_identities} and {@code email_tokens} (and an organization's pause). */
public final class AccountStore {
    private final Jdbi jdbi;

    public AccountStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The user's id, creating the user (with the free plan) when the email is new. */
    public long ensureUser(String email, String displayName) {
        return jdbi.inTransaction(h -> findByEmail(h, email).map(User::id)
                .orElseGet(() -> insertUser(h, email, displayName, null, false)));
    }

    /** A new user with the free plan; empty when the email is taken (case-insensitively). */
    public Optional<Long> createUser(String email, String displayName, String passwordHash, boolean verified) {
        return jdbi.inTransaction(h -> findByEmail(h, email).isPresent() ? Optional.<Long>empty()
                : Optional.of(insertUser(h, email, displayName, passwordHash, verified)));
    }

    private static long insertUser(Handle h, String email, String displayName, String passwordHash, boolean verified) {
        long id = h.createQuery("INSERT INTO users (email, display_name, password_hash, email_verified) "
                        + "VALUES (:e, :n, :p, :v) RETURNING id")
                .bind("e", email).bind("n", displayName).bind("p", passwordHash).bind("v", verified)
                .mapTo(Long.class).one();
        Subscriptions.startOnFree(h, id, null);
        return id;
    }

    public Optional<User> findByEmail(String email) {
        return jdbi.withHandle(h -> findByEmail(h, email));
    }

    private static Optional<User> findByEmail(Handle h, String email) {
        return h.createQuery("SELECT * FROM users WHERE lower(email) = lower(:e)").bind("e", email)
                .map(AccountStore::user).findOne();
    }

    public Optional<User> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM users WHERE id = :id").bind("id", id)
                .map(AccountStore::user).findOne());
    }

    /**
     * The pause of an account, empty while it is active (or does not exist): the organization's when
     * {@code organizationId} is set, else the user's personal account's.
     */
    public Optional<ai.cortensor.portal.plans.AccountPauses.Pause> pause(long userId, Long organizationId) {
        String sql = organizationId == null
                ? "SELECT paused_at, paused_reason FROM users WHERE id = :id AND state = 'paused'"
                : "SELECT paused_at, paused_reason FROM organizations WHERE id = :id AND state = 'paused'";
        return jdbi.withHandle(h -> h.createQuery(sql).bind("id", organizationId == null ? userId : organizationId)
                .map((rs, ctx) -> {
                    var at = rs.getTimestamp("paused_at");
                    return new ai.cortensor.portal.plans.AccountPauses.Pause(at == null ? null : at.toInstant(), rs.getString("paused_reason"));
                }).findOne());
    }

    public void setPassword(long userId, String passwordHash) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET password_hash = :p, updated_at = now() WHERE id = :id")
                .bind("p", passwordHash).bind("id", userId).execute());
    }

    public void markVerified(long userId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET email_verified = TRUE, updated_at = now() WHERE id = :id")
                .bind("id", userId).execute());
    }

    /**
     * Hands an account whose email was never verified to the verified owner of that email: whoever created it may
     * have squatted the address, so its password stops working (the caller ends its sessions and personal keys).
     */
    public void claimForVerifiedOwner(long userId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET password_hash = NULL, email_verified = TRUE, "
                + "updated_at = now() WHERE id = :u").bind("u", userId).execute());
    }

    /**
     * Pauses or unpauses a user ({@code organization} false) or an organization; in the same transaction it is
     * audited and announced to every replica ({@code account:<label>}). Empty when there is no such account, false
     * when it already was in that state.
     */
    public Optional<Boolean> setState(boolean organization, long id, String label, boolean paused, Actor actor,
                                      String reason) {
        String table = organization ? "organizations" : "users";
        String to = paused ? "paused" : "active";
        return jdbi.inTransaction(h -> {
            Optional<String> before = h.createQuery("SELECT state FROM " + table + " WHERE id = :id FOR UPDATE")
                    .bind("id", id).mapTo(String.class).findOne();
            if (before.isEmpty()) {
                return Optional.empty();
            }
            if (before.get().equals(to)) {
                return Optional.of(false);
            }
            h.createUpdate("UPDATE " + table + " SET state = :s, updated_at = now(), paused_at = "
                            + (paused ? "now()" : "NULL") + ", paused_by = :b, paused_reason = :r WHERE id = :id")
                    .bind("s", to).bind("b", paused ? actor.name() : null).bind("r", paused ? reason : null)
                    .bind("id", id).execute();
            AuditLog.append(h, actor, paused ? "account.pause" : "account.unpause",
                    organization ? "organization" : "user", label, Map.of("state", before.get()), Map.of("state", to),
                    reason);
            ChangeFeed.publishOnCommit(h, ChangeFeed.ACCOUNT, label);
            return Optional.of(true);
        });
    }

    public Optional<Long> userByIdentity(String issuer, String subject) {
        return jdbi.withHandle(h -> h.createQuery("SELECT user_id FROM user_identities WHERE issuer = :i AND subject = :s")
                .bind("i", issuer).bind("s", subject).mapTo(Long.class).findOne());
    }

    public void linkIdentity(long userId, String issuer, String subject) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO user_identities (issuer, subject, user_id) VALUES (:i, :s, :u) "
                + "ON CONFLICT DO NOTHING").bind("i", issuer).bind("s", subject).bind("u", userId).execute());
    }

    public void insertEmailToken(byte[] hash, long userId, String purpose, Instant expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) "
                + "VALUES (:h, :u, :p, :e)").bind("h", hash).bind("u", userId).bind("p", purpose)
                .bind("e", expiresAt).execute());
    }

    /** Marks an unused, unexpired token used and returns its user; empty when it is unknown, used or expired. */
    public Optional<Long> consumeEmailToken(byte[] hash, String purpose, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("UPDATE email_tokens SET used_at = :now WHERE token_hash = :h "
                        + "AND purpose = :p AND used_at IS NULL AND expires_at > :now RETURNING user_id")
                .bind("h", hash).bind("p", purpose).bind("now", now).mapTo(Long.class).findOne());
    }

    static User user(ResultSet rs, StatementContext ctx) throws SQLException {
        return new User(rs.getLong("id"), rs.getString("email"), rs.getString("display_name"),
                rs.getBoolean("email_verified"), rs.getString("state"), rs.getTimestamp("created_at").toInstant(),
                rs.getString("password_hash"));
    }
}
