package ai.cortensor.portal;

import static ai.cortensor.portal.OperatorApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5 over the admin API against real PostgreSQL: partial, case-insensitive search of users (email, a
 * domain, name), organizations (name) and keys (prefix, name), paged lists, the newest sign-ups, accounts by usage,
 * answers that say what was searched, and the trigram indexes that serve the searches (V16).
 */
class OperatorFindIT {
    static PortalHarness h;
    static String support;
    static long alice;
    static long bob;
    static long carol;
    static long org;
    static String acmeKey;

    @BeforeAll
    static void start() {
        h = new PortalHarness();
        support = new OperatorStore(h.jdbi(), new SecureRandom())
                .issue("finder@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
        alice = h.portal.accounts().ensureUser("Alice.Smith@Acme-Widgets.com", "Alice Smith");
        bob = h.portal.accounts().ensureUser("bob@acme-widgets.com", null);
        carol = h.portal.accounts().ensureUser("carol@elsewhere.org", "Carol Acme-Fan");
        org = new OrganizationStore(h.jdbi()).create("ACME Research Lab", bob, Actor.system("test"));
        acmeKey = h.portal.keys().issue("acme-production", carol, null, null).token();
        h.portal.keys().issue("laptop", alice, null, null);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static HttpResponse<String> get(String path) {
        return h.send(HttpRequest.newBuilder(URI.create(h.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + support).GET().build());
    }

    static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError(r.body(), e);
        }
    }

    static JsonNode search(String q) {
        return json(get("/admin/api/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8)));
    }

    static List<String> values(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.path("data").forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    void part_of_an_email_a_name_an_organization_or_a_key_name_finds_them_whatever_the_case() {
        JsonNode acme = search("ACME");
        assertThat(values(acme.path("users"), "email")).as("email and name matches, newest first")
                .containsExactly("carol@elsewhere.org", "bob@acme-widgets.com", "Alice.Smith@Acme-Widgets.com");
        assertThat(values(acme.path("organizations"), "name")).containsExactly("ACME Research Lab");
        assertThat(values(acme.path("keys"), "name")).containsExactly("acme-production");
        assertThat(acme.path("keys").path("data").get(0).path("owner_email").asText()).isEqualTo("carol@elsewhere.org");
        assertThat(acme.path("message").asText()).isEqualTo("Matching “ACME”: 3 users, 1 organization, 1 key.");
        assertThat(acme.path("searched_as").asText()).isEqualTo("text");

        assertThat(values(search("smith").path("users"), "account")).containsExactly("u" + alice);
        assertThat(values(search("research").path("organizations"), "account")).containsExactly("o" + org);
        assertThat(search("research").path("organizations").path("data").get(0).path("members").asInt()).isEqualTo(1);
    }

    @Test
    void an_email_domain_finds_everyone_at_it_and_nobody_else() {
        JsonNode domain = search("@ACME-widgets.com");
        assertThat(values(domain.path("users"), "account")).containsExactly("u" + bob, "u" + alice);
        assertThat(domain.path("organizations").path("data")).isEmpty();
        assertThat(domain.path("message").asText()).isEqualTo("Matching “@ACME-widgets.com”: 2 users, no organizations, no keys.");
    }

    @Test
    void a_search_that_finds_nothing_says_what_was_searched_and_a_too_short_one_is_refused() {
        JsonNode none = search("zzqx-nobody");
        assertThat(none.path("message").asText()).isEqualTo("No users, organizations or keys match “zzqx-nobody”.");
        assertThat(none.path("users").path("data")).isEmpty();
        assertThat(none.path("users").path("next_cursor").isNull()).isTrue();
        assertThat(search("ctsr_Zz9Q").path("message").asText()).isEqualTo("No keys start with ctsr_Zz9Q.");
        assertThat(search("o999999").path("message").asText()).isEqualTo("No account o999999.");

        HttpResponse<String> shortQuery = get("/admin/api/search?q=ab");
        assertProblem(shortQuery, 400, "query_too_short");
        assertThat(shortQuery.body()).contains("at least 3 characters").contains("“ab”");
        assertProblem(get("/admin/api/search"), 400, "missing_query");
        assertProblem(get("/admin/api/users?q=ab"), 400, "query_too_short");
        assertProblem(get("/admin/api/keys?q=acme&state=active"), 400, "invalid_query");
    }

    @Test
    void a_key_is_found_by_its_prefix_and_a_pasted_full_key_is_cut_to_its_prefix() {
        String prefix = acmeKey.substring(0, 17);
        JsonNode byPrefix = search(acmeKey.substring(0, 11));
        assertThat(byPrefix.path("searched_as").asText()).isEqualTo("key prefix");
        assertThat(values(byPrefix.path("keys"), "prefix")).containsExactly(prefix);
        JsonNode pasted = search(acmeKey);
        assertThat(pasted.path("query").asText()).isEqualTo(prefix);
        assertThat(values(pasted.path("keys"), "prefix")).containsExactly(prefix);
        assertThat(pasted.toString()).doesNotContain(acmeKey.substring(18));
        assertThat(values(json(get("/admin/api/keys?q=production")), "prefix")).containsExactly(prefix);
        assertProblem(get("/admin/api/keys?q=ctsr_ab"), 400, "invalid_key_reference");
    }

    @Test
    void an_id_or_account_id_finds_the_user_organization_or_key_with_it() {
        JsonNode byAccount = search("u" + carol);
        assertThat(values(byAccount.path("users"), "email")).containsExactly("carol@elsewhere.org");
        JsonNode byOrg = search("o" + org);
        assertThat(values(byOrg.path("organizations"), "name")).containsExactly("ACME Research Lab");
        JsonNode byId = search(Long.toString(org));
        assertThat(byId.path("searched_as").asText()).isEqualTo("id");
        assertThat(values(byId.path("organizations"), "account")).containsExactly("o" + org);
    }

    @Test
    void search_results_page_newest_first_with_a_cursor_and_no_row_twice() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(h.portal.accounts().ensureUser("pager-" + i + "@paging-co.test", null));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = json(get("/admin/api/users?q=paging-co&limit=2" + (cursor == null ? "" : "&cursor=" + cursor)));
            seen.addAll(values(page, "account"));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly(ids.reversed().stream().map(id -> "u" + id).toArray(String[]::new));

        JsonNode first = search("paging-co");
        assertThat(first.path("message").asText()).isEqualTo("Matching “paging-co”: 5 users, no organizations, no keys.");
        JsonNode limited = json(get("/admin/api/search?q=paging-co&limit=2"));
        assertThat(limited.path("message").asText()).isEqualTo("Matching “paging-co”: 2+ users, no organizations, no keys.");
        assertThat(limited.path("users").path("next_cursor").asText()).isNotBlank();
        assertProblem(get("/admin/api/users?q=paging-co&cursor=not-a-cursor"), 400, "invalid_cursor");
    }

    @Test
    void without_a_query_users_are_the_newest_sign_ups_first() {
        long newest = h.portal.accounts().ensureUser("just-signed-up@example.com", null);
        JsonNode recent = json(get("/admin/api/users?limit=3"));
        assertThat(recent.path("data")).hasSize(3);
        assertThat(recent.path("data").get(0).path("account").asText()).isEqualTo("u" + newest);
        assertThat(recent.path("data").get(0).path("created_at").asText()).isNotBlank();
        assertThat(recent.path("next_cursor").asText()).isNotBlank();
        assertThat(values(json(get("/admin/api/organizations")), "name")).contains("ACME Research Lab");
    }

    @Test
    void accounts_by_usage_rank_by_tokens_or_requests_over_the_chosen_window() {
        long heavy = h.portal.accounts().ensureUser("heavy@usage.test", null);
        long chatty = h.portal.accounts().ensureUser("chatty@usage.test", null);
        long old = h.portal.accounts().ensureUser("last-week@usage.test", null);
        long team = new OrganizationStore(h.jdbi()).create("Usage Team", heavy, Actor.system("test"));
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            usage(heavy, null, now.minusSeconds(60 + i), 4_000);
        }
        for (int i = 0; i < 10; i++) {
            usage(chatty, null, now.minusSeconds(120 + i), 100);
        }
        usage(heavy, team, now.minusSeconds(30), 50_000); // the organization's, not heavy's personal account
        for (int i = 0; i < 20; i++) {
            usage(old, null, now.minus(Duration.ofDays(3)).minusSeconds(i), 1);
        }

        JsonNode byTokens = json(get("/admin/api/accounts/by-usage?window=1h&by=tokens"));
        assertThat(values(byTokens, "account")).containsExactly("o" + team, "u" + heavy, "u" + chatty);
        assertThat(byTokens.path("data").get(0).path("name").asText()).isEqualTo("Usage Team");
        assertThat(byTokens.path("data").get(0).path("type").asText()).isEqualTo("organization");
        assertThat(byTokens.path("data").get(1).path("tokens").asLong()).isEqualTo(12_000);
        assertThat(byTokens.path("data").get(1).path("requests").asLong()).isEqualTo(3);
        assertThat(byTokens.path("data").get(1).path("name").asText()).isEqualTo("heavy@usage.test");

        JsonNode byRequests = json(get("/admin/api/accounts/by-usage?window=1h&by=requests"));
        assertThat(values(byRequests, "account")).containsExactly("u" + chatty, "u" + heavy, "o" + team);
        JsonNode week = json(get("/admin/api/accounts/by-usage?window=7d&by=requests&limit=1"));
        assertThat(values(week, "account")).containsExactly("u" + old);
        JsonNode second = json(get("/admin/api/accounts/by-usage?window=7d&by=requests&limit=1&cursor="
                + week.path("next_cursor").asText()));
        assertThat(values(second, "account")).containsExactly("u" + chatty);
        assertThat(json(get("/admin/api/accounts/by-usage")).path("window").asText()).isEqualTo("24h");

        assertProblem(get("/admin/api/accounts/by-usage?window=2h"), 400, "invalid_window");
        assertProblem(get("/admin/api/accounts/by-usage?by=money"), 400, "invalid_by");
    }

    /** A served request's usage event, as the ledger writes it. */
    static void usage(long user, Long org, Instant at, int tokens) {
        h.jdbi().useHandle(x -> x.createUpdate("""
                INSERT INTO usage_events (request_id, occurred_at, api_key_id, user_id, organization_id, model_alias,
                    pool, target, status, prompt_tokens, completion_tokens, total_tokens, tokens_estimated, latency_ms)
                VALUES (:r, :at, 1, :u, :o, 'qwen', 'default', 'a', 'completed', :p, :c, :t, false, 100)""")
                .bind("r", "req_test_" + java.util.UUID.randomUUID()).bind("at", at).bind("u", user).bind("o", org)
                .bind("p", tokens / 2).bind("c", tokens - tokens / 2).bind("t", tokens).execute());
    }

    @Test
    void the_searches_are_served_by_trigram_and_time_indexes_not_table_scans() {
        String plans = h.jdbi().inTransaction(x -> {
            x.execute("SET LOCAL enable_seqscan = off");
            StringBuilder b = new StringBuilder();
            for (String sql : new String[] {
                    "SELECT id FROM users WHERE lower(email) LIKE '%acme%' OR lower(display_name) LIKE '%acme%'",
                    "SELECT id FROM organizations WHERE lower(name) LIKE '%acme%'",
                    "SELECT id FROM api_keys WHERE public_id LIKE 'acme%' OR lower(name) LIKE '%acme%'",
                    "SELECT user_id, organization_id, sum(prompt_tokens) FROM usage_events "
                            + "WHERE occurred_at >= now() - interval '1 hour' GROUP BY 1, 2"}) {
                x.createQuery("EXPLAIN " + sql).mapTo(String.class).forEach(l -> b.append(l).append('\n'));
            }
            return b.toString();
        });
        assertThat(plans).contains("users_email_search").contains("users_name_search")
                .contains("organizations_name_search").contains("api_keys_name_search")
                .contains("usage_events_time");
    }
}
