package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.ResponseCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model an operator disabled, one they paused, and one whose only pool is paused, through the official OpenAI and
 * Anthropic SDKs on every route that names a model — chat completions, Responses, Messages, count_tokens and
 * {@code /v1/models/{id}} — and on the customer's Models page: disabled is {@code 404 model_disabled} (not "does not
 * exist"), paused or without capacity is {@code 503 model_unavailable} with {@code Retry-After}, each in its
 * dialect's shape with the request id. The SDKs run without retries so every answer is seen as sent.
 */
class UnavailableModelsIT {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static PortalTestSupport.Running portal;
    static String operator;
    static String key;
    static OpenAIClient openai;
    static AnthropicClient anthropic;

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start(Map.of(
                "pool.spare.targets", "cortensor-v3 ${B} session=11 key=main name=s",
                "pool.spare.models", "oss-20b"));
        operator = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("root@ops.test", Role.ADMIN, Actor.system("test"), "test setup").token();
        key = portal.newKey("sdk-user@example.com");
        openai = OpenAIOkHttpClient.builder().baseUrl(portal.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl(portal.baseUrl()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    @AfterEach
    void restore() {
        admin("/admin/api/models/oss-120b/enable");
        admin("/admin/api/models/gemma-4/resume");
        admin("/admin/api/pools/spare/resume");
    }

    @Test
    void a_disabled_model_is_404_model_disabled_on_every_route_and_no_longer_listed() {
        admin("/admin/api/models/oss-120b/disable");
        await().atMost(Duration.ofSeconds(5)).until(() -> raw("/v1/chat/completions", "oss-120b").statusCode() == 404);

        assertThatThrownBy(() -> openai.chat().completions().create(chat("oss-120b")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("model_disabled");
                    assertThat(e.param()).contains("model");
                    assertThat(e.getMessage()).contains("oss-120b").contains("disabled").doesNotContain("does not exist");
                });
        assertThatThrownBy(() -> openai.responses().create(responses("oss-120b")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_disabled"));
        assertThatThrownBy(() -> openai.models().retrieve("oss-120b"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_disabled"));
        assertThat(openai.models().list().data()).extracting(Model::id).doesNotContain("oss-120b").contains("qwen");
        assertThatThrownBy(() -> anthropic.messages().create(messages("oss-120b")))
                .isInstanceOfSatisfying(com.anthropic.errors.NotFoundException.class, e -> {
                    assertThat(e.type()).contains(ErrorType.NOT_FOUND_ERROR);
                    assertThat(e.errorCode()).contains("model_disabled");
                    assertThat(e.apiMessage().orElseThrow()).startsWith("model: ").contains("disabled");
                    assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
                });
        assertThatThrownBy(() -> anthropic.messages().countTokens(countTokens("oss-120b")))
                .isInstanceOfSatisfying(com.anthropic.errors.NotFoundException.class,
                        e -> assertThat(e.errorCode()).contains("model_disabled"));
        HttpResponse<String> completions = raw("/v1/completions", "oss-120b");
        assertThat(completions.statusCode()).isEqualTo(404);
        assertThat(completions.body()).contains("\"code\":\"model_disabled\"");

        assertThatThrownBy(() -> openai.chat().completions().create(chat("no-such-model")))
                .as("an unknown model still says so")
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    void a_paused_model_is_503_model_unavailable_with_retry_after_on_every_route_and_stays_listed() {
        admin("/admin/api/models/gemma-4/pause");
        await().atMost(Duration.ofSeconds(5)).until(() -> raw("/v1/chat/completions", "gemma-4").statusCode() == 503);
        assertUnavailableEverywhere("gemma-4", "paused");
        assertThat(openai.models().list().data()).extracting(Model::id).as("a pause is temporary").contains("gemma-4");

        admin("/admin/api/models/gemma-4/resume");
        await().atMost(Duration.ofSeconds(5)).until(() -> raw("/v1/chat/completions", "gemma-4").statusCode() == 200);
        assertThat(openai.models().retrieve("gemma-4").id()).isEqualTo("gemma-4");
    }

    @Test
    void a_model_whose_only_pool_is_paused_is_503_model_unavailable_on_every_route() {
        admin("/admin/api/pools/spare/pause");
        await().atMost(Duration.ofSeconds(5)).until(() -> raw("/v1/chat/completions", "oss-20b").statusCode() == 503);
        assertUnavailableEverywhere("oss-20b", "pool spare is paused");
    }

    @Test
    void the_models_page_shows_each_models_state() {
        admin("/admin/api/models/oss-120b/disable");
        admin("/admin/api/models/gemma-4/pause");
        PortalHttp web = new PortalHttp(portal.baseUrl()).signUp("looker@example.com", PortalTestSupport.PASSWORD);
        await().atMost(Duration.ofSeconds(5)).until(() -> web.get("/portal/models").body()
                .contains("data-state=\"disabled\""));
        String page = web.get("/portal/models").body();
        assertThat(state(page, "oss-120b")).contains("data-state=\"disabled\"").contains("Disabled")
                .contains("model_disabled");
        assertThat(state(page, "gemma-4")).contains("data-state=\"unavailable\"").contains("Temporarily unavailable")
                .contains("paused");
        assertThat(state(page, "qwen")).contains("data-state=\"available\"").contains("Available");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** 503 model_unavailable with Retry-After from both SDKs on every route, its message containing {@code why}. */
    static void assertUnavailableEverywhere(String model, String why) {
        List<Runnable> openaiCalls = List.of(
                () -> openai.chat().completions().create(chat(model)),
                () -> openai.responses().create(responses(model)),
                () -> openai.models().retrieve(model));
        for (Runnable call : openaiCalls) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(InternalServerException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(e.code()).contains("model_unavailable");
                assertThat(e.getMessage()).contains(model).contains(why);
                assertThat(e.headers().values("retry-after")).containsExactly("5");
            });
        }
        List<Runnable> anthropicCalls = List.of(
                () -> anthropic.messages().create(messages(model)),
                () -> anthropic.messages().countTokens(countTokens(model)));
        for (Runnable call : anthropicCalls) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(ServiceUnavailableException.class, e -> {
                assertThat(e.type()).contains(ErrorType.OVERLOADED_ERROR);
                assertThat(e.errorCode()).contains("model_unavailable");
                assertThat(e.apiMessage().orElseThrow()).contains(model).contains(why);
                assertThat(e.headers().values("retry-after")).containsExactly("5");
                assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
            });
        }
        HttpResponse<String> completions = raw("/v1/completions", model);
        assertThat(completions.statusCode()).isEqualTo(503);
        assertThat(completions.headers().firstValue("retry-after")).hasValue("5");
    }

    /** The Models page's row of one model. */
    static String state(String page, String model) {
        int at = page.indexOf("id=\"model-" + model + "\"");
        assertThat(at).as("row of %s", model).isPositive();
        return page.substring(at, page.indexOf("</tr>", at));
    }

    static ChatCompletionCreateParams chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Hi").build();
    }

    static ResponseCreateParams responses(String model) {
        return ResponseCreateParams.builder().model(model).input("Hi").build();
    }

    static MessageCreateParams messages(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(64).addUserMessage("Hi").build();
    }

    static MessageCountTokensParams countTokens(String model) {
        return MessageCountTokensParams.builder().model(model).addUserMessage("Hi").build();
    }

    static HttpResponse<String> raw(String path, String model) {
        String body = path.endsWith("/completions") && !path.contains("chat")
                ? "{\"model\":\"" + model + "\",\"prompt\":\"Hi\",\"max_tokens\":8}"
                : "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        return send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static void admin(String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(portal.baseUrl() + path))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"unavailable models test\"}")));
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
    }

    static HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
