package ai.cortensor.portal.portal;

import java.util.List;

/**
 * What every portal page's layout needs: title, the active navigation entry, who is signed in, the accounts they
 * can act for, the CSRF token for forms, an optional one-line notice, and whether the account acted for is paused
 * (null when it is not): then every page says so and the portal is read-only.
 */
public record Page(String title, String nav, String email, String accountName, boolean personal, boolean owner,
                   List<Choice> accounts, String csrf, String notice, String noticeKind, Paused paused) {

    public record Choice(String value, String label, boolean current) {}

    /**
     * The pause of the account acted for: since when (formatted; null if not recorded), the operator's reason (null
     * if none) and where to get help ({@code portal.support-email}; null if not configured).
     */
    public record Paused(boolean organization, String since, String reason, String supportEmail) {}

    public boolean signedIn() {
        return email != null;
    }

    public Page withNotice(String text, String kind) {
        return new Page(title, nav, email, accountName, personal, owner, accounts, csrf, text, kind, paused);
    }

    public Page withTitle(String text) {
        return new Page(text, nav, email, accountName, personal, owner, accounts, csrf, notice, noticeKind, paused);
    }

    public boolean is(String entry) {
        return entry.equals(nav);
    }
}
