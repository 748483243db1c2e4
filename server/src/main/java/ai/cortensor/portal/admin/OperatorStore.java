package ai.cortensor.portal.admin;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.audit.AuditLog;
import ai.cortensor.portal.keys.KeyFormat;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * SQL for {@code operators} and {@code operator_tokens}. Tokens are stored as SHA-256 only. (Console sessions are
 * {@code browser_sessions} rows of the operator audience, owned by the {@code sessions} feature.)
 */
public final class OperatorStore {
    private final Jdbi jdbi;
    private final SecureRandom random;

    public OperatorStore(Jdbi jdbi, SecureRandom random) {
        this.jdbi = jdbi;
        this.random = random;
    }

    /** A new operator (or a new token for an existing one, whose role then changes to {@code role}); the token is shown once. */
    public record Issued(Operator operator, String token, boolean created) {}

    /**
     * Creates the operator {@code email} with {@code role}, or, when that address already is an operator, gives it
     * a new token and the role. Audited as {@code operator.create} / {@code operator.token} in the same transaction.
     */
    public Issued issue(String email, Role role, Actor by, String reason) {
        String e = email == null ? "" : email.strip();
        if (!e.matches("[^@\\s]+@[^@\\s]+")) {
            throw ActionRefused.invalid("invalid_email", "Give the operator's email address, e.g. ops@example.com.");
        }
        KeyFormat.Generated g = OperatorToken.generate(random);
        return jdbi.inTransaction(h -> {
            Optional<Operator> existing = byEmail(h, e);
            long id;
            if (existing.isEmpty()) {
                id = h.createUpdate("INSERT INTO operators (email, role, created_by) VALUES (:e, :r, :b)")
                        .bind("e", e).bind("r", role.code()).bind("b", by.name())
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                AuditLog.append(h, by, "operator.create", "operator", Long.toString(id), null,
                        Map.of("email", e, "role", role.code()), reason);
            } else {
                id = existing.get().id();
                h.createUpdate("UPDATE operators SET role = :r, state = 'active' WHERE id = :id")
                        .bind("r", role.code()).bind("id", id).execute();
                AuditLog.append(h, by, "operator.token", "operator", Long.toString(id),
                        Map.of("role", existing.get().role().code()), Map.of("role", role.code(),
                                "token", OperatorToken.PREFIX + g.publicId()), reason);
            }
            h.createUpdate("INSERT INTO operator_tokens (public_id, secret_hash, operator_id) VALUES (:p, :h, :o)")
                    .bind("p", g.publicId()).bind("h", g.secretHash()).bind("o", id).execute();
            return new Issued(byEmail(h, e).orElseThrow(), g.token(), existing.isEmpty());
        });
    }

    /** The active operator holding this token, or empty for anything else (unknown, revoked, wrong secret). */
    public Optional<Operator> authenticate(String token) {
        return authenticateToken(token).map(SignedToken::operator);
    }

    /** An operator as authenticated by one of their tokens (the console ties its session to that token). */
    public record SignedToken(long tokenId, Operator operator) {}

    public Optional<SignedToken> authenticateToken(String token) {
        KeyFormat.Parsed parsed = OperatorToken.parse(token);
        if (parsed == null) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> {
            var row = h.createQuery("""
                    SELECT t.id AS token_id, t.secret_hash, o.* FROM operator_tokens t
                    JOIN operators o ON o.id = t.operator_id
                    WHERE t.public_id = :p AND t.revoked_at IS NULL AND o.state = 'active'""")
                    .bind("p", parsed.publicId())
                    .map((rs, ctx) -> Map.entry(rs.getBytes("secret_hash"),
                            new SignedToken(rs.getLong("token_id"), operator(rs)))).findOne();
            if (row.isEmpty() || !KeyFormat.matches(parsed.secret(), row.get().getKey())) {
                return Optional.<SignedToken>empty();
            }
            h.createUpdate("UPDATE operator_tokens SET last_used_at = now() WHERE id = :id "
                            + "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
                    .bind("id", row.get().getValue().tokenId()).execute();
            return Optional.of(row.get().getValue());
        });
    }

    /**
     * Disables an operator: every token of theirs is revoked, in one transaction with its {@code operator.disable}
     * audit event; their console sessions end with the tokens they were opened with. False when the operator already was disabled (nothing written).
     */
    public Optional<Boolean> disable(String email, Actor by, String reason) {
        return jdbi.inTransaction(h -> {
            Optional<Operator> op = h.createQuery("SELECT * FROM operators WHERE lower(email) = lower(:e) FOR UPDATE")
                    .bind("e", email == null ? "" : email.strip()).map((rs, ctx) -> operator(rs)).findOne();
            if (op.isEmpty()) {
                return Optional.<Boolean>empty();
            }
            long id = op.get().id();
            if (h.createUpdate("UPDATE operators SET state = 'disabled' WHERE id = :id AND state = 'active'")
                    .bind("id", id).execute() == 0) {
                return Optional.of(false);
            }
            int tokens = h.createUpdate("UPDATE operator_tokens SET revoked_at = now() WHERE operator_id = :id "
                    + "AND revoked_at IS NULL").bind("id", id).execute();
            AuditLog.append(h, by, "operator.disable", "operator", Long.toString(id), Map.of("state", "active"),
                    Map.of("state", "disabled", "tokens_revoked", tokens), reason);
            return Optional.of(true);
        });
    }

    /** The operator of a console session: active, and the token the session was opened with still live. */
    public Optional<Operator> liveOperator(long operatorId, long tokenId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT o.* FROM operators o JOIN operator_tokens t ON t.operator_id = o.id
                        WHERE o.id = :o AND t.id = :t AND t.revoked_at IS NULL AND o.state = 'active'""")
                .bind("o", operatorId).bind("t", tokenId).map((rs, ctx) -> operator(rs)).findOne());
    }

    public List<Operator> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM operators WHERE state = 'active' ORDER BY id")
                .map((rs, ctx) -> operator(rs)).list());
    }

    private static Optional<Operator> byEmail(Handle h, String email) {
        return h.createQuery("SELECT * FROM operators WHERE lower(email) = lower(:e)").bind("e", email)
                .map((rs, ctx) -> operator(rs)).findOne();
    }

    private static Operator operator(ResultSet rs) throws SQLException {
        return new Operator(rs.getLong("id"), rs.getString("email"), Role.of(rs.getString("role")),
                rs.getTimestamp("created_at").toInstant());
    }
}
