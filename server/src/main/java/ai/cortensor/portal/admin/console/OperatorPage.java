package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.InspectionStore;
import ai.cortensor.portal.admin.Role;
/**
 * What every console page's layout needs: title, the active navigation entry, the signed-in operator (null on the
 * sign-in page), the CSRF token for forms, an optional one-line notice ({@code kind}: null, warn or error) and,
 * right after an action, the audit entry it wrote.
 */
public record OperatorPage(String title, String nav, String email, Role role, String csrf, String notice,
                           String noticeKind, InspectionStore.AuditEntry done) {

    public boolean signedIn() {
        return email != null;
    }

    /** Whether the signed-in operator's role may do the action (the service checks again on every POST). */
    public boolean may(String action) {
        return role != null && role.may(action);
    }

    public boolean is(String entry) {
        return entry.equals(nav);
    }

    public OperatorPage withNotice(String text, String kind) {
        return new OperatorPage(title, nav, email, role, csrf, text, kind, done);
    }
}
