package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code portal admin billing …} and {@code portal admin model prices} as operators run them: the packaged jar in a
 * child JVM against a real server over HTTP, the token from the environment; output, exit codes and the database.
 */
class BillingCliIT {
    static PortalHarness h;
    static String admin;
    static String support;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() {
        h = new PortalHarness();
        OperatorStore operators = new OperatorStore(h.jdbi(), new SecureRandom());
        admin = operators.issue("cli-money@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
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

    static String account(String email) {
        h.newKey(email);
        return "u" + h.count("SELECT id FROM users WHERE email = '" + email + "'");
    }

    static void traffic(String key, String... models) {
        for (String model : models) {
            String id = h.post("/v1/chat/completions", key, PortalHarness.chatBody(model, false)).headers()
                    .firstValue("x-request-id").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> !h.usageEvents(id).isEmpty());
        }
    }

    @Test
    void an_admin_grants_and_adjusts_in_usd_a_retry_with_the_same_key_adds_nothing_and_support_is_refused()
            throws Exception {
        String acct = account("cli-credits@example.com");
        Run granted = admin(admin, "billing", "grant", acct, "--usd", "12.50", "--reason", "prepaid invoice 77",
                "--idempotency-key", "inv-77");
        assertThat(granted.exit()).as(granted.err()).isZero();
        assertThat(granted.out()).startsWith("Granted $12.50 on " + acct + " (ledger entry ")
                .contains("Balance $12.50, held by requests in flight $0.00, available $12.50.");

        Run retried = admin(admin, "billing", "grant", acct, "--usd", "12.50", "--reason", "prepaid invoice 77",
                "--idempotency-key", "inv-77");
        assertThat(retried.exit()).as(retried.err()).isZero();
        assertThat(retried.out()).startsWith("Already written with this idempotency key, nothing added: $12.50");

        Run adjusted = admin(admin, "billing", "adjust", acct, "--usd", "-2.5", "--reason", "duplicate request refund");
        assertThat(adjusted.exit()).as(adjusted.err()).isZero();
        assertThat(adjusted.out()).startsWith("Adjusted -$2.50 on " + acct).contains("Balance $10.00");

        Run typo = admin(admin, "billing", "grant", acct, "--usd", "12.5.0", "--reason", "typo");
        assertThat(typo.exit()).isEqualTo(1);
        assertThat(typo.err()).contains("--usd must be an amount in USD");
        Run tooPrecise = admin(admin, "billing", "grant", acct, "--usd", "0.0000001", "--reason", "too precise");
        assertThat(tooPrecise.exit()).isEqualTo(1);
        Run bySupport = admin(support, "billing", "grant", acct, "--usd", "5", "--reason", "goodwill");
        assertThat(bySupport.exit()).isEqualTo(3);
        assertThat(bySupport.err()).contains("support role may not do billing.credit");
        Run lost = admin(admin, "billing", "grant", acct, "--usd", "5", "--reason", "unreachable", "--url",
                "http://127.0.0.1:1");
        assertThat(lost.exit()).isEqualTo(4);
        assertThat(lost.err()).contains("run the same command with --idempotency-key cli-");

        assertThat(h.count("SELECT count(*) FROM billing_ledger WHERE account = '" + acct + "'")).isEqualTo(2);
        Run balance = admin(support, "billing", "balance", acct);
        assertThat(balance.exit()).as(balance.err()).isZero();
        assertThat(balance.out()).contains("Balance $10.00").contains("adjustment").contains("-$2.50")
                .contains("credit").contains("$12.50").contains("cli-money@ops.test");
        JsonNode ledger = Json.MAPPER.readTree(admin(support, "billing", "ledger", acct, "--json").out());
        assertThat(ledger.path("data")).hasSize(2);
        assertThat(ledger.path("data").get(0).path("amount_micros").asLong()).isEqualTo(-2_500_000);
        Run balances = admin(support, "billing", "balances", "--sort", "-available");
        assertThat(balances.exit()).isZero();
        assertThat(balances.out()).contains(acct).contains("cli-credits@example.com").contains("$10.00");
    }

    @Test
    void model_prices_are_typed_in_usd_per_million_tokens_and_the_list_shows_them() throws Exception {
        try {
            Run set = admin(admin, "model", "prices", "qwen", "--input", "0.07", "--output", "0.28", "--reasoning",
                    "0.5", "--reason", "new price list");
            assertThat(set.exit()).as(set.err()).isZero();
            assertThat(set.out().strip()).isEqualTo("model qwen prices per million tokens: input $0.06, output $0.24, "
                    + "reasoning as output -> input $0.07, output $0.28, reasoning $0.50");
            assertThat(h.count("SELECT prompt_price FROM models WHERE alias = 'qwen'")).isEqualTo(70_000);
            assertThat(h.count("SELECT reasoning_price FROM models WHERE alias = 'qwen'")).isEqualTo(500_000);
            Run list = admin(support, "model", "list");
            assertThat(list.out().lines().filter(l -> l.startsWith("qwen")).findFirst().orElseThrow())
                    .contains("$0.07").contains("$0.28").contains("$0.50");

            Run cleared = admin(admin, "model", "prices", "qwen", "--reasoning", "none", "--reason", "no reasoning price");
            assertThat(cleared.exit()).as(cleared.err()).isZero();
            assertThat(cleared.out()).contains("-> input $0.07, output $0.28, reasoning as output");
            assertThat(h.count("SELECT count(*) FROM models WHERE alias = 'qwen' AND reasoning_price IS NULL"))
                    .isEqualTo(1);

            assertThat(admin(admin, "model", "prices", "qwen", "--reason", "nothing given").exit()).isEqualTo(1);
            Run precise = admin(admin, "model", "prices", "qwen", "--input", "0.0000001", "--reason", "too precise");
            assertThat(precise.exit()).isEqualTo(1);
            assertThat(precise.err()).contains("--input must be USD per million tokens with at most 6 decimals");
            Run tooHigh = admin(admin, "model", "prices", "qwen", "--output", "1000.000001", "--reason", "too high");
            assertThat(tooHigh.exit()).isEqualTo(1);
            assertThat(tooHigh.err()).contains("output_price must be").contains("invalid_output_price, HTTP 400");
            assertThat(admin(support, "model", "prices", "qwen", "--input", "1", "--reason", "x").exit()).isEqualTo(3);
        } finally {
            admin(admin, "model", "prices", "qwen", "--input", "0.06", "--output", "0.24", "--reasoning", "none",
                    "--reason", "restore");
        }
    }

    @Test
    void reconcile_exits_zero_after_traffic_and_five_printing_every_drift_injected_with_sql() throws Exception {
        String acct = account("cli-reconciled@example.com");
        String key = h.portal.keys().issue("more", Long.parseLong(acct.substring(1)), null, null).token();
        traffic(key, "qwen", "oss-20b");
        Run clean = admin(support, "billing", "reconcile");
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).startsWith("No drift: every balance is the sum of its ledger");

        h.jdbi().useHandle(x -> x.execute("UPDATE billing_balances SET balance_micros = balance_micros + 7 "
                + "WHERE account = ?", acct));
        try {
            Run drift = admin(support, "billing", "reconcile");
            assertThat(drift.exit()).isEqualTo(5);
            String line = drift.out().lines().filter(l -> l.startsWith("balance")).findFirst().orElseThrow();
            assertThat(line).contains(acct).endsWith("$0.000007");
            assertThat(drift.out()).contains("1 drift (checked ");
            Run json = admin(support, "billing", "reconcile", "--json");
            assertThat(json.exit()).isEqualTo(5);
            assertThat(Json.MAPPER.readTree(json.out()).path("drifts").get(0).path("difference_micros").asLong())
                    .isEqualTo(7);
        } finally {
            h.jdbi().useHandle(x -> x.execute("UPDATE billing_balances SET balance_micros = balance_micros - 7 "
                    + "WHERE account = ?", acct));
        }
        assertThat(admin(support, "billing", "reconcile").exit()).isZero();
    }

