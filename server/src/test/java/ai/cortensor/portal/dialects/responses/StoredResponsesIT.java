package ai.cortensor.portal.dialects.responses;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.families.Message;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.keys.ApiKey;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.testkit.FakeClock;
import ai.cortensor.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stored responses on real PostgreSQL with a fake clock: who can read them, how long, what the sweep deletes, and
 * how the dialect continues one with {@code previous_response_id}.
 */
class StoredResponsesIT {
    static TestDatabase pg;
    static Database db;
    static long alice;
    static long bob;
    static long org;

    final FakeClock clock = new FakeClock(Instant.parse("2026-12-01T10:00:00Z"));
    StoredResponses stored;
    ResponsesDialect dialect;

    @BeforeAll
    static void open() throws Exception {
        pg = TestDatabase.create();
        db = Database.open(ConfigLoader.fromMap(Map.of("database.url", pg.url(),
                "data.dir", Files.createTempDirectory("stored-responses").toString())));
        alice = user(db.jdbi(), "alice@example.com");
        bob = user(db.jdbi(), "bob@example.com");
        org = db.jdbi().withHandle(h -> h.createQuery("INSERT INTO organizations (name) VALUES ('acme') RETURNING id")
                .mapTo(Long.class).one());
    }

    @AfterAll
    static void close() {
        db.close();
        pg.close();
    }

    @BeforeEach
    void fresh() {
        db.jdbi().useHandle(h -> h.execute("DELETE FROM responses"));
        stored = new StoredResponses(db.jdbi(), new PortalConfig.Responses(true, Duration.ofDays(30),
                Duration.ofHours(1)), clock);
        dialect = new ResponsesDialect(stored, clock);
    }

