package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.families.Families;
import ai.cortensor.portal.families.Family;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What every request fuzz test asserts for any body a client may send: the dialect parses it, every model family
 * renders the conversation (or the prompt passes through) and the router body is written; or one of those steps
 * refuses it with a client error ({@link ApiError}, 4xx). Nothing else may escape: any other exception would be a
 * 500 for a malformed request. What the request turns into is bounded by the body's size. A request whose answers
 * are validated (a JSON format, strict tools) then has sample answers checked: a verdict, never an exception.
 */
final class RequestFuzzing {
    static final ApiKey CALLER = new ApiKey(1, "pub", new byte[0], "fuzz", 7, null, "active", null, Instant.EPOCH,
            null, false);
    private static final LocalDate TODAY = LocalDate.of(2026, 3, 1);
    /** Answers a validated request is checked against: JSON of every type, and prose. */
    private static final List<String> ANSWERS = List.of("{}", "{\"a\":[1,\"x\",null,true,{\"b\":1.5}]}", "[]", "\"text\"",
            "42", "null", "```json\n{\"a\":1}\n```", "not JSON");
    private static final RouterTarget TARGET = new RouterTarget(1, "t", "p", "cortensor-v2", "http://127.0.0.1:1",
            null, "k", 1, 1);

    private RequestFuzzing() {}

    /** Checks one body: {@code serverErrorCode} names the one 5xx the dialect may answer (a store that is down), or null. */
    static void check(Dialect dialect, byte[] body, String serverErrorCode) {
        if (body.length == 0) {
            return; // refused by BoundedBody before any dialect sees it
        }
        Exchange exchange;
        try {
            exchange = dialect.parse(body, CALLER);
        } catch (ApiError e) {
            assertRefusal(e, body, serverErrorCode);
            return;
        }
        InferenceRequest r = exchange.request();
        assertThat(r.model()).as("model").isNotNull();
        assertThat(r.maxTokensParam()).as("maxTokensParam").isNotNull();
        assertThat(r.inputParam()).as("inputParam").isNotNull();
        assertThat(r.sampling()).as("sampling").isNotNull();
        assertThat(r.maxTokens() == null || r.maxTokens() > 0).as("max tokens %s", r.maxTokens()).isTrue();
        int maxTokens = r.maxTokens() == null ? 1024 : r.maxTokens();
        if (r.conversation() == null) {
            assertThat(r.prompt().length()).as("prompt length").isLessThanOrEqualTo(body.length);
            routerBody(r, r.prompt(), maxTokens);
            return;
        }
        for (Family family : Families.all()) {
            ChatTurn turn;
            try {
                turn = ChatTurn.prepare(family, "m", r.conversation(), TODAY, r.stream());
            } catch (ApiError e) {
                assertRefusal(e, body, null);
                if (e.param() != null) {
                    assertThat(exchange.field(e.param())).as("the dialect's name for %s", e.param()).isNotNull();
                }
                continue;
            }
            assertThat((long) turn.prompt().length()).as("%s prompt length for a %d-byte body", family.id(),
                    body.length).isLessThanOrEqualTo(32L * body.length + 16_384);
            routerBody(r, turn.prompt(), maxTokens);
            if (turn.validates()) {
                validate(turn, r);
            }
        }
    }

    /**
     * The checks a validated request's answers go through (its JSON format, its strict tools' schemas) end with a
     * verdict for any answer, never an exception: by then the model has answered and its tokens are spent.
     */
    private static void validate(ChatTurn turn, InferenceRequest r) {
        List<ParsedOutput> answers = new ArrayList<>();
        for (String content : ANSWERS) {
            answers.add(turn.parse(content, false));
        }
        for (var tool : r.conversation().tools()) {
            for (String arguments : ANSWERS) {
                answers.add(new ParsedOutput(null, null, List.of(new ParsedOutput.Call(tool.name(), arguments)),
                        "tool_calls"));
            }
        }
        for (ParsedOutput answer : answers) {
            String problem = turn.problem(answer);
            if (problem != null) {
                turn.retry(answer, problem);
            }
        }
    }

    /** The router body is valid JSON carrying the prompt unchanged. */
    private static void routerBody(InferenceRequest r, String prompt, int maxTokens) {
        byte[] json = RouterBodies.completion(TARGET, r.model(), prompt, r.sampling(), r.stream(), maxTokens, "req-1",
                60);
        JsonNode sent;
        try {
            sent = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("the router body is not JSON", e);
        }
        assertThat(sent.get("prompt").textValue()).isEqualTo(prompt);
    }

    private static void assertRefusal(ApiError e, byte[] body, String serverErrorCode) {
        if (e.status() >= 500) {
            assertThat(e.code()).as("a server error").isNotNull().isEqualTo(serverErrorCode);
        } else {
            assertThat(e.status()).as("status of %s", e.code()).isBetween(400, 499);
        }
        assertThat(e.code()).as("code").isNotBlank();
        assertThat(e.getMessage()).as("message").isNotBlank();
        assertThat((long) e.getMessage().length()).as("message length").isLessThanOrEqualTo(2L * body.length + 1024);
    }
}
