package ai.cortensor.portal.admin;

import ai.cortensor.portal.accounts.AccountDirectory;
import ai.cortensor.portal.accounts.AccountDirectory.OrganizationSummary;
import ai.cortensor.portal.accounts.AccountDirectory.UserSummary;
import ai.cortensor.portal.admin.DirectoryStore.KeyRecord;
import ai.cortensor.portal.keys.KeyFormat;
import ai.cortensor.portal.usage.UsageReports;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finding customers (issue 14): one query searched in users (email — a domain too — and name), organizations (name)
 * and keys (prefix and name), each list newest first and paged on its own; the newest sign-ups; accounts by usage
 * over a window. Every answer says what was searched, so "nothing found" is never ambiguous. Read-only: open to every
 * operator.
 */
public final class Find {
    /** Shorter text matches too much to be useful and cannot use the trigram indexes. */
    static final int MIN_TEXT = 3;
    static final int FOUND_PER_LIST = 20;

    /** Windows of the accounts-by-usage list, as the API, CLI and console name them. */
    public static final Map<String, Duration> WINDOWS = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
            Map.of("1h", Duration.ofHours(1), "24h", Duration.ofDays(1), "7d", Duration.ofDays(7),
                    "30d", Duration.ofDays(30))));

    private final AccountDirectory accounts;
    private final DirectoryStore directory;
    private final UsageReports usage;
    private final InstantSource clock;

    private final com.github.benmanes.caffeine.cache.Cache<Integer, Ranking> busiest;

    Find(AccountDirectory accounts, DirectoryStore directory, UsageReports usage, InstantSource clock) {
        this.accounts = accounts;
        this.directory = directory;
        this.usage = usage;
        this.clock = clock;
        this.busiest = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(4)
                .ticker(() -> clock.millis() * 1_000_000L).expireAfterWrite(java.time.Duration.ofSeconds(30)).build();
    }

    /**
     * The busiest accounts of the last day by tokens, for the console's landing page; reused for 30 s, so opening
     * the console does not sum a day of usage each time (~0.2 s at 10^7 requests a month).
     */
    public Ranking busiestToday(int n) {
        return busiest.get(n, k -> accountsByUsage("24h", "tokens", null, n));
    }

    /**
     * What one search found: the query as searched (a pasted full key cut to its prefix), how it was read
     * ({@code text}, {@code account id}, {@code id}, {@code key prefix}), the three lists (each with its own
     * {@code next_cursor} for {@code /admin/api/users|organizations|keys?q=…&cursor=…}) and a sentence saying what
     * was searched and found.
     */
    public record Found(String query, String searchedAs, Page<UserSummary> users,
                        Page<OrganizationSummary> organizations, Page<KeyRecord> keys, String message) {
        public boolean empty() {
            return users.data().isEmpty() && organizations.data().isEmpty() && keys.data().isEmpty();
        }
    }

    public Found find(String query, Integer limit) {
        String q = withoutSecret(query == null ? "" : query.strip());
        if (q.isEmpty()) {
            throw ActionRefused.invalid("missing_query",
                    "Type part of an email (or @domain), a name, an organization, a key prefix or name, or an id.");
        }
        int n = limit == null ? FOUND_PER_LIST : Page.limit(limit);
        AccountId account = AccountId.parse(q);
        if (account != null) {
            List<UserSummary> u = account.organization() ? List.of() : accounts.usersById(List.of(account.id()));
            List<OrganizationSummary> o = account.organization() ? accounts.organizationsById(List.of(account.id()))
                    : List.of();
            return found(q, "account id", new Page<>(u, null), new Page<>(o, null), new Page<>(List.of(), null));
        }
        if (q.chars().allMatch(Character::isDigit) && q.length() <= 18) {
            long id = Long.parseLong(q);
            return found(q, "id", new Page<>(accounts.usersById(List.of(id)), null),
                    new Page<>(accounts.organizationsById(List.of(id)), null),
                    new Page<>(directory.key(id).map(List::of).orElse(List.of()), null));
        }
        if (q.startsWith(KeyFormat.PREFIX)) {
            return found(q, "key prefix", new Page<>(List.of(), null), new Page<>(List.of(), null), keys(q, null, n));
        }
        text(q);
        return found(q, "text", users(q, null, n), organizations(q, null, n), keys(q, null, n));
    }

    /** Users whose email or name contains {@code text}, newest first; without text, the newest sign-ups. */
    public Page<UserSummary> users(String text, String cursor, Integer limit) {
        String t = blankToNull(text);
        if (t != null) {
            text(t);
        }
        int n = Page.limit(limit);
        return Page.of(accounts.users(t, before(cursor), n + 1), n, u -> Long.toString(u.id()));
    }

    /** Organizations whose name contains {@code text} (all without text), newest first. */
    public Page<OrganizationSummary> organizations(String text, String cursor, Integer limit) {
        String t = blankToNull(text);
        if (t != null) {
            text(t);
        }
        int n = Page.limit(limit);
        return Page.of(accounts.organizations(t, before(cursor), n + 1), n, o -> Long.toString(o.id()));
    }

    /** Keys whose prefix ({@code ctsr_…}, at least 4 characters after it) starts, or whose name contains, {@code text}. */
    public Page<KeyRecord> keys(String text, String cursor, Integer limit) {
        String t = withoutSecret(text.strip());
        String match;
        if (t.startsWith(KeyFormat.PREFIX)) {
            match = t.substring(KeyFormat.PREFIX.length());
            if (match.length() < 4 || !match.chars().allMatch(Character::isLetterOrDigit)) {
                throw ActionRefused.invalid("invalid_key_reference",
                        "Give at least the first 4 characters after ctsr_ (letters and digits).");
            }
        } else {
            match = text(t);
        }
        int n = Page.limit(limit);
        return Page.of(directory.keysMatching(match, before(cursor), n + 1), n, k -> Long.toString(k.id()));
    }

    /** An account's served usage in a window, with whose account it is. */
    public record AccountUsage(String account, String type, String name, String state, long requests, long tokens) {}

    /** A page of accounts by usage, with the window it covers. */
    public record Ranking(String window, String by, Instant since, List<AccountUsage> data, String nextCursor) {}

    /** Accounts by served {@code requests} or {@code tokens} over {@code window} (1h, 24h, 7d, 30d), most first. */
    public Ranking accountsByUsage(String window, String by, String cursor, Integer limit) {
        String w = window == null ? "24h" : window;
        Duration d = WINDOWS.get(w);
        if (d == null) {
            throw ActionRefused.invalid("invalid_window", "window must be one of " + String.join(", ", WINDOWS.keySet()) + ".");
        }
        String b = by == null ? "tokens" : by;
        if (!b.equals("tokens") && !b.equals("requests")) {
            throw ActionRefused.invalid("invalid_by", "by must be requests or tokens.");
        }
        Long afterValue = null;
        String afterAccount = null;
        if (cursor != null) {
            String[] parts = Page.decode(cursor).split(" ", 2);
            try {
                afterValue = Long.parseLong(parts[0]);
                afterAccount = parts[1];
            } catch (RuntimeException e) {
                throw ActionRefused.invalid("invalid_cursor", "The cursor is not one this server returned.");
            }
        }
        int n = Page.limit(limit);
        Instant since = clock.instant().minus(d);
        List<UsageReports.AccountUsage> rows = usage.topAccounts(since, b.equals("tokens"), afterValue, afterAccount,
                n + 1);
        Page<UsageReports.AccountUsage> page = Page.of(rows, n,
                r -> (b.equals("tokens") ? r.tokens() : r.requests()) + " " + r.account());
        return new Ranking(w, b, since, label(page.data()), page.nextCursor());
    }

    private List<AccountUsage> label(List<UsageReports.AccountUsage> rows) {
        Map<Long, UserSummary> users = accounts.usersById(rows.stream().filter(r -> r.organizationId() == null)
                .map(UsageReports.AccountUsage::userId).toList()).stream()
                .collect(Collectors.toMap(UserSummary::id, Function.identity()));
        Map<Long, OrganizationSummary> orgs = accounts.organizationsById(rows.stream()
                        .filter(r -> r.organizationId() != null).map(UsageReports.AccountUsage::organizationId).toList())
                .stream().collect(Collectors.toMap(OrganizationSummary::id, Function.identity()));
        List<AccountUsage> out = new ArrayList<>(rows.size());
        for (UsageReports.AccountUsage r : rows) {
            if (r.organizationId() == null) {
                UserSummary u = users.get(r.userId());
                out.add(new AccountUsage(r.account(), "user", u == null ? "(deleted)" : u.email(),
                        u == null ? null : u.state(), r.requests(), r.tokens()));
            } else {
                OrganizationSummary o = orgs.get(r.organizationId());
                out.add(new AccountUsage(r.account(), "organization", o == null ? "(deleted)" : o.name(),
                        o == null ? null : o.state(), r.requests(), r.tokens()));
            }
        }
        return out;
    }

    private static Found found(String q, String as, Page<UserSummary> users, Page<OrganizationSummary> orgs,
                               Page<KeyRecord> keys) {
        return new Found(q, as, users, orgs, keys, message(q, as, users, orgs, keys));
    }

    /** "No users, organizations or keys match “acme”." or "“acme”: 2 users, no organizations, 20+ keys." */
    static String message(String q, String as, Page<?> users, Page<?> orgs, Page<?> keys) {
        String quoted = "“" + q + "”";
        boolean none = users.data().isEmpty() && orgs.data().isEmpty() && keys.data().isEmpty();
        return switch (as) {
            case "key prefix" -> none ? "No keys start with " + q + "." : "Keys starting with " + q + ": " + count(keys, "key") + ".";
            case "account id" -> none ? "No account " + q + "." : "Account " + q + ".";
            case "id" -> none ? "No user, organization or key has the id " + q + "."
                    : "The id " + q + ": " + count(users, "user") + ", " + count(orgs, "organization") + ", "
                            + count(keys, "key") + ".";
            default -> none ? "No users, organizations or keys match " + quoted + "."
                    : "Matching " + quoted + ": " + count(users, "user") + ", " + count(orgs, "organization") + ", "
                            + count(keys, "key") + ".";
        };
    }

    private static String count(Page<?> p, String noun) {
        int n = p.data().size();
        String more = p.nextCursor() == null ? "" : "+";
        return n == 0 ? "no " + noun + "s" : n + more + " " + noun + (n == 1 && more.isEmpty() ? "" : "s");
    }

    /** Text to search for, at least {@link #MIN_TEXT} characters. */
    private static String text(String t) {
        if (t.length() < MIN_TEXT) {
            throw ActionRefused.invalid("query_too_short", "Type at least " + MIN_TEXT
                    + " characters to search emails, names and key names (“" + t + "” is shorter).");
        }
        if (t.length() > 200) {
            throw ActionRefused.invalid("query_too_long", "Search for at most 200 characters.");
        }
        return t;
    }

    private static Long before(String cursor) {
        return cursor == null ? null : Page.decodeId(cursor);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : withoutSecret(s.strip());
    }

    /** A pasted full key ({@code ctsr_<public id>_<secret>}) cut to its prefix: never searched for or echoed. */
    public static String withoutSecret(String q) {
        int secret = q.startsWith(KeyFormat.PREFIX) ? q.indexOf('_', KeyFormat.PREFIX.length()) : -1;
        return secret < 0 ? q : q.substring(0, secret);
    }
}
