package ai.cortensor.portal.admin;

import ai.cortensor.portal.plans.AdmissionControl;

/**
 * An account as operators name it: {@code u<user id>} (a user's personal account) or {@code o<organization id>},
 * the same ids as the change feed's {@code account:} topic and the limit counters.
 */
public record AccountId(boolean organization, long id) {
    public static AccountId user(long id) {
        return new AccountId(false, id);
    }

    public static AccountId org(long id) {
        return new AccountId(true, id);
    }

    /** Parses {@code u12} or {@code o3}; null for anything else. */
    public static AccountId parse(String s) {
        if (s == null || s.length() < 2 || (s.charAt(0) != 'u' && s.charAt(0) != 'o')) {
            return null;
        }
        try {
            long id = Long.parseLong(s.substring(1));
            return id > 0 ? new AccountId(s.charAt(0) == 'o', id) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** For plan and limit lookups; an organization's plan does not depend on the user. */
    AdmissionControl.AccountRef ref() {
        return organization ? new AdmissionControl.AccountRef(0, id) : new AdmissionControl.AccountRef(id, null);
    }

    @Override
    public String toString() {
        return (organization ? "o" : "u") + id;
    }
}
