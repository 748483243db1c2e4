package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.Fields;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON of Anthropic Messages answers: the {@code message} object (whole, or empty for {@code message_start}),
 * its content blocks, its usage, and the stream events' payloads.
 */
final class MessageShapes {
    static final byte[] PING = "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MESSAGE_STOP = "{\"type\":\"message_stop\"}".getBytes(StandardCharsets.US_ASCII);

    private MessageShapes() {}

    static String id(ResponseMeta meta) {
        return "msg_" + meta.idTail();
    }

    static String toolUseId(ResponseMeta meta, int index) {
        return meta.callId("toolu_", index);
    }

    /** stop → end_turn, length → max_tokens, tool_calls → tool_use. */
    static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls" -> "tool_use";
            default -> "end_turn";
        };
    }

    /** A whole answer: thinking, then text, then the tool_use blocks. */
    static byte[] message(ParsedOutput answer, Usage usage, ResponseMeta meta, boolean omitThinking) {
        return Json.write(g -> {
            g.writeStartObject();
            head(g, meta);
            g.writeArrayFieldStart("content");
            if (answer.reasoning() != null) {
                g.writeStartObject();
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", omitThinking ? "" : answer.reasoning());
                g.writeStringField("signature", ThinkingSignature.of(answer.reasoning()));
                g.writeEndObject();
            }
            if (answer.content() != null) {
                g.writeStartObject();
                g.writeStringField("type", "text");
                g.writeStringField("text", answer.content());
                g.writeEndObject();
            }
            for (int i = 0; i < answer.toolCalls().size(); i++) {
                ParsedOutput.Call call = answer.toolCalls().get(i);
                g.writeStartObject();
                toolUse(g, toolUseId(meta, i), call.name());
                g.writeFieldName("input");
                g.writeRawValue(inputJson(call.arguments()));
                caller(g);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", stopReason(answer.finishReason()));
            g.writeNullField("stop_sequence");
            g.writeFieldName("usage");
            usage(g, usage, true);
            g.writeEndObject();
        });
    }

    /**
     * A tool call's arguments as a tool_use {@code input}: the JSON object the model wrote (key order kept,
     * written compactly), {@code {}} when empty or anything but an object. qwen and gemma-4 only return calls whose
     * arguments parse (others are content); a gpt-oss call streams its arguments as written and may not.
     */
    static String inputJson(String arguments) {
        JsonNode parsed = Fields.arguments(arguments);
        return parsed != null && parsed.isObject() ? parsed.toString() : "{}";
    }

    /**
     * {@code message_start}: the message with no content and no stop reason yet. Its usage counts nothing yet: the
     * input tokens are known when the answer ends and come in {@code message_delta}, which the SDKs' accumulators
     * merge into the final usage.
     */
    static byte[] messageStart(ResponseMeta meta) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_start");
            g.writeObjectFieldStart("message");
            head(g, meta);
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            g.writeFieldName("usage");
            usage(g, new Usage(0, 0, 0, false), true);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static byte[] thinkingStart(int index) {
        return blockStart(index, g -> {
            g.writeStringField("type", "thinking");
            g.writeStringField("thinking", "");
            g.writeStringField("signature", "");
        });
    }

    static byte[] textStart(int index) {
        return blockStart(index, g -> {
            g.writeStringField("type", "text");
            g.writeStringField("text", "");
        });
    }

    static byte[] toolUseStart(int index, String id, String name) {
        return blockStart(index, g -> {
            toolUse(g, id, name);
            g.writeObjectFieldStart("input");
            g.writeEndObject();
            caller(g);
        });
    }

    static byte[] delta(int index, String deltaType, String field, String value) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_delta");
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            g.writeStringField("type", deltaType);
            g.writeStringField(field, value);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static byte[] blockStop(int index) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_stop");
            g.writeNumberField("index", index);
            g.writeEndObject();
        });
    }

    static byte[] messageDelta(String finishReason, Usage usage) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_delta");
            g.writeObjectFieldStart("delta");
            g.writeStringField("stop_reason", stopReason(finishReason));
            g.writeNullField("stop_sequence");
            g.writeEndObject();
            g.writeFieldName("usage");
            usage(g, usage, false);
            g.writeEndObject();
        });
    }

    private static void head(JsonGenerator g, ResponseMeta meta) throws IOException {
        g.writeStringField("id", id(meta));
        g.writeStringField("type", "message");
        g.writeStringField("role", "assistant");
        g.writeStringField("model", meta.model());
    }

    private static void toolUse(JsonGenerator g, String id, String name) throws IOException {
        g.writeStringField("type", "tool_use");
        g.writeStringField("id", id);
        g.writeStringField("name", name);
    }

    /** The model called the tool itself (Anthropic's SDKs require the field). */
    private static void caller(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("caller");
        g.writeStringField("type", "direct");
        g.writeEndObject();
    }

    /**
     * Usage as Anthropic reports it; there is no prompt cache, so cached tokens are 0, and one tier. Reasoning
     * tokens (counted by the gateway) are {@code output_tokens_details.thinking_tokens}, part of output_tokens.
     */
    private static void usage(JsonGenerator g, Usage u, boolean tier) throws IOException {
        g.writeStartObject();
        g.writeNumberField("input_tokens", u.inputTokens());
        g.writeNumberField("cache_creation_input_tokens", 0);
        g.writeNumberField("cache_read_input_tokens", 0);
        g.writeNumberField("output_tokens", u.outputTokens());
        if (u.reasoningTokens() > 0) {
            g.writeObjectFieldStart("output_tokens_details");
            g.writeNumberField("thinking_tokens", u.reasoningTokens());
            g.writeEndObject();
        }
        if (tier) {
            g.writeStringField("service_tier", "standard");
        }
        g.writeEndObject();
    }

    private static byte[] blockStart(int index, Json.Body block) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_start");
            g.writeNumberField("index", index);
            g.writeFieldName("content_block");
            g.writeStartObject();
            block.write(g);
            g.writeEndObject();
            g.writeEndObject();
        });
    }
}
