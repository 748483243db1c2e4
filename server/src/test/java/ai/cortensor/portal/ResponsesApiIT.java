package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.cortensor.portal.gateway.Schemas;
import ai.cortensor.portal.json.Json;
import ai.cortensor.routersim.Behavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.Reasoning;
import com.openai.models.ReasoningEffort;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseError;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseOutputMessage;
import com.openai.models.responses.ResponseReasoningItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.StructuredResponse;
import com.openai.models.responses.ToolChoiceOptions;
import com.openai.models.responses.WebSearchTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Responses API end to end with the official OpenAI Java SDK, unmodified: the real server, real PostgreSQL,
 * two router simulators answering like each model family. Stored responses are continued on another replica of the
 * same database, retrieved, deleted, and hidden from other accounts.
 */
class ResponsesApiIT {
    static PortalHarness harness;
    static String key;
    static OpenAIClient client;

    static final FunctionTool GET_WEATHER = FunctionTool.builder().name("get_weather")
            .description("Get the current weather for a city.")
            .parameters(FunctionTool.Parameters.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty("properties", JsonValue.from(Map.of(
                            "location", Map.of("type", "string", "description", "City and country"))))
                    .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                    .build())
            .strict(false)
            .build();

    /** What a structured-output helper asks for: the SDK derives a strict JSON schema from this class. */
    public static class Forecast {
        public String city;
        public double temperature;
        public boolean raining;
        public List<String> hours;
    }

