package ai.cortensor.portal.portal;

import java.util.List;

/**
 * What every portal page's layout needs: title, the active navigation entry, who is signed in, the accounts they
 * can act for, the CSRF token for forms, and an optional one-line notice.
 */
public record Page(String title, String nav, String email, String accountName, boolean personal, boolean owner,
                   List<Choice> accounts, String csrf, String notice, String noticeKind) {

    public record Choice(String value, String label, boolean current) {}

    public boolean signedIn() {
        return email != null;
    }

    public Page withNotice(String text, String kind) {
        return new Page(title, nav, email, accountName, personal, owner, accounts, csrf, text, kind);
    }

    public Page withTitle(String text) {
        return new Page(text, nav, email, accountName, personal, owner, accounts, csrf, notice, noticeKind);
    }

    public boolean is(String entry) {
        return entry.equals(nav);
    }
}