    @Test
    void spend_prints_the_range_per_model_and_per_day_in_usd() throws Exception {
        String acct = account("cli-spender@example.com");
        String key = h.portal.keys().issue("spend", Long.parseLong(acct.substring(1)), null, null).token();
        traffic(key, "qwen", "gemma-4");
        long cost = h.count("SELECT sum(cost_micros) FROM usage_events WHERE user_id = " + acct.substring(1));
        Run spend = admin(support, "billing", "spend", "--account", acct);
        assertThat(spend.exit()).as(spend.err()).isZero();
        assertThat(spend.out()).contains("of " + acct + ": " + ai.cortensor.portal.billing.Money.usd(cost)
                + " for 2 requests").contains("qwen").contains("gemma-4").contains("COST");
        assertThat(admin(support, "billing", "spend", "--from", "2026-13-01").exit()).isEqualTo(1);
    }

    @Test
    void account_status_headlines_out_of_credits_for_a_prepaid_account_without_any() throws Exception {
        h.newKey("cli-broke@example.com", "prepaid");
        String acct = "u" + h.count("SELECT id FROM users WHERE email = 'cli-broke@example.com'");
        Run status = admin(support, "account", "status", acct);
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("BLOCKED:").contains("Out of credits — insufficient_credits (billing)");
    }

}
