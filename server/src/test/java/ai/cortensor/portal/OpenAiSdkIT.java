package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.cortensor.routersim.Behavior;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unmodified, against the real server, PostgreSQL and router simulators. */
class OpenAiSdkIT {
    static PortalHarness harness;
    static String key;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        harness = new PortalHarness();
        key = harness.newKey("sdk@example.com");
        client = sdk(key);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void defaults() {
        harness.behave(Behavior.defaults());
    }

    static OpenAIClient sdk(String apiKey) {
        return sdkFor(harness, apiKey);
    }

    /** The SDK pointed at {@code h}, without its own retries (a test sees every answer as it is). */
    static OpenAIClient sdkFor(PortalHarness h, String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(h.baseUrl() + "/v1").apiKey(apiKey)
                .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void chat_completion_returns_the_router_text_and_its_usage() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen").addSystemMessage("Be brief.").addUserMessage("Hello there").build());

        assertThat(c.choices()).hasSize(1);
        // qwen thinks first: the reasoning is in reasoning_content, the answer alone in content
        assertThat(c.choices().get(0).message().content()).contains(SimWords.text(16).strip());
        assertThat(c.choices().get(0).message()._additionalProperties().get("reasoning_content")).isNotNull();
        assertThat(c.model()).isEqualTo("qwen");
        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.usage().orElseThrow().completionTokens()).as("answer and reasoning tokens").isGreaterThan(16);
        long reasoning = c.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens().orElseThrow();
        assertThat(reasoning).isPositive().isLessThan(c.usage().orElseThrow().completionTokens());
        assertThat(c.usage().orElseThrow().promptTokens()).isPositive();
    }

    @Test
    void max_tokens_caps_the_completion_and_reports_length() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gemma-4").addUserMessage("Hi").maxCompletionTokens(4).build());

        assertThat(c.choices().get(0).message().content()).contains(SimWords.text(4).strip());
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("length");
    }

    @Test
    void streaming_chat_delivers_every_token_then_router_reported_usage_when_asked() {
        harness.behave(Behavior.defaults().withCompletionTokens(12).withUsageInStream(true));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("oss-20b").addUserMessage("Stream please")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isEqualTo(SimWords.text(12).strip());
        assertThat(chunks.stream().flatMap(c -> c.choices().stream())
                .filter(ch -> ch.delta()._additionalProperties().containsKey("reasoning_content")).count())
                .as("gpt-oss's analysis channel streams as reasoning_content").isPositive();
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).as("answer, reasoning and markup tokens").isGreaterThan(12);
        assertThat(last.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens().orElseThrow())
                .isPositive();
        assertThat(chunks.stream().flatMap(c -> c.choices().stream())
                .filter(ch -> ch.finishReason().isPresent()).count()).isEqualTo(1);
    }

    @Test
    void stream_without_router_usage_reports_tokenizer_counts() {
        harness.behave(Behavior.defaults().withCompletionTokens(12));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("gemma-4").addUserMessage("Stream please")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        // gemma-4 without thinking writes just the answer, which the gateway counts with o200k_base (no guessing)
        long counted = chunks.get(chunks.size() - 1).usage().orElseThrow().completionTokens();
        assertThat(counted).isEqualTo(new ai.cortensor.portal.usage.TokenCounter().count(SimWords.text(12).strip()));
    }

    @Test
    void text_completion_works_streaming_and_not() {
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model("oss-120b").prompt("Once upon a time").maxTokens(5).build());
        assertThat(c.choices().get(0).text()).isEqualTo(SimWords.text(5));
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(4);

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions().createStreaming(CompletionCreateParams.builder()
                .model("oss-120b").prompt("Once upon a time").maxTokens(6).build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertThat(streamed.toString()).isEqualTo(SimWords.text(6));
    }

    @Test
    void models_list_and_retrieve_show_the_catalog() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).containsExactlyInAnyOrder("oss-20b", "oss-120b", "gemma-4", "qwen");

        Model qwen = client.models().retrieve("qwen");
        assertThat(qwen.id()).isEqualTo("qwen");
        assertThat(qwen._additionalProperties().get("context_length").toString()).isEqualTo("32768");

        assertThatThrownBy(() -> client.models().retrieve("gpt-4o")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void wrong_key_surfaces_as_the_sdk_authentication_exception() {
        OpenAIClient bad = sdk("ctsr_AAAAAAAAAAAA_" + "B".repeat(40));
        assertThatThrownBy(() -> bad.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("qwen").addUserMessage("Hi").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.code()).contains("invalid_api_key");
                });
    }

    @Test
    void unknown_model_surfaces_as_not_found() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("no-such-model").addUserMessage("Hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).contains("model_not_found"));
    }

    @Test
    void sdk_requests_are_metered_once_each() {
        String token = harness.newKey("sdk-metering@example.com");
        long keyId = harness.portal.keys().find(token.substring(5, 17)).orElseThrow().id();
        OpenAIClient client = sdk(token);
        for (int i = 0; i < 3; i++) {
            client.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("qwen").addUserMessage("count me").build());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(harness.count("SELECT count(*) FROM usage_events WHERE api_key_id = " + keyId)).isEqualTo(3));
    }
}
