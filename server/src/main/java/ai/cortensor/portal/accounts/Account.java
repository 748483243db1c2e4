package ai.cortensor.portal.accounts;

/**
 * The account a signed-in user acts for: their personal account ({@code organizationId} null) or an organization
 * they belong to. Keys, usage and limits belong to the account.
 */
public record Account(long userId, Long organizationId, String name, String role) {

    public boolean personal() {
        return organizationId == null;
    }

    public boolean owner() {
        return personal() || "owner".equals(role);
    }
}
