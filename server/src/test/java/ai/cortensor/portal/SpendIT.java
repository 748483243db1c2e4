package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.plans.RedisLimiterSupport;
import ai.cortensor.routersim.Behavior;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Money end to end (issue 15): two gateway replicas on one PostgreSQL and one Redis, the simulators, the official
 * SDKs. Every request's cost is its metered tokens at the prices in force when it was admitted; prepaid credits and
 * budgets hold across replicas exactly; the ledger always equals the usage costs.
 */
class SpendIT {
    private static final Actor OPERATOR = new Actor("ops@example.com", "admin", "req_it", "127.0.0.1");
    static PortalHarness a;
    static Portal b;

    @BeforeAll
    static void start() {
        RedisLimiterSupport.assumeRedis();
        a = new PortalHarness(Map.of("limits.redis-url", RedisLimiterSupport.redisUrl(),
                "limits.redis-namespace", "spend-" + UUID.randomUUID()));
        b = a.startReplica("b");
        // prepaid, with rate limits far above what the tests send: only money refuses here
        a.jdbi().useHandle(h -> {
            h.execute("INSERT INTO plans (code, name, limits, prepaid) VALUES ('prepaid-it', 'Prepaid (tests)', "
                    + "'{\"rpm\": 100000, \"tpm\": 100000000, \"max_concurrent\": 1000}', TRUE)");
            h.execute("INSERT INTO model_access_policies (plan_id, model_alias) SELECT p.id, m.alias FROM plans p, "
                    + "models m WHERE p.code = 'prepaid-it'");
        });
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void a_request_costs_its_metered_tokens_at_the_model_prices_and_the_ledger_says_so() {
        String key = a.newKey("cost@example.com");
        HttpResponse<String> out = a.post("/v1/chat/completions", key, PortalHarness.chatBody("oss-20b", false));
        assertThat(out.statusCode()).isEqualTo(200);
        String id = out.headers().firstValue("x-request-id").orElseThrow();
        Map<String, Object> event = awaitUsage(id);
        long prompt = ((Number) event.get("prompt_tokens")).longValue();
        long completion = ((Number) event.get("completion_tokens")).longValue();
        // oss-20b: $0.05 in, $0.20 out per million tokens (V21); rounded half up to a whole micro-USD
        long expected = (prompt * 50_000 + completion * 200_000 + 500_000) / 1_000_000;
        assertThat(event.get("cost_micros")).isEqualTo(expected);
        assertThat(event.get("prompt_price")).isEqualTo(50_000L);
        assertThat(a.count("SELECT -amount_micros FROM billing_ledger WHERE request_id = '" + id + "'"))
                .isEqualTo(expected);
        assertThat(a.portal.billing().reconcile()).isEmpty();
    }

    @Test
    void two_hundred_concurrent_requests_on_two_replicas_spend_exactly_the_credits_that_cover_n_of_them()
            throws Exception {
        // qwen at $1 per million output tokens and nothing for input: a request of 8 output tokens costs exactly
        // its worst case, 8 micro-USD, whatever the timing — so the credits cover exactly N requests
        a.behave(Behavior.defaults().withCompletionTokens(64));
        setPrices("qwen", 0, 1_000_000);
        String key = prepaidKey("race@example.com");
        long account = userOf("race@example.com");
        int n = 37;
        a.portal.billing().grant("u" + account, 8L * n, "test credits", OPERATOR, null);
        String body = "{\"model\":\"qwen\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"Tell a long story\"}]}";
        List<String> urls = List.of(a.baseUrl(), "http://127.0.0.1:" + b.port());
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String url = urls.get(i % 2);
            calls.add(() -> a.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build()).statusCode());
        }
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(calls)) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes.stream().filter(c -> c == 200).count()).as("admitted across both replicas").isEqualTo(n);
        assertThat(codes.stream().filter(c -> c == 402).count()).isEqualTo(200 - n);
        awaitLedgerSettled("u" + account, n);
        var balance = a.portal.billing().balance("u" + account);
        assertThat(balance.balanceMicros()).isZero();
        assertThat(balance.reservedMicros()).isZero();
        assertThat(a.portal.billing().reconcile()).isEmpty();
        setPrices("qwen", 60_000, 240_000);
        a.behave(Behavior.defaults());
    }

    @Test
    void out_of_credits_is_a_402_the_openai_and_anthropic_sdks_raise_as_typed_errors_naming_the_fix() {
        String key = prepaidKey("broke@example.com");
        OpenAIClient openai = OpenAIOkHttpClient.builder().baseUrl(a.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
        assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen").addUserMessage("Hello").build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(402);
                    assertThat(e.code()).hasValue("insufficient_credits");
                    assertThat(e.getMessage()).contains("Add credits");
                });
        AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl(a.baseUrl()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
        assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder()
                .model(Model.of("qwen")).maxTokens(16).addUserMessage("Hello").build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(402);
                    assertThat(e.getMessage()).contains("billing_error");
                });
    }

    @Test
    void a_daily_budget_on_a_key_holds_across_replicas_and_refuses_with_402_budget_exceeded() throws Exception {
        String key = a.newKey("budget@example.com");
        long keyId = keyIdOf("budget@example.com");
        // oss-120b output at $0.50 per million: 16 tokens are 8 micro-USD, the budget 20 — two fit, the third not
        a.portal.billing().setBudget(Budget.Scope.KEY, Long.toString(keyId), Budget.Period.DAY, 20L, OPERATOR);
        setPrices("oss-120b", 0, 500_000);
        String body = "{\"model\":\"oss-120b\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        a.behave(Behavior.defaults().withCompletionTokens(64));
        try {
            assertThat(a.post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200);
            assertThat(postTo(b, key, body).statusCode()).isEqualTo(200);
            HttpResponse<String> third = postTo(b, key, body);
            assertThat(third.statusCode()).isEqualTo(402);
            assertThat(third.body()).contains("budget_exceeded").contains("per day on this key");
        } finally {
            setPrices("oss-120b", 100_000, 500_000);
            a.behave(Behavior.defaults());
        }
    }

    @Test
    void streams_cut_by_the_router_or_left_by_the_client_cost_what_was_metered_never_the_whole_output_limit()
            throws Exception {
        String key = a.newKey("cut@example.com");
        a.behave(Behavior.defaults().withCompletionTokens(400).withTokensPerSecond(200).withCutAfterChunks(5));
        String body = "{\"model\":\"gemma-4\",\"stream\":true,\"max_tokens\":400,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Stream a lot\"}]}";
        try {
            HttpResponse<String> cut = a.post("/v1/chat/completions", key, body);
            String cutId = cut.headers().firstValue("x-request-id").orElseThrow();
            assertMeteredCost(awaitUsage(cutId), 80_000, 300_000, cutId);

            a.behave(Behavior.defaults().withCompletionTokens(400).withTokensPerSecond(50));
            HttpResponse<InputStream> left = a.http.send(HttpRequest.newBuilder(URI.create(a.baseUrl()
                            + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String leftId = left.headers().firstValue("x-request-id").orElseThrow();
            try (InputStream in = left.body()) {
                in.readNBytes(600); // a few chunks, then the client goes away
            }
            Map<String, Object> event = awaitUsage(leftId);
            assertThat(((Number) event.get("completion_tokens")).longValue()).isLessThan(400);
            assertMeteredCost(event, 80_000, 300_000, leftId);
        } finally {
            a.behave(Behavior.defaults());
        }
    }

    @Test
    void a_price_change_applies_to_requests_admitted_after_it_on_every_replica_and_never_to_earlier_ones()
            throws Exception {
        String key = a.newKey("reprice@example.com");
        String body = PortalHarness.chatBody("gemma-4", false);
        String before = a.post("/v1/chat/completions", key, body).headers().firstValue("x-request-id").orElseThrow();
        setPrices("gemma-4", 1_000_000, 2_000_000);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String after;
            do { // the catalog change reaches replica b through the change feed
                after = postTo(b, key, body).headers().firstValue("x-request-id").orElseThrow();
            } while (!awaitUsage(after).get("prompt_price").equals(1_000_000L) && System.nanoTime() < deadline);
            assertMeteredCost(awaitUsage(before), 80_000, 300_000, before);
            assertMeteredCost(awaitUsage(after), 1_000_000, 2_000_000, after);
        } finally {
            setPrices("gemma-4", 80_000, 300_000);
        }
        assertThat(a.portal.billing().reconcile()).isEmpty();
    }

    private static void assertMeteredCost(Map<String, Object> event, long in, long out, String id) {
        long prompt = ((Number) event.get("prompt_tokens")).longValue();
        long completion = ((Number) event.get("completion_tokens")).longValue();
        assertThat(event.get("prompt_price")).isEqualTo(in);
        assertThat(event.get("completion_price")).isEqualTo(out);
        long expected = (prompt * in + completion * out + 500_000) / 1_000_000;
        assertThat(event.get("cost_micros")).as("cost of %s", id).isEqualTo(expected);
        assertThat(a.count("SELECT -amount_micros FROM billing_ledger WHERE request_id = '" + id + "'"))
                .isEqualTo(expected);
    }

    private static HttpResponse<String> postTo(Portal replica, String key, String body) {
        return a.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static void setPrices(String model, long in, long out) {
        a.jdbi().useHandle(h -> h.createUpdate("UPDATE models SET prompt_price = :i, completion_price = :o WHERE alias = :m")
                .bind("i", in).bind("o", out).bind("m", model).execute());
        a.portal.catalog().reload();
        b.catalog().reload();
    }

    private static String prepaidKey(String email) {
        return a.newKey(email, "prepaid-it");
    }

    private static long userOf(String email) {
        return a.count("SELECT id FROM users WHERE email = '" + email + "'");
    }

    private static long keyIdOf(String email) {
        return a.count("SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.email = '" + email + "'");
    }

    private static Map<String, Object> awaitUsage(String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> rows = a.usageEvents(requestId);
            if (!rows.isEmpty()) {
                return rows.getFirst();
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no usage event for " + requestId);
    }

    private static void awaitLedgerSettled(String account, int entries) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (a.count("SELECT count(*) FROM billing_ledger WHERE account = '" + account + "' AND entry_type = 'usage'")
                    == entries && a.count("SELECT count(*) FROM billing_holds WHERE account = '" + account + "'") == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the ledger of " + account + " did not settle");
    }
}
