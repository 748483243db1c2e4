package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.usage.TokenCounter;
import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.SseException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageTokensCount;
import com.anthropic.models.messages.OutputConfig;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.StructuredMessage;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceTool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.WebSearchTool20250305;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Anthropic Java SDK, unmodified, against the real server, PostgreSQL and router simulators on
 * {@code /v1/messages} and {@code /v1/messages/count_tokens}: messages, streams through the SDK's accumulator, tool
 * use round trips, thinking, structured output, count_tokens, and typed errors.
 */
class AnthropicSdkIT {
    static PortalHarness harness;
    static String key;
    static AnthropicClient client;

    static final Tool GET_WEATHER = Tool.builder().name("get_weather").description("Get the current weather for a city.")
            .inputSchema(Tool.InputSchema.builder().properties(Tool.InputSchema.Properties.builder()
                            .putAdditionalProperty("location", JsonValue.from(Map.of("type", "string",
                                    "description", "City and country")))
                            .putAdditionalProperty("unit", JsonValue.from(Map.of("type", "string",
                                    "enum", List.of("celsius", "fahrenheit"))))
                            .build())
                    .required(List.of("location")).build())
            .build();

    @BeforeAll
    static void start() {
        harness = new PortalHarness();
        key = harness.newKey("anthropic-sdk@example.com");
        client = sdk(harness, key, 0);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void defaults() {
        harness.behave(Behavior.defaults());
    }

    /** The SDK pointed at the portal exactly as a customer would, with {@code maxRetries} of its own retries. */
    static AnthropicClient sdk(PortalHarness h, String apiKey, int maxRetries) {
        return AnthropicOkHttpClient.builder().baseUrl(h.baseUrl()).apiKey(apiKey).maxRetries(maxRetries)
                .timeout(Duration.ofSeconds(20)).build();
    }

    private static MessageCreateParams.Builder ask(String model, String text) {
        return MessageCreateParams.builder().model(model).maxTokens(512).addUserMessage(text);
    }

    private static MessageCreateParams.Builder weatherQuestion(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(512).addTool(GET_WEATHER)
                .addUserMessage("Please call get_weather for \"Paris, France\".");
    }

    private static String text(Message m) {
        return m.content().stream().filter(ContentBlock::isText).map(b -> b.asText().text()).reduce("", String::concat);
    }

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(s, e);
        }
    }

    private static JsonNode json(JsonValue v) {
        return Json.MAPPER.valueToTree(v.convert(Object.class));
    }

    private static String lastPrompt(String marker) {
        List<String> bodies = new ArrayList<>(harness.simA.stats().lastBodies());
        bodies.addAll(harness.simB.stats().lastBodies());
        return bodies.stream().map(AnthropicSdkIT::json).map(b -> b.path("prompt").asText())
                .filter(p -> p.contains(marker)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void a_message_answers_with_a_text_block_usage_and_anthropic_ids_and_is_logged_once() {
        HttpResponseFor<Message> raw = client.messages().withRawResponse().create(ask("gemma-4", "Hello there")
                .system("Be brief.").build());
        Message m = raw.parse();

        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).asText().text()).isEqualTo(SimWords.text(16).strip());
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.stopSequence()).isEmpty();
        assertThat(m.model().asString()).isEqualTo("gemma-4");
        assertThat(m.id()).startsWith("msg_");
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.usage().outputTokens()).isEqualTo(16);
        assertThat(m.usage().cacheReadInputTokens()).contains(0L);
        String requestId = raw.requestId().orElseThrow();
        assertThat(requestId).startsWith("req_").isEqualTo(raw.headers().values("x-request-id").get(0));
        assertThat(m.id()).isEqualTo("msg_" + requestId.substring(4).toLowerCase());
        assertThat(lastPrompt("Hello there")).contains("Be brief.");

        await().atMost(Duration.ofSeconds(5)).until(() -> !harness.requestLog(requestId).isEmpty());
        Map<String, Object> log = harness.requestLog(requestId);
        assertThat(log.get("route")).isEqualTo("/v1/messages");
        assertThat(log.get("status")).isEqualTo("completed");
        assertThat(log.get("completion_tokens")).isEqualTo(16);
        assertThat(harness.usageEvents(requestId)).hasSize(1);
    }

    @Test
    void max_tokens_cuts_the_answer_and_reports_max_tokens() {
        Message m = client.messages().create(MessageCreateParams.builder().model("gemma-4").maxTokens(4)
                .addUserMessage("Hi").build());
        assertThat(text(m)).isEqualTo(SimWords.text(4).strip());
        assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
    }

    @Test
    void a_stream_accumulates_into_the_same_message_a_whole_answer_has() {
        harness.behave(Behavior.defaults().withCompletionTokens(12));
        MessageAccumulator acc = MessageAccumulator.create();
        List<RawMessageStreamEvent> events = new ArrayList<>();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(
                ask("gemma-4", "Stream please").build())) {
            s.stream().forEach(e -> events.add(acc.accumulate(e)));
        }
        Message m = acc.message();

        assertThat(text(m)).isEqualTo(SimWords.text(12).strip());
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().outputTokens()).isEqualTo(new TokenCounter().count(SimWords.text(12).strip()));
        assertThat(m.usage().inputTokens()).as("merged from message_delta").isPositive();
        assertThat(events.get(0).isMessageStart()).isTrue();
        assertThat(events.get(1).isContentBlockStart()).isTrue();
        assertThat(events.stream().filter(RawMessageStreamEvent::isContentBlockDelta).count()).isGreaterThan(1);
        assertThat(events.get(events.size() - 2).isMessageDelta()).isTrue();
        assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
    }

    @Test
    void thinking_comes_back_as_a_signed_thinking_block_before_the_text() {
        Message m = client.messages().create(MessageCreateParams.builder().model("qwen").maxTokens(2048)
                .enabledThinking(1024).addUserMessage("Think, then answer.").build());

        assertThat(m.content()).hasSize(2);
        ThinkingBlock thinking = m.content().get(0).asThinking();
        assertThat(thinking.thinking()).startsWith("sed do eiusmod");
        assertThat(thinking.signature()).isNotBlank();
        assertThat(m.content().get(1).asText().text()).isEqualTo(SimWords.text(16).strip());
        long thinkingTokens = m.usage().outputTokensDetails().orElseThrow().thinkingTokens();
        assertThat(thinkingTokens).isPositive().isLessThan(m.usage().outputTokens());

        // the SDK sends the thinking block back with its signature; it is the assistant's reasoning again
        Message next = client.messages().create(MessageCreateParams.builder().model("qwen").maxTokens(2048)
                .enabledThinking(1024).addUserMessage("Think, then answer.").addMessage(m)
                .addUserMessage("And again?").build());
        assertThat(text(next)).isEqualTo(SimWords.text(16).strip());
    }

    @Test
    void without_thinking_qwen_does_not_think_and_gpt_oss_reasons_at_low_effort() {
        Message q = client.messages().create(ask("qwen", "Quick answer, qwen.").build());
        assertThat(q.content()).extracting(ContentBlock::isThinking).containsExactly(false);
        assertThat(lastPrompt("Quick answer, qwen.")).endsWith("<think>\n\n</think>\n\n");

        Message o = client.messages().create(ask("oss-20b", "Quick answer, oss.").build());
        assertThat(lastPrompt("Quick answer, oss.")).contains("Reasoning: low");
        assertThat(o.content().get(0).isThinking()).as("gpt-oss always reasons").isTrue();
        assertThat(o.content().get(1).asText().text()).isEqualTo(SimWords.text(16).strip());
    }

    @Test
    void a_thinking_budget_or_output_config_effort_selects_the_gpt_oss_reasoning_effort() {
        client.messages().create(MessageCreateParams.builder().model("oss-120b").maxTokens(4096).enabledThinking(1024)
                .addUserMessage("Think a little.").build());
        assertThat(lastPrompt("Think a little.")).contains("Reasoning: low");
        client.messages().create(MessageCreateParams.builder().model("oss-120b").maxTokens(4096).enabledThinking(1024)
                .outputConfig(OutputConfig.builder().effort(OutputConfig.Effort.MAX).build())
                .addUserMessage("Think hard.").build());
        assertThat(lastPrompt("Think hard.")).contains("Reasoning: high");
    }

    @Test
    void streamed_thinking_is_signed_and_accumulated_by_the_sdk() {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(MessageCreateParams.builder()
                .model("oss-20b").maxTokens(2048).enabledThinking(1024).addUserMessage("Stream your thoughts.").build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.content()).hasSize(2);
        assertThat(m.content().get(0).asThinking().thinking()).startsWith("sed do eiusmod");
        assertThat(m.content().get(0).asThinking().signature()).isNotBlank();
        assertThat(m.content().get(1).asText().text()).isEqualTo(SimWords.text(16).strip());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen", "oss-20b", "oss-120b", "gemma-4"})
    void a_tool_use_round_trip_works_on_every_catalog_model(String model) {
        Message first = client.messages().create(weatherQuestion(model).build());

        assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock use = first.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use.id()).startsWith("toolu_");
        assertThat(json(use._input()).path("location").asText()).isNotBlank();

        Message answer = client.messages().create(weatherQuestion(model).addMessage(first)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                        .toolUseId(use.id()).content("{\"temperature\": 18, \"condition\": \"sunny\"}").build())))
                .build());

        assertThat(answer.stopReason()).contains(StopReason.END_TURN);
        assertThat(answer.content()).noneMatch(ContentBlock::isToolUse);
        assertThat(text(answer)).contains("sunny");
        assertThat(lastPrompt("sunny")).as("the tool result reached the model").contains("get_weather");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen", "oss-20b", "gemma-4"})
    void a_streamed_tool_use_is_assembled_from_input_json_deltas_by_the_sdk(String model) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(weatherQuestion(model).build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock use = m.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(json(use._input()).path("location").asText()).isNotBlank();
    }

    @Test
    void a_named_tool_choice_forces_the_call() {
        Message m = client.messages().create(MessageCreateParams.builder().model("qwen").maxTokens(512)
                .addTool(GET_WEATHER).toolChoice(ToolChoiceTool.builder().name("get_weather").build())
                .addUserMessage("Hello!").build());
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(m.content()).filteredOn(ContentBlock::isToolUse).hasSize(1);
    }

    /** What a structured-output helper asks for: the SDK derives a JSON schema from this class. */
    public static class Forecast {
        public String city;
        public double temperature;
        public boolean raining;
    }

    @Test
    void output_config_format_answers_json_the_sdk_parses_into_a_java_class() {
        StructuredMessage<Forecast> m = client.messages().create(MessageCreateParams.builder().model("gemma-4")
                .maxTokens(512).addUserMessage("Forecast for Oslo as JSON.").outputConfig(Forecast.class).build());
        Forecast f = m.content().stream().flatMap(b -> b.text().stream()).findFirst().orElseThrow().text();
        assertThat(f).isNotNull();
        assertThat(f.city).isNotNull();
        assertThat(lastPrompt("Forecast for Oslo")).contains("JSON Schema");
    }

    @Test
    void count_tokens_is_the_tokenizer_count_of_the_prompt_the_family_renders() {
        MessageTokensCount count = client.messages().countTokens(MessageCountTokensParams.builder().model("qwen")
                .system("Count me.").addUserMessage("How many tokens is this, qwen?").build());

        client.messages().create(ask("qwen", "How many tokens is this, qwen?").system("Count me.").build());
        int rendered = new TokenCounter().count(lastPrompt("How many tokens is this, qwen?"));
        assertThat(count.inputTokens()).isEqualTo(rendered).isGreaterThan(10);

        MessageTokensCount withTools = client.messages().countTokens(MessageCountTokensParams.builder().model("qwen")
                .system("Count me.").addTool(GET_WEATHER).addUserMessage("How many tokens is this, qwen?").build());
        assertThat(withTools.inputTokens()).as("the tool declarations are part of the prompt")
                .isGreaterThan(count.inputTokens() + 20);
    }

    @Test
    void count_tokens_authenticates_and_knows_the_catalog() {
        assertThatThrownBy(() -> sdk(harness, "ctsr_aaaaaaaaaaaa_" + "b".repeat(40), 0).messages().countTokens(
                MessageCountTokensParams.builder().model("qwen").addUserMessage("x").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.type()).contains(ErrorType.AUTHENTICATION_ERROR);
                    assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
                });
        assertThatThrownBy(() -> client.messages().countTokens(MessageCountTokensParams.builder().model("claude-opus-9")
                .addUserMessage("x").build()))
                .isInstanceOfSatisfying(NotFoundException.class,
                        e -> assertThat(e.apiMessage().orElseThrow()).contains("claude-opus-9"));
    }

    @Test
    void count_tokens_uses_no_request_allowance_and_leaves_no_request_log_row() {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("one-a-week", "{\"weekly_requests\": 1}");
            AnthropicClient c = sdk(h, h.newKey("count@example.com", "one-a-week"), 0);
            for (int i = 0; i < 3; i++) {
                assertThat(c.messages().countTokens(MessageCountTokensParams.builder().model("gemma-4")
                        .addUserMessage("count " + i).build()).inputTokens()).isPositive();
            }
            assertThat(text(c.messages().create(ask("gemma-4", "the one request").build()))).isNotEmpty();
            assertThatThrownBy(() -> c.messages().create(ask("gemma-4", "a second one").build()))
                    .isInstanceOf(RateLimitException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> h.count("SELECT count(*) FROM request_logs") == 2);
            assertThat(h.count("SELECT count(*) FROM usage_events")).isEqualTo(1);
        }
    }

    @Test
    void a_bad_key_is_an_authentication_error_with_the_request_id() {
        assertThatThrownBy(() -> sdk(harness, "ctsr_aaaaaaaaaaaa_" + "b".repeat(40), 0).messages()
                .create(ask("qwen", "hi").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.type()).contains(ErrorType.AUTHENTICATION_ERROR);
                    assertThat(e.apiMessage()).contains("Incorrect API key provided.");
                    assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
                });
    }

    @Test
    void a_revoked_key_is_refused() {
        String k = harness.newKey("revoked-anthropic@example.com");
        AnthropicClient c = sdk(harness, k, 0);
        assertThat(text(c.messages().create(ask("gemma-4", "before").build()))).isNotEmpty();
        harness.portal.keys().revoke(harness.portal.keys().find(k.substring(5, 17)).orElseThrow(),
                ai.cortensor.portal.audit.Actor.system("test"), "leaked");
        assertThatThrownBy(() -> c.messages().create(ask("gemma-4", "after").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class,
                        e -> assertThat(e.apiMessage().orElseThrow()).contains("revoked"));
    }

    @Test
    void an_unknown_model_is_not_found() {
        assertThatThrownBy(() -> client.messages().create(ask("claude-opus-9", "hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.type()).contains(ErrorType.NOT_FOUND_ERROR);
                    assertThat(e.apiMessage().orElseThrow()).startsWith("model: ").contains("claude-opus-9");
                });
    }

    @Test
    void images_and_server_tools_are_typed_400s_naming_the_field() {
        assertThatThrownBy(() -> client.messages().create(ask("qwen", "hi").addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofText(com.anthropic.models.messages.TextBlockParam.builder().text("look").build()),
                ContentBlockParam.ofImage(com.anthropic.models.messages.ImageBlockParam.builder()
                        .source(com.anthropic.models.messages.UrlImageSource.builder().url("https://example.com/a.png")
                                .build()).build()))).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.type()).contains(ErrorType.INVALID_REQUEST_ERROR);
                    assertThat(e.apiMessage().orElseThrow()).startsWith("messages[1].content[1].type: 'image' blocks");
                });
        assertThatThrownBy(() -> client.messages().create(ask("qwen", "search").addTool(
                WebSearchTool20250305.builder().build()).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.apiMessage().orElseThrow()).startsWith("tools[0].type: Server tools"));
        assertThatThrownBy(() -> client.messages().create(ask("qwen", "hi")
                .putAdditionalBodyProperty("temprature", JsonValue.from(1)).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.apiMessage().orElseThrow())
                        .isEqualTo("temprature: Extra inputs are not permitted"));
    }

    @Test
    void a_thinking_budget_must_stay_under_max_tokens_as_anthropic_requires() {
        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("gemma-4").maxTokens(2048)
                .enabledThinking(4096).addUserMessage("x").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.apiMessage().orElseThrow())
                        .isEqualTo("max_tokens: max_tokens must be greater than thinking.budget_tokens"));
    }

    @Test
    void a_later_system_message_works_where_the_family_takes_it_and_gpt_oss_refuses_it_naming_the_clients_message() {
        MessageCreateParams.Builder conversation = MessageCreateParams.builder().maxTokens(512).system("Be brief.")
                .addUserMessage("Hello, system test.").addAssistantMessage("Hello!")
                .addMessage(com.anthropic.models.messages.SystemMessageParam.builder().content("From now on, in French.")
                        .build())
                .addUserMessage("And now?");
        assertThat(text(client.messages().create(conversation.model("qwen").build()))).isNotEmpty();
        assertThat(lastPrompt("From now on, in French.")).contains("<|im_start|>system\nFrom now on, in French.");

        assertThatThrownBy(() -> client.messages().create(conversation.model("oss-20b").build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.apiMessage().orElseThrow())
                        .startsWith("messages[2]: "));
    }

    @Test
    void max_tokens_over_the_models_limit_is_a_400() {
        assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("qwen")
                .maxTokens(10_000_000).addUserMessage("x").build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.apiMessage().orElseThrow()).contains("'max_tokens' is too large"));
    }

    @Test
    void a_router_break_mid_stream_surfaces_as_the_sdks_stream_error_after_the_text_so_far() {
        harness.behave(Behavior.defaults().withFailure(Behavior.Failure.CUT_MID_STREAM).withCutAfterChunks(5));
        MessageAccumulator acc = MessageAccumulator.create();
        List<RawMessageStreamEvent> events = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(
                    ask("gemma-4", "Break please").build())) {
                s.stream().forEach(e -> events.add(acc.accumulate(e)));
            }
        }).isInstanceOfSatisfying(SseException.class, e -> {
            assertThat(e.type()).contains(ErrorType.API_ERROR);
            assertThat(e.apiMessage().orElseThrow()).contains("stopped before the response was complete");
        });
        assertThat(events).filteredOn(RawMessageStreamEvent::isContentBlockDelta).isNotEmpty();
        assertThat(events).noneMatch(RawMessageStreamEvent::isMessageStop);
    }

    @Test
    void a_plan_limit_is_a_rate_limit_exception_the_sdk_retries_after_retry_after_until_the_window_passes() {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("burst1", "{\"short_window_requests\": 1, \"short_window_seconds\": 2}");
            String k = h.newKey("anthropic-limits@example.com", "burst1");
            MessageCreateParams params = ask("gemma-4", "hi").build();
            AnthropicClient noRetry = sdk(h, k, 0);
            noRetry.messages().create(params);
            assertThatThrownBy(() -> noRetry.messages().create(params))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(429);
                        assertThat(e.type()).contains(ErrorType.RATE_LIMIT_ERROR);
                        assertThat(e.headers().values("retry-after")).isNotEmpty();
                        assertThat(e.requestId()).isPresent();
                    });

            AnthropicClient retrying = sdk(h, k, 3);
            long start = System.nanoTime();
            assertThat(text(retrying.messages().create(params))).isNotEmpty();
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMs).as("the SDK waited for Retry-After before succeeding").isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void a_used_up_allowance_is_a_rate_limit_exception_at_once_instead_of_a_days_long_sdk_wait() {
        try (PortalHarness h = new PortalHarness()) {
            h.plan("one-a-week", "{\"weekly_requests\": 1}");
            String k = h.newKey("anthropic-quota@example.com", "one-a-week");
            sdk(h, k, 0).messages().create(ask("gemma-4", "the only one").build());
            long start = System.nanoTime();
            assertThatThrownBy(() -> sdk(h, k, 2).messages().create(ask("gemma-4", "more").build()))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.apiMessage().orElseThrow()).contains("allowance");
                        assertThat(Long.parseLong(e.headers().values("retry-after").get(0))).isGreaterThan(60);
                        assertThat(e.headers().values("x-should-retry")).containsExactly("false");
                    });
            assertThat((System.nanoTime() - start) / 1_000_000).as("no retry, no wait").isLessThan(5_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> h.count(
                    "SELECT count(*) FROM request_logs WHERE status = 'blocked' AND route = '/v1/messages'") == 1);
        }
    }

    @Test
    void authorization_bearer_works_as_well_as_x_api_key() {
        AnthropicClient bearer = AnthropicOkHttpClient.builder().baseUrl(harness.baseUrl()).authToken(key).maxRetries(0)
                .build();
        assertThat(text(bearer.messages().create(ask("gemma-4", "bearer").build()))).isEqualTo(SimWords.text(16).strip());
        assertThat(bearer.messages().countTokens(MessageCountTokensParams.builder().model("gemma-4")
                .addUserMessage("bearer").build()).inputTokens()).isPositive();
    }

    @Test
    void curl_with_x_api_key_version_and_beta_headers_gets_anthropics_shapes() throws Exception {
        HttpResponse<String> ok = harness.send(HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/messages"))
                .header("x-api-key", key).header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "interleaved-thinking-2025-05-14").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gemma-4\",\"max_tokens\":64,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")).build());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("request-id")).isEqualTo(ok.headers().firstValue("x-request-id"));
        assertThat(json(ok.body()).path("type").asText()).isEqualTo("message");

        HttpResponse<String> get = harness.send(HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/messages"))
                .header("x-api-key", key).GET().build());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(json(get.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(json(get.body()).path("request_id").asText()).startsWith("req_");

        HttpResponse<String> batches = harness.post("/v1/messages/batches", key, "{}");
        assertThat(batches.statusCode()).isEqualTo(404);
        assertThat(json(batches.body()).path("type").asText()).isEqualTo("error");
        assertThat(json(batches.body()).path("error").path("type").asText()).isEqualTo("not_found_error");

        HttpResponse<String> noKey = harness.post("/v1/messages", null, "{}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey.body()).path("error").path("message").asText()).startsWith("x-api-key header is required");
    }
}