    @BeforeAll
    static void start() {
        harness = new PortalHarness();
        key = harness.newKey("responses@example.com");
        client = OpenAiSdkIT.sdkFor(harness, key);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @BeforeEach
    void defaults() {
        harness.behave(Behavior.defaults());
    }

    private static ResponseCreateParams.Builder ask(String model, String input) {
        return ResponseCreateParams.builder().model(model).input(input);
    }

    private static String text(Response r) {
        return r.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(i -> i.asMessage().content().stream())
                .map(c -> c.asOutputText().text()).collect(Collectors.joining());
    }

    // ---- create ------------------------------------------------------------------------------------------------

    @Test
    void a_response_returns_the_reasoning_and_the_answer_as_output_items_with_usage() {
        Response r = client.responses().create(ask("qwen", "Hello, reasoner").instructions("Be brief.").build());

        assertThat(r.id()).startsWith("resp_");
        assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        assertThat(r.model().asString()).isEqualTo("qwen");
        assertThat(r.instructions().orElseThrow().asString()).isEqualTo("Be brief.");
        assertThat(r.output()).hasSize(2);
        ResponseReasoningItem reasoning = r.output().get(0).asReasoning();
        assertThat(reasoning.id()).startsWith("rs_");
        assertThat(reasoning.summary()).isEmpty();
        assertThat(reasoning.content().orElseThrow().get(0).text()).isNotBlank();
        ResponseOutputMessage message = r.output().get(1).asMessage();
        assertThat(message.id()).startsWith("msg_");
        assertThat(message.status()).isEqualTo(ResponseOutputMessage.Status.COMPLETED);
        assertThat(text(r)).isEqualTo(SimWords.text(16).strip());
        var usage = r.usage().orElseThrow();
        assertThat(usage.inputTokens()).isPositive();
        assertThat(usage.outputTokens()).isPositive();
        assertThat(usage.outputTokensDetails().reasoningTokens()).isPositive().isLessThan(usage.outputTokens());
        assertThat(usage.inputTokensDetails().cachedTokens()).isZero();
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
        assertThat(lastPrompt("Hello, reasoner")).contains("Be brief.");

        String requestId = "req_" + r.id().substring("resp_".length());
        Map<String, Object> log = awaitLog(requestId);
        assertThat(log.get("route")).isEqualTo("/v1/responses");
        assertThat(log.get("status")).isEqualTo("completed");
        assertThat(((Number) log.get("completion_tokens")).longValue()).isEqualTo(usage.outputTokens());
    }

    @Test
    void the_same_conversation_sends_the_same_prompt_and_meters_the_same_as_chat_completions() {
        Response r = client.responses().create(ask("gemma-4", "Hello, twin").instructions("Be brief.").store(false)
                .build());
        String responsesPrompt = lastPrompt("Hello, twin");
        HttpResponse<String> chat = harness.post("/v1/chat/completions", key, "{\"model\":\"gemma-4\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hello, twin\"}]}");
        assertThat(chat.statusCode()).isEqualTo(200);

        assertThat(lastPrompt("Hello, twin")).isEqualTo(responsesPrompt);
        Map<String, Object> viaResponses = awaitLog("req_" + r.id().substring("resp_".length()));
        Map<String, Object> viaChat = awaitLog(chat.headers().firstValue("x-request-id").orElseThrow());
        for (String column : List.of("model_alias", "status", "prompt_tokens", "completion_tokens",
                "tokens_estimated")) {
            assertThat(viaResponses.get(column)).as(column).isEqualTo(viaChat.get(column));
        }
        assertThat(viaResponses.get("route")).isEqualTo("/v1/responses");
        assertThat(viaChat.get("route")).isEqualTo("/v1/chat/completions");
        assertThat(text(r)).isEqualTo(json(chat.body()).get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void a_stream_sends_the_documented_events_in_order_and_the_answer() {
        List<ResponseStreamEvent> events = stream(ask("gemma-4", "Hello there").build());

        List<String> names = names(events);
        int deltas = (int) names.stream().filter(n -> n.equals("response.output_text.delta")).count();
        assertThat(deltas).isGreaterThan(1);
        List<String> expected = new ArrayList<>(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added"));
        for (int i = 0; i < deltas; i++) {
            expected.add("response.output_text.delta");
        }
        expected.addAll(List.of("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"));
        assertThat(names).isEqualTo(expected);
        assertSequenceNumbers(events);

        String streamed = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
        assertThat(streamed).isEqualTo(SimWords.text(16).strip());
        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDone).findFirst().orElseThrow()
                .asOutputTextDone().text()).isEqualTo(streamed);
        Response done = events.get(events.size() - 1).asCompleted().response();
        assertThat(text(done)).isEqualTo(streamed);
        assertThat(done.usage().orElseThrow().outputTokens()).isPositive();

        ResponseAccumulator acc = ResponseAccumulator.create();
        events.forEach(acc::accumulate);
        assertThat(text(acc.response())).as("the SDK's accumulator agrees").isEqualTo(streamed);
    }

    @Test
    void a_reasoning_model_returns_its_reasoning_as_reasoning_items_following_the_effort() {
        Response r = client.responses().create(ask("oss-20b", "Think, then answer.")
                .reasoning(Reasoning.builder().effort(ReasoningEffort.HIGH).build()).build());

        assertThat(lastPrompt("Think, then answer.")).contains("Reasoning: high");
        ResponseReasoningItem reasoning = r.output().get(0).asReasoning();
        String thought = reasoning.content().orElseThrow().get(0).text();
        assertThat(thought).isNotBlank().doesNotContain("<|channel|>");
        assertThat(text(r)).isNotBlank().doesNotContain("<|message|>");
        assertThat(r.reasoning().orElseThrow().effort()).contains(ReasoningEffort.HIGH);
        assertThat(r.usage().orElseThrow().outputTokensDetails().reasoningTokens()).isPositive();

        List<ResponseStreamEvent> events = stream(ask("oss-20b", "Think, then answer.").build());
        List<String> names = names(events);
        assertThat(names.subList(0, 5)).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.reasoning_text.delta");
        int reasoningDone = names.indexOf("response.reasoning_text.done");
        int firstText = names.indexOf("response.output_text.delta");
        assertThat(reasoningDone).isPositive().isLessThan(firstText);
        assertThat(names.get(reasoningDone + 1)).isEqualTo("response.content_part.done");
        assertThat(names.get(reasoningDone + 2)).isEqualTo("response.output_item.done");
        String streamedThought = events.stream().filter(ResponseStreamEvent::isReasoningTextDelta)
                .map(e -> e.asReasoningTextDelta().delta()).collect(Collectors.joining());
        Response done = events.get(events.size() - 1).asCompleted().response();
        assertThat(done.output().get(0).asReasoning().content().orElseThrow().get(0).text()).isEqualTo(streamedThought);
    }

    // ---- tools -------------------------------------------------------------------------------------------------

    @Test
    void a_function_call_round_trip_continues_with_previous_response_id() {
        Response first = client.responses().create(ask("qwen", "Please call get_weather for \"Paris, France\".")
                .addTool(GET_WEATHER).build());

        ResponseFunctionToolCall call = first.output().stream().filter(ResponseOutputItem::isFunctionCall)
                .findFirst().orElseThrow().asFunctionCall();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.callId()).startsWith("call_");
        assertThat(call.id().orElseThrow()).startsWith("fc_");
        assertThat(json(call.arguments()).get("location").asText()).isNotBlank();

        Response answer = client.responses().create(ResponseCreateParams.builder().model("qwen")
                .previousResponseId(first.id()).addTool(GET_WEATHER)
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput
                        .builder().callId(call.callId()).output("{\"temperature\": 18, \"condition\": \"sunny\"}")
                        .build())))
                .build());

        assertThat(answer.previousResponseId()).contains(first.id());
        assertThat(answer.output()).noneMatch(ResponseOutputItem::isFunctionCall);
        assertThat(text(answer)).contains("sunny");
        assertThat(lastPrompt("sunny")).as("the first turn came from storage").contains("Please call get_weather");
    }

    @Test
    void a_function_call_round_trip_works_with_the_output_sent_back_as_input_and_nothing_stored() {
        String question = "Please call get_weather for \"Oslo, Norway\".";
        Response first = client.responses().create(ask("qwen", question).addTool(GET_WEATHER).store(false).build());
        assertThat(first.output().get(0).isReasoning()).as("qwen thinks first").isTrue();

        List<ResponseInputItem> input = new ArrayList<>();
        input.add(ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                .content(question).build()));
        String callId = null;
        for (ResponseOutputItem item : first.output()) { // the output, as the SDK turns it back into input
            if (item.isReasoning()) {
                input.add(ResponseInputItem.ofReasoning(item.asReasoning()));
            } else if (item.isMessage()) {
                input.add(ResponseInputItem.ofResponseOutputMessage(item.asMessage()));
            } else {
                input.add(ResponseInputItem.ofFunctionCall(item.asFunctionCall()));
                callId = item.asFunctionCall().callId();
            }
        }
        assertThat(callId).isNotNull();
        input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(callId).output("{\"condition\": \"snowy\"}").build()));
        Response answer = client.responses().create(ResponseCreateParams.builder().model("qwen")
                .addTool(GET_WEATHER).store(false).inputOfResponse(input).build());

        assertThat(text(answer)).contains("snowy");
        String thought = first.output().get(0).asReasoning().content().orElseThrow().get(0).text();
        assertThat(lastPrompt("snowy")).as("the earlier reasoning and call are in the prompt").contains(thought)
                .contains("\"arguments\": {");
        assertThat(count("SELECT count(*) FROM responses WHERE id IN ('" + first.id() + "', '" + answer.id() + "')"))
                .isZero();
    }

    @Test
    void a_streamed_function_call_sends_its_arguments_events() {
        List<ResponseStreamEvent> events = stream(ask("oss-20b", "Please call get_weather for \"Rome, Italy\".")
                .addTool(GET_WEATHER).toolChoice(ToolChoiceOptions.REQUIRED).build());

        List<String> names = names(events);
        int added = names.lastIndexOf("response.output_item.added");
        ResponseFunctionToolCall started = events.get(added).asOutputItemAdded().item().asFunctionCall();
        assertThat(started.name()).isEqualTo("get_weather");
        assertThat(started.arguments()).isEmpty();
        assertThat(names.subList(added + 1, names.size())).contains("response.function_call_arguments.delta")
                .endsWith("response.function_call_arguments.done", "response.output_item.done", "response.completed");
        String streamed = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
                .map(e -> e.asFunctionCallArgumentsDelta().delta()).collect(Collectors.joining());
        assertThat(events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDone).findFirst().orElseThrow()
                .asFunctionCallArgumentsDone().arguments()).isEqualTo(streamed);
        assertThat(json(streamed).get("location").asText()).isNotBlank();
        ResponseFunctionToolCall done = events.get(events.size() - 1).asCompleted().response().output().stream()
                .filter(ResponseOutputItem::isFunctionCall).findFirst().orElseThrow().asFunctionCall();
        assertThat(done.callId()).isEqualTo(started.callId());
        assertThat(done.arguments()).isEqualTo(streamed);
    }

    // ---- structured output -------------------------------------------------------------------------------------

    @Test
    void a_json_schema_answer_is_parsed_into_a_java_class() {
        StructuredResponse<Forecast> r = client.responses().create(ask("qwen", "Forecast for Oslo as JSON.")
                .text(Forecast.class).build());

        Forecast f = r.output().stream().flatMap(i -> i.message().stream())
                .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream()).findFirst().orElseThrow();
        assertThat(f.city).isNotBlank();
        assertThat(f.hours).isNotNull();
    }

    @Test
    void a_json_schema_answer_validates_against_the_schema_sent() {
        Map<String, Object> schema = Map.of("type", "object",
                "properties", Map.of("name", Map.of("type", "string"), "age", Map.of("type", "integer", "minimum", 0)),
                "required", List.of("name", "age"), "additionalProperties", false);
        Response r = client.responses().create(ask("gemma-4", "Describe a person as JSON.")
                .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder()
                        .name("person").strict(true).schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                                .putAllAdditionalProperties(Map.of(
                                        "type", JsonValue.from(schema.get("type")),
                                        "properties", JsonValue.from(schema.get("properties")),
                                        "required", JsonValue.from(schema.get("required")),
                                        "additionalProperties", JsonValue.from(false)))
                                .build()).build()).build())
                .build());

        JsonNode answer = json(text(r));
        var compiled = Schemas.check(Json.MAPPER.valueToTree(schema), "schema");
        assertThat(Schemas.errors(compiled, answer)).isEmpty();
        assertThat(r.text().orElseThrow().format().orElseThrow().asJsonSchema().name()).isEqualTo("person");
    }

    // ---- storage -----------------------------------------------------------------------------------------------

    @Test
    void previous_response_id_continues_on_another_replica_without_the_earlier_instructions() {
        Response first = client.responses().create(ask("qwen", "My name is Ada Lovelace.")
                .instructions("Speak like a pirate.").build());
        try (Portal b = harness.startReplica("b")) {
            OpenAIClient onB = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + b.port() + "/v1")
                    .apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(20)).build();

            Response second = onB.responses().create(ResponseCreateParams.builder().model("qwen")
                    .previousResponseId(first.id()).input("What is my name?").build());

            assertThat(second.previousResponseId()).contains(first.id());
            assertThat(second.instructions()).isEmpty();
            String prompt = lastPrompt("What is my name?");
            assertThat(prompt).contains("My name is Ada Lovelace.").contains(text(first))
                    .doesNotContain("Speak like a pirate.");
            assertThat(onB.responses().retrieve(first.id()).id()).isEqualTo(first.id());
            assertThat(client.responses().retrieve(second.id()).previousResponseId()).contains(first.id());
        }
    }

    @Test
    void a_stored_response_is_retrieved_as_it_was_returned_and_deleted() {
        HttpResponse<String> created = harness.post("/v1/responses", key,
                "{\"model\":\"gemma-4\",\"input\":\"Hello there\",\"metadata\":{\"ticket\":\"T-42\"}}");
        assertThat(created.statusCode()).isEqualTo(200);
        String id = json(created.body()).get("id").asText();

        HttpResponse<String> got = harness.get("/v1/responses/" + id, key);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(created.body());
        assertThat(got.headers().firstValue("x-request-id")).isPresent();

        Response viaSdk = client.responses().retrieve(id);
        assertThat(viaSdk.metadata().orElseThrow()._additionalProperties().get("ticket").asString())
                .contains("T-42");
        assertThat(text(viaSdk)).isEqualTo(SimWords.text(16).strip());

        HttpResponse<String> deleted = harness.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(harness.baseUrl() + "/v1/responses/" + id))
                .header("Authorization", "Bearer " + key).DELETE().build());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted.body()).toString()).isEqualTo("{\"id\":\"" + id + "\",\"object\":\"response\","
                + "\"deleted\":true}");
        assertThatThrownBy(() -> client.responses().retrieve(id)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.responses().delete(id)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void the_sdk_deletes_a_stored_response() {
        Response r = client.responses().create(ask("gemma-4", "Hello there").build());
        client.responses().delete(r.id());
        assertThatThrownBy(() -> client.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void another_accounts_response_is_not_found_for_reading_deleting_or_continuing() {
        Response mine = client.responses().create(ask("gemma-4", "Secret plans").build());
        OpenAIClient other = OpenAiSdkIT.sdkFor(harness, harness.newKey("intruder@example.com"));

        assertThatThrownBy(() -> other.responses().retrieve(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.responses().delete(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.responses().cancel(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.responses().create(ResponseCreateParams.builder().model("gemma-4")
                .previousResponseId(mine.id()).input("Tell me").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("previous_response_not_found");
                    assertThat(e.param()).contains("previous_response_id");
                });
        assertThat(client.responses().retrieve(mine.id()).id()).as("still there for its owner").isEqualTo(mine.id());

        HttpResponse<String> raw = harness.get("/v1/responses/" + mine.id(), null);
        assertThat(raw.statusCode()).as("no key").isEqualTo(401);
        assertThat(json(raw.body()).get("error").get("code").asText()).isEqualTo("missing_api_key");
    }

    @Test
    void store_false_is_not_retrievable() {
        Response r = client.responses().create(ask("gemma-4", "Hello there").store(false).build());

        assertThat(r._additionalProperties().get("store").asBoolean()).contains(false);
        assertThatThrownBy(() -> client.responses().retrieve(r.id())).isInstanceOfSatisfying(NotFoundException.class,
                e -> assertThat(e.code()).contains("response_not_found"));
    }

    @Test
    void a_stored_response_cannot_be_cancelled_since_only_background_ones_can() {
        Response r = client.responses().create(ask("gemma-4", "Hello there").build());
        assertThatThrownBy(() -> client.responses().cancel(r.id())).isInstanceOfSatisfying(BadRequestException.class,
                e -> assertThat(e.getMessage()).contains("background"));
    }

    // ---- limits and failures -----------------------------------------------------------------------------------

    @Test
    void an_answer_cut_by_max_output_tokens_is_incomplete() {
        Response r = client.responses().create(ask("gemma-4", "Hello there").maxOutputTokens(3).build());

        assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
        assertThat(r.incompleteDetails().orElseThrow().reason())
                .contains(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
        assertThat(text(r)).isEqualTo(SimWords.text(3).strip());
        assertThat(r.output().get(0).asMessage().status()).isEqualTo(ResponseOutputMessage.Status.INCOMPLETE);

        List<ResponseStreamEvent> events = stream(ask("gemma-4", "Hello there").maxOutputTokens(3).build());
        ResponseStreamEvent last = events.get(events.size() - 1);
        assertThat(last.isIncomplete()).isTrue();
        assertThat(last.asIncomplete().response().incompleteDetails().orElseThrow().reason())
                .contains(Response.IncompleteDetails.Reason.MAX_OUTPUT_TOKENS);
    }

    @Test
    void a_router_failure_mid_stream_ends_with_an_error_event_and_response_failed() {
        harness.behave(Behavior.defaults().withFailure(Behavior.Failure.CUT_MID_STREAM).withCutAfterChunks(3));

        List<ResponseStreamEvent> events = stream(ask("gemma-4", "Hello there").build());

        List<String> names = names(events);
        assertThat(names).doesNotContain("response.completed");
        assertThat(names.subList(names.size() - 2, names.size())).containsExactly("error", "response.failed");
        assertThat(events.get(events.size() - 2).asError().code()).contains("router_stream_interrupted");
        Response failed = events.get(events.size() - 1).asFailed().response();
        assertThat(failed.status()).contains(ResponseStatus.FAILED);
        ResponseError error = failed.error().orElseThrow();
        assertThat(error.code()).isEqualTo(ResponseError.Code.SERVER_ERROR);
        assertThat(error.message()).contains("stopped before the response was complete");
        assertThat(text(failed)).isEqualTo(SimWords.text(3).strip());
        assertSequenceNumbers(events);

        Response stored = client.responses().retrieve(failed.id());
        assertThat(stored.status()).contains(ResponseStatus.FAILED);
        Map<String, Object> log = awaitLog("req_" + failed.id().substring("resp_".length()));
        assertThat(log.get("status")).isEqualTo("failed");
        assertThat(log.get("error_code")).isEqualTo("router_stream_interrupted");
    }

    @Test
    void a_built_in_tool_is_refused_naming_its_type() {
        assertThatThrownBy(() -> client.responses().create(ask("qwen", "Search the web")
                .addTool(WebSearchTool.builder().type(WebSearchTool.Type.WEB_SEARCH).build()).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("tools[0].type");
                    assertThat(e.code()).contains("unsupported_parameter");
                });
    }

    @Test
    void a_reasoning_summary_is_refused_naming_it() {
        assertThatThrownBy(() -> client.responses().create(ask("oss-20b", "Think")
                .reasoning(Reasoning.builder().summary(Reasoning.Summary.AUTO).build()).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.param()).contains("reasoning.summary"));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static List<ResponseStreamEvent> stream(ResponseCreateParams params) {
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(params)) {
            s.stream().forEach(events::add);
        }
        return events;
    }

    private static void assertSequenceNumbers(List<ResponseStreamEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(wire(events.get(i)).get("sequence_number").asInt()).as("sequence_number of event " + i)
                    .isEqualTo(i);
        }
    }

    /** The event types in order, as they came over the wire. */
    private static List<String> names(List<ResponseStreamEvent> events) {
        return events.stream().map(e -> wire(e).get("type").asText()).toList();
    }

    /** An event as the SDK read it, written back to JSON by the SDK's own mapper. */
    private static JsonNode wire(ResponseStreamEvent e) {
        return ObjectMappers.jsonMapper().valueToTree(e);
    }

    @Test
    void a_model_that_never_complies_with_text_format_gets_a_422_naming_text_format() throws Exception {
        harness.behave(Behavior.defaults().withJsonNonCompliantAttempts(100));
        HttpResponse<String> r = harness.post("/v1/responses", key, """
                {"model":"qwen","store":false,"input":"Forecast as JSON","text":{"format":{"type":"json_schema",
                 "name":"forecast","schema":{"type":"object","properties":{"t":{"type":"number"}},"required":["t"]}}}}""");
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode error = json(r.body()).get("error");
        assertThat(error.path("code").asText()).isEqualTo("structured_output_failed");
        assertThat(error.path("param").asText()).as("the Responses field, not chat's response_format")
                .isEqualTo("text.format");
    }

    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(String sql) {
        return harness.count(sql);
    }

    /** The request log row of the request whose id tail a response id carries (ids are lower-cased there). */
    private static Map<String, Object> awaitLog(String requestId) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> harness.jdbi().withHandle(h -> h.createQuery(
                        "SELECT * FROM request_logs WHERE lower(request_id) = lower(:id)")
                .bind("id", requestId).mapToMap().findOne().orElse(Map.of())), row -> !row.isEmpty());
    }

    private static String lastPrompt(String marker) {
        List<String> bodies = new ArrayList<>(harness.simA.stats().lastBodies());
        bodies.addAll(harness.simB.stats().lastBodies());
        return bodies.stream().map(ResponsesApiIT::json).map(b -> b.path("prompt").asText())
                .filter(p -> p.contains(marker)).reduce((a, b) -> b).orElseThrow();
    }
}
