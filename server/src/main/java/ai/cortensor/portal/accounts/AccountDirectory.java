package ai.cortensor.portal.accounts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;

/**
 * Finding customers for operators (issue 14): users by any part of their email (an email domain included) or name,
 * organizations by any part of their name, newest first, keyset-paginated on id; with no text, the newest sign-ups.
 * Matching is case-insensitive {@code lower(column) LIKE '%text%'}, served by V16's trigram indexes. Never selects a
 * password hash.
 */
public final class AccountDirectory {
    private final Jdbi jdbi;

    public AccountDirectory(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A user as a search result; {@code account} is their personal account ({@code u<id>}). */
    public record UserSummary(long id, String account, String email, String displayName, String state,
                              Instant createdAt, int organizations) {}

    /** An organization as a search result ({@code account} {@code o<id>}). */
    public record OrganizationSummary(long id, String account, String name, String state, Instant createdAt,
                                      int members) {}

    /**
     * Users whose email or name contains {@code text} (null: every user), newest first, before the user
     * {@code beforeId} (null: from the newest), at most {@code limit}.
     */
    public List<UserSummary> users(String text, Long beforeId, int limit) {
        String where = (text == null ? "TRUE" : "(lower(u.email) LIKE :p OR lower(u.display_name) LIKE :p)")
                + (beforeId == null ? "" : " AND u.id < :before");
        return jdbi.withHandle(h -> {
            var q = h.createQuery("SELECT u.id, u.email, u.display_name, u.state, u.created_at, "
                    + "(SELECT count(*) FROM organization_members m WHERE m.user_id = u.id) AS orgs "
                    + "FROM users u WHERE " + where + " ORDER BY u.id DESC LIMIT :n").bind("n", limit);
            if (text != null) {
                q.bind("p", contains(text));
            }
            if (beforeId != null) {
                q.bind("before", beforeId);
            }
            return q.map((rs, ctx) -> user(rs)).list();
        });
    }

    /** Organizations whose name contains {@code text} (null: all), newest first, paged like {@link #users}. */
    public List<OrganizationSummary> organizations(String text, Long beforeId, int limit) {
        String where = (text == null ? "TRUE" : "lower(o.name) LIKE :p") + (beforeId == null ? "" : " AND o.id < :before");
        return jdbi.withHandle(h -> {
            var q = h.createQuery("SELECT o.id, o.name, o.state, o.created_at, "
                    + "(SELECT count(*) FROM organization_members m WHERE m.organization_id = o.id) AS members "
                    + "FROM organizations o WHERE " + where + " ORDER BY o.id DESC LIMIT :n").bind("n", limit);
            if (text != null) {
                q.bind("p", contains(text));
            }
            if (beforeId != null) {
                q.bind("before", beforeId);
            }
            return q.map((rs, ctx) -> organization(rs)).list();
        });
    }

    /** These users (for labelling other lists), in no particular order; unknown ids are left out. */
    public List<UserSummary> usersById(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT u.id, u.email, u.display_name, u.state, u.created_at, "
                        + "(SELECT count(*) FROM organization_members m WHERE m.user_id = u.id) AS orgs "
                        + "FROM users u WHERE u.id = ANY(:ids)")
                .bind("ids", ids.toArray(Long[]::new)).map((rs, ctx) -> user(rs)).list());
    }

    public List<OrganizationSummary> organizationsById(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT o.id, o.name, o.state, o.created_at, "
                        + "(SELECT count(*) FROM organization_members m WHERE m.organization_id = o.id) AS members "
                        + "FROM organizations o WHERE o.id = ANY(:ids)")
                .bind("ids", ids.toArray(Long[]::new)).map((rs, ctx) -> organization(rs)).list());
    }

    /** {@code %text%} in lower case, with LIKE's own characters taken literally. */
    static String contains(String text) {
        return "%" + text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static UserSummary user(ResultSet rs) throws SQLException {
        return new UserSummary(rs.getLong("id"), "u" + rs.getLong("id"), rs.getString("email"),
                rs.getString("display_name"), rs.getString("state"), rs.getTimestamp("created_at").toInstant(),
                rs.getInt("orgs"));
    }

    private static OrganizationSummary organization(ResultSet rs) throws SQLException {
        return new OrganizationSummary(rs.getLong("id"), "o" + rs.getLong("id"), rs.getString("name"),
                rs.getString("state"), rs.getTimestamp("created_at").toInstant(), rs.getInt("members"));
    }
}