    private static long user(Jdbi jdbi, String email) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO users (email) VALUES (:e) RETURNING id").bind("e", email)
                .mapTo(Long.class).one());
    }

    private static ApiKey key(long id, long user, Long organization) {
        return new ApiKey(id, "pub" + id, new byte[0], "k", user, organization, "active", null, Instant.EPOCH, null,
                false);
    }

    /** Runs one non-streaming exchange for {@code caller} and returns the response object it answered with. */
    private String respond(ApiKey caller, String requestId, String json, ParsedOutput answer) {
        ResponsesExchange x = (ResponsesExchange) dialect.parse(json.getBytes(StandardCharsets.UTF_8), caller);
        ResponseMeta meta = new ResponseMeta(requestId, clock.instant(), "qwen");
        return new String(x.body(answer, new Usage(10, 5, 0, false), meta), StandardCharsets.UTF_8);
    }

    private long rows() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM responses").mapTo(Long.class).one());
    }

    @Test
    void a_stored_response_is_returned_byte_for_byte_to_its_account_only() {
        ApiKey aliceKey = key(1, alice, null);
        String body = respond(aliceKey, "req_01AAA", "{\"model\":\"qwen\",\"input\":\"hi\",\"metadata\":{\"z\":\"1\","
                + "\"a\":\"2\"}}", new ParsedOutput("Hello", null, List.of(), "stop"));

        assertThat(stored.find("resp_01aaa", aliceKey).orElseThrow().body()).isEqualTo(body);
        assertThat(stored.find("resp_01aaa", key(2, alice, null))).as("another key of the same account").isPresent();
        assertThat(stored.find("resp_01aaa", key(3, bob, null))).as("another user").isEmpty();
        assertThat(stored.find("resp_01aaa", key(4, alice, org))).as("alice's organization is another account")
                .isEmpty();
        assertThat(stored.delete("resp_01aaa", key(3, bob, null))).isFalse();
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void an_organization_response_is_shared_by_the_organization_keys_of_every_member() {
        respond(key(5, alice, org), "req_01ORG", "{\"model\":\"qwen\",\"input\":\"hi\"}",
                new ParsedOutput("Hi", null, List.of(), "stop"));

        assertThat(stored.find("resp_01org", key(6, bob, org))).isPresent();
        assertThat(stored.find("resp_01org", key(1, alice, null))).as("alice's personal account").isEmpty();
        assertThat(stored.delete("resp_01org", key(6, bob, org))).isTrue();
        assertThat(stored.find("resp_01org", key(5, alice, org))).isEmpty();
    }

    @Test
    void store_false_keeps_nothing() {
        respond(key(1, alice, null), "req_01NOS", "{\"model\":\"qwen\",\"input\":\"hi\",\"store\":false}",
                new ParsedOutput("Hi", null, List.of(), "stop"));
        assertThat(rows()).isZero();
    }

    @Test
    void after_the_retention_a_response_is_gone_and_the_sweep_deletes_only_expired_ones() {
        ApiKey k = key(1, alice, null);
        respond(k, "req_01OLD", "{\"model\":\"qwen\",\"input\":\"hi\"}", new ParsedOutput("a", null, List.of(), "stop"));
        clock.advance(Duration.ofDays(20));
        respond(k, "req_01NEW", "{\"model\":\"qwen\",\"input\":\"hi\"}", new ParsedOutput("b", null, List.of(), "stop"));
        clock.advance(Duration.ofDays(10).plusSeconds(1));

        assertThat(stored.find("resp_01old", k)).as("30 days and a second old").isEmpty();
        assertThat(stored.delete("resp_01old", k)).isFalse();
        assertThat(stored.find("resp_01new", k)).isPresent();
        ApiError e = refusal(k, "{\"model\":\"qwen\",\"input\":\"more\",\"previous_response_id\":\"resp_01old\"}");
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("previous_response_not_found");

        assertThat(rows()).isEqualTo(2);
        assertThat(stored.sweep()).isEqualTo(1);
        assertThat(rows()).isEqualTo(1);
        assertThat(stored.find("resp_01new", k)).isPresent();
    }

    @Test
    void previous_response_id_continues_the_stored_conversation_without_its_instructions() {
        ApiKey k = key(1, alice, null);
        respond(k, "req_01ONE", """
                {"model":"qwen","instructions":"Speak like a pirate.","input":"Weather in Oslo?",
                 "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}}}]}""",
                new ParsedOutput("Let me check.", "Need the tool.", List.of(new ParsedOutput.Call("get_weather",
                        "{\"city\":\"Oslo\"}")), "tool_calls"));
        respond(k, "req_01TWO", """
                {"model":"qwen","previous_response_id":"resp_01one","instructions":"Be brief.",
                 "input":[{"type":"function_call_output","call_id":"call_01one_0","output":"cold"}]}""",
                new ParsedOutput("It is cold.", null, List.of(), "stop"));

        ResponsesExchange third = (ResponsesExchange) dialect.parse(("{\"model\":\"qwen\",\"previous_response_id\":"
                + "\"resp_01two\",\"input\":\"Thanks\"}").getBytes(StandardCharsets.UTF_8), k);

        List<Message> m = third.request().conversation().messages();
        assertThat(m).extracting(x -> x.role().wire() + ":" + x.content()).containsExactly(
                "user:Weather in Oslo?", "assistant:Let me check.", "tool:cold", "assistant:It is cold.",
                "user:Thanks");
        assertThat(m.get(1).reasoning()).isEqualTo("Need the tool.");
        assertThat(m.get(1).toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("call_01one_0");
            assertThat(c.name()).isEqualTo("get_weather");
            assertThat(c.arguments()).isEqualTo("{\"city\":\"Oslo\"}");
        });
        assertThat(m.get(2).toolCallId()).isEqualTo("call_01one_0");
        String previous = db.jdbi().withHandle(h -> h.createQuery("SELECT previous_response_id FROM responses WHERE "
                + "id = 'resp_01two'").mapTo(String.class).one());
        assertThat(previous).isEqualTo("resp_01one");
    }

    @Test
    void another_accounts_response_cannot_be_continued() {
        respond(key(1, alice, null), "req_01ALI", "{\"model\":\"qwen\",\"input\":\"secret\"}",
                new ParsedOutput("ok", null, List.of(), "stop"));

        ApiError e = refusal(key(3, bob, null), "{\"model\":\"qwen\",\"input\":\"x\",\"previous_response_id\":"
                + "\"resp_01ali\"}");
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("previous_response_not_found");
        assertThat(e.param()).isEqualTo("previous_response_id");
        assertThat(e.getMessage()).isEqualTo("Previous response with id 'resp_01ali' not found.");
    }

    @Test
    void a_failed_stream_is_stored_as_failed_and_cannot_be_continued() {
        ApiKey k = key(1, alice, null);
        ResponsesExchange x = (ResponsesExchange) dialect.parse("{\"model\":\"qwen\",\"input\":\"hi\",\"stream\":true}"
                .getBytes(StandardCharsets.UTF_8), k);
        var encoder = x.stream(new ResponseMeta("req_01BRK", clock.instant(), "qwen"),
                new ai.cortensor.portal.gateway.EventStream(java.io.ByteArrayOutputStream::new));
        encoder.content("Par");
        encoder.fail(ApiError.server(502, "router_stream_interrupted", "stopped"), new Usage(3, 1, 0, true));

        var found = stored.find("resp_01brk", k).orElseThrow();
        assertThat(found.status()).isEqualTo("failed");
        assertThat(found.body()).contains("\"status\":\"failed\"").contains("\"text\":\"Par\"");
        ApiError e = refusal(k, "{\"model\":\"qwen\",\"input\":\"x\",\"previous_response_id\":\"resp_01brk\"}");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo("previous_response_id");
    }

    @Test
    void with_storage_off_nothing_is_read_or_deleted() {
        ApiKey k = key(1, alice, null);
        respond(k, "req_01OFF", "{\"model\":\"qwen\",\"input\":\"hi\"}", new ParsedOutput("a", null, List.of(), "stop"));
        StoredResponses off = new StoredResponses(db.jdbi(), new PortalConfig.Responses(false, Duration.ofDays(30),
                Duration.ofHours(1)), clock);

        assertThat(off.enabled()).isFalse();
        assertThat(off.find("resp_01off", k)).isEmpty();
        assertThat(off.delete("resp_01off", k)).isFalse();
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void without_a_database_an_answer_is_still_delivered_and_reads_are_a_503() {
        StoredResponses down = new StoredResponses(Jdbi.create("jdbc:postgresql://127.0.0.1:1/none"),
                new PortalConfig.Responses(true, Duration.ofDays(30), Duration.ofHours(1)), clock);
        ResponsesDialect d = new ResponsesDialect(down, clock);
        ApiKey k = key(1, alice, null);
        ResponsesExchange x = (ResponsesExchange) d.parse("{\"model\":\"qwen\",\"input\":\"hi\"}"
                .getBytes(StandardCharsets.UTF_8), k);

        byte[] body = x.body(new ParsedOutput("Hello", null, List.of(), "stop"), new Usage(1, 1, 0, false),
                new ResponseMeta("req_01DWN", clock.instant(), "qwen"));

        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"text\":\"Hello\"");
        ApiError e = null;
        try {
            d.parse("{\"model\":\"qwen\",\"input\":\"x\",\"previous_response_id\":\"resp_01dwn\"}"
                    .getBytes(StandardCharsets.UTF_8), k);
        } catch (ApiError caught) {
            e = caught;
        }
        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("responses_unavailable");
        assertThat(e.retryAfterSeconds()).isNotNull();
    }

    private ApiError refusal(ApiKey caller, String json) {
        try {
            dialect.parse(json.getBytes(StandardCharsets.UTF_8), caller);
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }
}
