package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.accounts.OrganizationStore;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 items 5–7 in {@code portal admin …} as operators run it (the packaged jar in a child JVM, over HTTP):
 * find, users, orgs, key list --query, account top, account plan, account limits, plan list, traffic — output,
 * exit codes, and what the server then does.
 */
class SupportCliIT {
    static PortalHarness h;
    static String admin;
    static String support;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() {
        h = new PortalHarness();
        OperatorStore operators = new OperatorStore(h.jdbi(), new SecureRandom());
        admin = operators.issue("cli-admin@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        support = operators.issue("cli-desk@ops.test", Role.SUPPORT, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static Run admin(String token, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target", "portal.jar");
        assertThat(jar).as("failsafe runs after package").exists();
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString(), "admin"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTAL_"));
        pb.environment().put("PORTAL_ADMIN_URL", h.baseUrl());
        pb.environment().put("PORTAL_ADMIN_TOKEN", token);
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("CLI finishes").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void find_lists_users_organizations_and_keys_matching_part_of_a_name_and_says_when_nothing_matches() throws Exception {
        long dana = h.portal.accounts().ensureUser("dana@globex-corp.com", "Dana Scully");
        new OrganizationStore(h.jdbi()).create("Globex Corporation", dana, Actor.system("test"));
        String key = h.portal.keys().issue("globex-batch", dana, null, null).token();

        Run found = admin(support, "find", "GLOBEX");
        assertThat(found.exit()).as(found.err()).isZero();
        assertThat(found.out()).startsWith("Matching “GLOBEX”: 1 user, 1 organization, 1 key.")
                .contains("Users:").contains("dana@globex-corp.com").contains("Dana Scully")
                .contains("Organizations:").contains("Globex Corporation")
                .contains("Keys:").contains(key.substring(0, 17)).contains("globex-batch");

        Run nothing = admin(support, "find", "no-such-customer-xyz");
        assertThat(nothing.exit()).isZero();
        assertThat(nothing.out().strip()).isEqualTo("No users, organizations or keys match “no-such-customer-xyz”.");

        Run tooShort = admin(support, "find", "gl");
        assertThat(tooShort.exit()).isEqualTo(1);
        assertThat(tooShort.err()).contains("at least 3 characters").contains("query_too_short");

        Run users = admin(support, "users", "@globex-corp.com");
        assertThat(users.out()).contains("Users whose email or name contains “@globex-corp.com”:")
                .contains("u" + dana);
        Run orgs = admin(support, "orgs", "corporation");
        assertThat(orgs.out()).contains("Globex Corporation");
        Run keys = admin(support, "key", "list", "--query", "batch");
        assertThat(keys.out()).contains(key.substring(0, 17));
        JsonNode json = Json.MAPPER.readTree(admin(support, "find", "globex", "--json").out());
        assertThat(json.path("users").path("data").get(0).path("email").asText()).isEqualTo("dana@globex-corp.com");
    }

    @Test
    void users_without_a_query_are_the_newest_sign_ups_and_pages_continue_with_the_printed_cursor() throws Exception {
        long first = h.portal.accounts().ensureUser("signup-one@new.test", null);
        long second = h.portal.accounts().ensureUser("signup-two@new.test", null);
        Run page = admin(support, "users", "--limit", "1");
        assertThat(page.out()).startsWith("Newest sign-ups:").contains("signup-two@new.test");
        String more = page.out().lines().filter(l -> l.startsWith("more: --cursor ")).findFirst().orElseThrow();
        Run next = admin(support, "users", "--limit", "1", "--cursor", more.substring("more: --cursor ".length()));
        assertThat(next.out()).contains("u" + first).doesNotContain("u" + second);
    }

    @Test
    void account_top_ranks_accounts_by_tokens_over_the_window() throws Exception {
        String key = h.newKey("top-user@usage.test");
        assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
        String account = "u" + h.portal.accounts().findByEmail("top-user@usage.test").orElseThrow().id();
        Run top = null;
        for (int i = 0; i < 50; i++) { // the usage writer batches every few milliseconds
            top = admin(support, "account", "top", "--window", "1h");
            if (top.out().contains(account)) {
                break;
            }
        }
        assertThat(top.out()).startsWith("Accounts by tokens over the last 1h").contains(account)
                .contains("top-user@usage.test");
        Run bad = admin(support, "account", "top", "--window", "1y");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("invalid_window");
    }

    @Test
    void an_admin_changes_the_plan_and_limit_overrides_with_a_reason_and_the_gateway_follows() throws Exception {
        String key = h.newKey("cli-plan@example.com", "developer");
        String account = "u" + h.portal.accounts().findByEmail("cli-plan@example.com").orElseThrow().id();

        assertThat(admin(support, "plan", "list").out()).contains("developer").contains("rpm=120");
        Run bySupport = admin(support, "account", "plan", account, "pro", "--reason", "not mine to give");
        assertThat(bySupport.exit()).isEqualTo(3);
        Run noReason = admin(admin, "account", "plan", account, "pro");
        assertThat(noReason.exit()).isEqualTo(1);
        assertThat(noReason.err()).contains("--reason");

        Run moved = admin(admin, "account", "plan", account, "pro", "--reason", "upgrade, ticket #88");
        assertThat(moved.exit()).as(moved.err()).isZero();
        assertThat(moved.out().strip()).isEqualTo("Moved " + account + " from plan developer to pro.");
        assertThat(admin(admin, "account", "plan", account, "pro", "--reason", "again").out().strip())
                .isEqualTo(account + " already is on plan pro; nothing changed.");

        Run set = admin(admin, "account", "limits", account, "--set", "rpm=5", "--set", "weekly_tokens=1_000_000",
                "--reason", "launch week, ticket #91");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out().strip()).isEqualTo("Limit overrides of " + account + ": none -> rpm=5, weekly_tokens=1000000");
        assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).headers()
                .firstValue("x-ratelimit-limit-requests")).hasValue("5");
        Run shown = admin(support, "account", "limits", account);
        assertThat(shown.out()).contains("Limit overrides: rpm=5, weekly_tokens=1000000 (set by cli-admin@ops.test")
                .contains("launch week, ticket #91");
        Run status = admin(support, "account", "status", account);
        assertThat(status.out()).contains("plan pro").contains("limit overrides: rpm=5, weekly_tokens=1000000")
                .containsPattern("account\\s+rpm\\s+\\d+\\s+5\\s+override");

        Run unset = admin(admin, "account", "limits", account, "--unset", "rpm", "--reason", "launch over");
        assertThat(unset.out().strip()).isEqualTo("Limit overrides of " + account
                + ": rpm=5, weekly_tokens=1000000 -> weekly_tokens=1000000");
        Run cleared = admin(admin, "account", "limits", account, "--clear", "--reason", "back to the plan");
        assertThat(cleared.out().strip()).endsWith("-> none");
        assertThat(admin(support, "account", "limits", account).out().strip())
                .isEqualTo("No limit overrides: the plan's limits apply.");
        Run badValue = admin(admin, "account", "limits", account, "--set", "rpm=lots", "--reason", "x");
        assertThat(badValue.exit()).isEqualTo(1);
        assertThat(badValue.err()).contains("--set rpm=lots");
        Run badKey = admin(admin, "account", "limits", account, "--set", "rph=5", "--reason", "x");
        assertThat(badKey.exit()).isEqualTo(1);
        assertThat(badKey.err()).contains("Unknown limit 'rph'");
        assertThat(h.count("SELECT count(*) FROM audit_events WHERE action = 'account.limits' AND target_id = '"
                + account + "'")).isEqualTo(3);
        assertThat(h.count("SELECT count(*) FROM audit_events WHERE action = 'account.plan' AND target_id = '"
                + account + "' AND reason = 'upgrade, ticket #88'")).isEqualTo(1);
    }

    @Test
    void traffic_prints_requests_errors_latency_and_tokens_per_model_and_pool() throws Exception {
        String key = h.newKey("traffic-cli@example.com");
        assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
        Run t = null;
        for (int i = 0; i < 50; i++) {
            t = admin(support, "traffic");
            if (t.out().lines().anyMatch(l -> l.startsWith("qwen "))) {
                break;
            }
        }
        assertThat(t.exit()).as(t.err()).isZero();
        assertThat(t.out()).contains("(1h, 60 s buckets)").contains("MODEL").contains("POOL").contains("P99_MS")
                .containsPattern("(?m)^default\\s+\\d+");
        assertThat(admin(support, "traffic", "--window", "24h").out()).contains("(24h, 900 s buckets)");
    }
}
