package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.plans.RedisLimiterSupport;
import ai.cortensor.portal.plans.WhyBlocked;
import ai.cortensor.portal.json.Json;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Plans enforced by the gateway over real HTTP: exact admission under concurrency, on one replica and on two. */
class RateLimitsIT {

    static final String RPM50 = "{\"rpm\": 50, \"tpm\": 100000000, \"max_concurrent\": 1000}";

    /** Fires {@code perTarget} requests at each base URL at once; returns the status codes. */
    static List<Integer> burst(PortalHarness h, List<String> baseUrls, String key, int perTarget) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> all = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String base : baseUrls) {
                for (int i = 0; i < perTarget; i++) {
                    all.add(pool.submit(() -> {
                        go.await();
                        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/chat/completions"))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("qwen", false)))
                                .build();
                        return h.send(req).statusCode();
                    }));
                }
            }
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : all) {
                codes.add(f.get());
            }
            return codes;
        }
    }

    @Test
    void two_hundred_concurrent_requests_at_rpm_50_admit_exactly_fifty() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("rpm50", RPM50);
            String key = h.newKey("burst@example.com", "rpm50");
            List<Integer> codes = burst(h, List.of(h.baseUrl()), key, 200);
            assertThat(codes.stream().filter(c -> c == 200).count()).isEqualTo(50);
            assertThat(codes.stream().filter(c -> c == 429).count()).isEqualTo(150);

            HttpResponse<String> r = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
            assertThat(r.statusCode()).isEqualTo(429);
            var error = Json.MAPPER.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");
            assertThat(error.get("message").asText()).contains("50 requests per minute on your account");
            assertThat(r.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
            assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !h.requestLog(id).isEmpty());
            assertThat(h.requestLog(id).get("block_reason")).isEqualTo("rate_limit_exceeded:rpm");
        }
    }

    @Test
    void two_replicas_sharing_redis_and_postgres_admit_exactly_fifty_together() throws Exception {
        RedisLimiterSupport.assumeRedis();
        String namespace = "it-" + UUID.randomUUID();
        Map<String, String> shared = Map.of("limits.redis-url", RedisLimiterSupport.redisUrl(),
                "limits.redis-namespace", namespace);
        try (PortalHarness a = new PortalHarness(shared)) {
            a.plan("rpm50", RPM50);
            String key = a.newKey("replicas@example.com", "rpm50");
            try (Portal b = a.startReplica("b")) {
                List<Integer> codes = burst(a, List.of(a.baseUrl(), "http://127.0.0.1:" + b.port()), key, 100);
                assertThat(codes.stream().filter(c -> c == 200).count()).as("admitted across both replicas").isEqualTo(50);
                assertThat(codes.stream().filter(c -> c == 429).count()).isEqualTo(150);
            }
        }
    }

    @Test
    void every_completion_response_carries_the_rate_limit_headers() {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("rpm50", RPM50);
            String key = h.newKey("headers@example.com", "rpm50");
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> r = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", stream));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("50");
                assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).isPresent();
                assertThat(r.headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(v -> assertThat(v).matches("\\d+(ms|s)|\\d+m\\d+s"));
                assertThat(r.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100000000");
                assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).isPresent();
                assertThat(r.headers().firstValue("x-ratelimit-reset-tokens")).isPresent();
            }
            HttpResponse<String> first = h.post("/v1/completions", key, "{\"model\":\"qwen\",\"prompt\":\"x\"}");
            HttpResponse<String> second = h.post("/v1/completions", key, "{\"model\":\"qwen\",\"prompt\":\"x\"}");
            assertThat(Long.parseLong(second.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow()))
                    .isEqualTo(Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow()) - 1);
        }
    }

    @Test
    void the_openai_sdk_sees_its_rate_limit_exception_and_honours_retry_after() {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("burst1", "{\"short_window_requests\": 1, \"short_window_seconds\": 2}");
            String key = h.newKey("sdk-limits@example.com", "burst1");
            var params = ChatCompletionCreateParams.builder().model("qwen").addUserMessage("hi").build();
            var noRetry = OpenAIOkHttpClient.builder().baseUrl(h.baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
            noRetry.chat().completions().create(params);
            assertThatThrownBy(() -> noRetry.chat().completions().create(params))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(429);
                        assertThat(e.code()).contains("rate_limit_exceeded");
                        assertThat(e.headers().values("retry-after")).isNotEmpty();
                    });

            var retrying = OpenAIOkHttpClient.builder().baseUrl(h.baseUrl() + "/v1").apiKey(key).maxRetries(3).build();
            long start = System.nanoTime();
            assertThat(retrying.chat().completions().create(params).choices()).hasSize(1);
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMs).as("the SDK waited for Retry-After before succeeding").isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void an_exhausted_weekly_allowance_is_insufficient_quota_and_why_blocked_says_the_same() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("tiny", "{\"weekly_requests\": 3, \"rpm\": 100}");
            String key = h.newKey("quota@example.com", "tiny");
            var apiKey = h.portal.keys().find(key.substring(5, 17)).orElseThrow();
            WhyBlocked why = new WhyBlocked(h.portal.rules());
            for (int i = 0; i < 3; i++) {
                assertThat(why.forKey(apiKey, "qwen")).as("nothing blocks yet").isEmpty();
                assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> r = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
            assertThat(r.statusCode()).isEqualTo(429);
            var error = Json.MAPPER.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("insufficient_quota");
            assertThat(error.get("type").asText()).isEqualTo("insufficient_quota");
            // a wait of days reads in days and hours ("6 d 22 h"), never as "166h59m59s"
            assertThat(error.get("message").asText()).contains("3 requests per week")
                    .containsPattern("frees up in [67] d( \\d{1,2} h)?;").doesNotContainPattern("\\d+h\\d+m");
            assertThat(why.forKey(apiKey, "qwen")).extracting(WhyBlocked.Reason::code).containsExactly("insufficient_quota");
            // the same words as the gateway's error: one rule, one message
            assertThat(why.forKey(apiKey, "qwen").get(0).message()).startsWith("You have used your allowance of 3 requests per week")
                    .containsPattern("frees up in [67] d( \\d{1,2} h)?;");
        }
    }

    @Test
    void the_weekly_allowance_survives_a_restart_of_the_gateway() {
        PortalHarness h = new PortalHarness();
        try {
            h.plan("tiny", "{\"weekly_requests\": 3}");
            String key = h.newKey("restart-quota@example.com", "tiny");
            for (int i = 0; i < 3; i++) {
                assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
            }
            h.portal.close(); // flushes the request log: the only memory of this week's usage in local mode
            Map<String, String> values = new HashMap<>();
            values.put("http.port", "0");
            values.put("management.port", "0");
            values.put("data.dir", h.dataDir.toString());
            values.put("database.url", h.db.url());
            values.put("pool.default.targets", "cortensor-v3 " + h.simA.baseUrl() + " session=11 key=main name=a");
            values.put("router.secret.main", PortalHarness.ROUTER_KEY);
            try (Portal again = Portal.start(ConfigLoader.fromMap(values), InstantSource.system())) {
                var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + again.port()
                                + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(PortalHarness.chatBody("qwen", false))).build();
                HttpResponse<String> r = h.send(req);
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.body()).contains("insufficient_quota");
            }
        } finally {
            h.simA.close();
            h.simB.close();
            h.db.close();
        }
    }

    @Test
    void a_model_outside_the_plan_is_403_model_not_entitled_and_why_blocked_agrees() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("qwen-only", "{\"rpm\": 100}");
            h.jdbi().useHandle(x -> x.execute("INSERT INTO model_access_policies (plan_id, model_alias) "
                    + "SELECT id, 'qwen' FROM plans WHERE code = 'qwen-only'"));
            String key = h.newKey("entitled@example.com", "qwen-only");
            assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
            HttpResponse<String> r = h.post("/v1/chat/completions", key, PortalHarness.chatBody("gemma-4", false));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(Json.MAPPER.readTree(r.body()).get("error").get("code").asText()).isEqualTo("model_not_entitled");
            var apiKey = h.portal.keys().find(key.substring(5, 17)).orElseThrow();
            assertThat(new WhyBlocked(h.portal.rules())
                    .forKey(apiKey, "gemma-4")).extracting(WhyBlocked.Reason::code).containsExactly("model_not_entitled");
        }
    }

    @Test
    void a_key_with_its_own_tighter_limit_is_held_to_it_while_the_account_is_not() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            String tight = h.newKey("key-limits@example.com");
            var apiKey = h.portal.keys().find(tight.substring(5, 17)).orElseThrow();
            new ai.cortensor.portal.keys.KeyStore(h.jdbi()).setLimits(apiKey.id(), Map.of("rpm", 2L));
            h.portal.keys().forget(apiKey);
            String other = h.newKey("key-limits@example.com"); // same account, no own limits
            for (int i = 0; i < 2; i++) {
                assertThat(h.post("/v1/chat/completions", tight, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> r = h.post("/v1/chat/completions", tight, PortalHarness.chatBody("qwen", false));
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.body()).contains("2 requests per minute on this key");
            assertThat(h.post("/v1/chat/completions", other, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void keys_of_a_paused_account_are_refused_with_their_own_code() throws Exception {
        try (PortalHarness h = new PortalHarness()) {
            long user = h.portal.accounts().ensureUser("paused@example.com", null);
            h.jdbi().useHandle(x -> x.execute("UPDATE users SET state = 'paused' WHERE id = " + user));
            String key = h.portal.keys().issue("k", user, null, null).token();
            HttpResponse<String> r = h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(Json.MAPPER.readTree(r.body()).get("error").get("code").asText()).isEqualTo("account_paused");
        }
    }

    @Test
    void a_plan_change_takes_effect_on_the_next_request() {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("one", "{\"rpm\": 1}");
            String key = h.newKey("upgrade@example.com", "one");
            assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(429);
            h.newKey("upgrade@example.com", "dedicated"); // changes the account's plan (and adds a key)
            assertThat(h.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false)).statusCode()).isEqualTo(200);
        }
    }
}
