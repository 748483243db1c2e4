package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code portal admin …} as operators run it: the packaged jar in a child JVM, against a real server over HTTP,
 * with the token from the environment. Checks output, exit codes, and the database effects.
 */
class OperatorCliIT {
    static PortalHarness h;
    static String admin;
    static String support;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        h = new PortalHarness();
        Run boot = run(null, Map.of("PORTAL_DATABASE_URL", h.db.url(), "PORTAL_DATA_DIR", h.dataDir.toString()),
                "admin", "create-operator", "--email", "first@ops.test");
        assertThat(boot.exit()).as(boot.err()).isZero();
        assertThat(boot.out()).contains("Created operator first@ops.test (admin).");
        // scripts capture stdout: the summary and the token only, log lines go to stderr
        assertThat(boot.out().strip().lines()).hasSize(3).noneMatch(l -> l.startsWith("{"));
        admin = token(boot.out());
        Run added = run(admin, Map.of(), "admin", "operator", "add", "--email", "desk@ops.test", "--role", "support",
                "--reason", "support rota");
        assertThat(added.exit()).as(added.err()).isZero();
        support = token(added.out());
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static String token(String out) {
        return out.lines().filter(l -> l.startsWith("ctop_")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    static Run run(String token, Map<String, String> env, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target", "portal.jar");
        assertThat(jar).as("failsafe runs after package").exists();
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTAL_"));
        pb.environment().put("PORTAL_ADMIN_URL", h.baseUrl());
        if (token != null) {
            pb.environment().put("PORTAL_ADMIN_TOKEN", token);
        }
        pb.environment().putAll(env);
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("CLI finishes").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static Run admin(String token, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "admin";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(token, Map.of(), all);
    }

    static long auditCount(String action, String actor) {
        return h.jdbi().withHandle(x -> x.createQuery(
                        "SELECT count(*) FROM audit_events WHERE action = :a AND actor = :b")
                .bind("a", action).bind("b", actor).mapTo(Long.class).one());
    }

    @Test
    void bootstrap_token_works_and_whoami_names_each_role() throws Exception {
        assertThat(admin(admin, "whoami").out().strip()).isEqualTo("first@ops.test (admin)");
        assertThat(admin(support, "whoami").out().strip()).isEqualTo("desk@ops.test (support)");
        assertThat(auditCount("operator.create", "first@ops.test")).isEqualTo(1);
    }

    @Test
    void key_lookup_and_revoke_with_a_reason_reject_the_key_and_audit_it() throws Exception {
        String key = h.newKey("cli-revoke@example.com");
        String prefix = key.substring(0, 17);
        Run show = admin(support, "key", "show", prefix);
        assertThat(show.exit()).isZero();
        assertThat(show.out()).contains("status:").contains("active").contains("cli-revoke@example.com");
        Run json = admin(support, "key", "show", prefix, "--json");
        JsonNode k = Json.MAPPER.readTree(json.out());
        assertThat(k.path("prefix").asText()).isEqualTo(prefix);

        Run noReason = admin(support, "key", "revoke", prefix);
        assertThat(noReason.exit()).isEqualTo(1);
        assertThat(noReason.err()).contains("--reason");

        Run revoked = admin(support, "key", "revoke", prefix, "--reason", "customer asked by phone");
        assertThat(revoked.exit()).as(revoked.err()).isZero();
        assertThat(revoked.out().strip()).startsWith("Revoked " + prefix);
        assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(401);
        assertThat(h.count("SELECT count(*) FROM audit_events WHERE action = 'api_key.revoke' AND actor = 'desk@ops.test' "
                + "AND reason = 'customer asked by phone' AND target_id = '" + k.path("id").asText() + "'")).isEqualTo(1);
    }

    @Test
    void disabling_an_operator_revokes_their_tokens_and_is_audited() throws Exception {
        // created directly, so the other tests' counts of first@ops.test's operator.create stay as they are
        String leaver = new ai.cortensor.portal.admin.OperatorStore(h.jdbi(), new java.security.SecureRandom())
                .issue("leaver@ops.test", ai.cortensor.portal.admin.Role.SUPPORT,
                        ai.cortensor.portal.audit.Actor.system("test"), "temporary cover").token();
        assertThat(admin(leaver, "whoami").exit()).isZero();

        Run bySupport = admin(support, "operator", "disable", "--email", "leaver@ops.test", "--reason", "not mine");
        assertThat(bySupport.exit()).isEqualTo(3);
        Run self = admin(admin, "operator", "disable", "--email", "first@ops.test", "--reason", "oops");
        assertThat(self.exit()).as(self.err()).isNotZero();
        assertThat(self.err()).contains("yourself");

        Run disabled = admin(admin, "operator", "disable", "--email", "leaver@ops.test", "--reason", "left the team");
        assertThat(disabled.exit()).as(disabled.err()).isZero();
        assertThat(disabled.out()).contains("Disabled operator leaver@ops.test");
        assertThat(admin(leaver, "whoami").exit()).isEqualTo(3);
        assertThat(admin(admin, "operator", "list").out()).doesNotContain("leaver@ops.test");
        assertThat(auditCount("operator.disable", "first@ops.test")).isEqualTo(1);
        Run again = admin(admin, "operator", "disable", "--email", "leaver@ops.test", "--reason", "twice");
        assertThat(again.out()).contains("already disabled");
        assertThat(auditCount("operator.disable", "first@ops.test")).isEqualTo(1);
    }

    @Test
    void exit_codes_say_not_found_forbidden_unauthorized_and_unreachable() throws Exception {
        Run missing = admin(support, "key", "show", "ctsr_zzzzzzzzzzzz");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("No key").contains("not_found").contains("request req_");

        String key = h.newKey("cli-forbidden@example.com");
        long user = h.portal.accounts().findByEmail("cli-forbidden@example.com").orElseThrow().id();
        Run forbidden = admin(support, "account", "unpause", "u" + user, "--reason", "not allowed");
        assertThat(forbidden.exit()).isEqualTo(3);
        assertThat(forbidden.err()).contains("forbidden");

        Run noToken = admin(null, "whoami");
        assertThat(noToken.exit()).isEqualTo(3);
        Run customerKey = admin(key, "whoami");
        assertThat(customerKey.exit()).isEqualTo(3);

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run unreachable = admin(admin, "whoami", "--url", "http://127.0.0.1:" + closedPort);
        assertThat(unreachable.exit()).isEqualTo(4);
        assertThat(admin(admin, "no-such-command").exit()).isEqualTo(1);
    }

    @Test
    void pause_and_unpause_an_account_from_the_cli() throws Exception {
        String key = h.newKey("cli-pause@example.com");
        Run paused = admin(support, "account", "pause", "cli-pause@example.com", "--reason", "spam burst");
        assertThat(paused.exit()).as(paused.err()).isZero();
        assertThat(paused.out()).startsWith("Paused u");
        var refused = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("account_paused");
        Run status = admin(support, "account", "status", "cli-pause@example.com");
        assertThat(status.out()).contains("BLOCKED").contains("account_paused");
        Run user = admin(support, "user", "cli-pause@example.com");
        assertThat(user.out()).contains("pause reason:").contains("spam burst").contains(key.substring(0, 17));

        assertThat(admin(admin, "account", "unpause", "cli-pause@example.com", "--reason", "cleared").exit()).isZero();
        assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
        assertThat(auditCount("account.unpause", "first@ops.test")).isEqualTo(1);
    }

    @Test
    void requests_page_by_cursor_and_one_request_shows_its_lifecycle() throws Exception {
        String key = h.newKey("cli-requests@example.com");
        long user = h.portal.accounts().findByEmail("cli-requests@example.com").orElseThrow().id();
        String last = null;
        for (int i = 0; i < 2; i++) {
            last = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false))
                    .headers().firstValue("x-request-id").orElseThrow();
        }
        org.awaitility.Awaitility.await().until(() -> h.count("SELECT count(*) FROM request_logs WHERE user_id = " + user) == 2);
        Run page = admin(support, "requests", "--account", "u" + user, "--limit", "1");
        assertThat(page.exit()).isZero();
        assertThat(page.out()).contains("REQUEST_ID").contains(last).contains("more: --cursor ");
        String cursor = page.out().lines().filter(l -> l.startsWith("more: --cursor ")).findFirst().orElseThrow()
                .substring("more: --cursor ".length());
        Run next = admin(support, "requests", "--account", "u" + user, "--limit", "1", "--cursor", cursor);
        assertThat(next.out()).doesNotContain(last).doesNotContain("more:");

        Run one = admin(support, "request", last);
        assertThat(one.exit()).isZero();
        assertThat(one.out()).contains("accepted").contains("forwarded").contains("completed").contains("usage_recorded");
    }

    @Test
    void pool_model_and_target_commands_change_state_and_the_audit_log_shows_them() throws Exception {
        assertThat(admin(admin, "pool", "drain", "default", "--reason", "router upgrade").out())
                .contains("router_pool default: live -> draining");
        assertThat(admin(support, "pool", "list").out()).contains("draining");
        assertThat(admin(admin, "pool", "resume", "default", "--reason", "upgrade done").exit()).isZero();
        assertThat(admin(admin, "target", "disable", "default", "a", "--reason", "router a flapping").out())
                .contains("router_target default/a: enabled -> disabled");
        assertThat(admin(admin, "target", "enable", "default", "a", "--reason", "router a fixed").exit()).isZero();
        assertThat(admin(admin, "model", "disable", "oss-120b", "--reason", "bad outputs").exit()).isZero();
        assertThat(admin(support, "model", "list").out()).containsPattern("oss-120b\\s+disabled");
        assertThat(admin(admin, "model", "enable", "oss-120b", "--reason", "fixed").exit()).isZero();
        assertThat(admin(admin, "target", "capacity", "default", "b", "--weight", "2", "--max", "64", "--reason",
                "bigger router").out()).contains("router_target default/b: weight=1 max_concurrency=256 -> weight=2 max_concurrency=64");
        assertThat(admin(admin, "model", "map", "qwen", "nope", "--reason", "typo").exit()).as("no such pool").isEqualTo(2);

        Run audit = admin(support, "audit", "--actor", "first@ops.test", "--action", "pool.drain");
        assertThat(audit.out()).contains("pool.drain").contains("router upgrade");
        JsonNode json = Json.MAPPER.readTree(admin(support, "audit", "--target-type", "router_target", "--json").out());
        assertThat(json.path("data").findValuesAsText("action")).containsExactly("target.capacity", "target.enable", "target.disable");
    }
}
