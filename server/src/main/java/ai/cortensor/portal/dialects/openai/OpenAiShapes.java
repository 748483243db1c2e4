package ai.cortensor.portal.dialects.openai;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes responses in OpenAI's shapes: {@code chat.completion} / {@code text_completion} bodies and their stream
 * chunks as SSE frames. {@code id}, {@code created} and {@code model} (the public alias) are fixed per response.
 */
final class OpenAiShapes {
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private final Route route;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    /** The content chunk after the first, around its text; made at the second chunk. */
    private Template deltaTemplate;

    OpenAiShapes(Route route, String requestId, long created, String model, boolean includeUsage) {
        this.route = route;
        this.id = (route == Route.CHAT ? "chatcmpl-" : "cmpl-") + requestId.substring(4);
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    boolean includesUsage() {
        return includeUsage;
    }

    byte[] completion(String text, String finishReason, int promptTokens, int completionTokens) {
        return Json.write(g -> {
            head(g, route == Route.CHAT ? "chat.completion" : "text_completion");
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            if (route == Route.CHAT) {
                g.writeObjectFieldStart("message");
                g.writeStringField("role", "assistant");
                g.writeStringField("content", text);
                g.writeNullField("refusal");
                g.writeEndObject();
            } else {
                g.writeStringField("text", text);
            }
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finishReason);
            g.writeEndObject();
            g.writeEndArray();
            usage(g, promptTokens, completionTokens);
            g.writeEndObject();
        });
    }

    /** A chat completion body for a parsed answer: content, reasoning_content and tool_calls as present. */
    byte[] chatCompletion(ParsedOutput answer, List<String> callIds, int promptTokens, int completionTokens,
                          int reasoningTokens) {
        return Json.write(g -> {
            head(g, "chat.completion");
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", answer.content());
            if (answer.reasoning() != null) {
                g.writeStringField("reasoning_content", answer.reasoning());
            }
            if (!answer.toolCalls().isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (int i = 0; i < answer.toolCalls().size(); i++) {
                    ParsedOutput.Call c = answer.toolCalls().get(i);
                    g.writeStartObject();
                    g.writeStringField("id", callIds.get(i));
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", c.name());
                    g.writeStringField("arguments", c.arguments());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeNullField("refusal");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", answer.finishReason());
            g.writeEndObject();
            g.writeEndArray();
            usage(g, promptTokens, completionTokens, reasoningTokens);
            g.writeEndObject();
        });
    }

    /** A chat chunk carrying one reasoning delta ({@code delta.reasoning_content}). */
    byte[] reasoningDelta(String text, boolean first) {
        return chatDelta(first, g -> g.writeStringField("reasoning_content", text));
    }

    /** A chat chunk opening tool call {@code index}: its id, type and name, with empty arguments so far. */
    byte[] toolCallStart(int index, String id, String name, boolean first) {
        return chatDelta(first, g -> {
            g.writeArrayFieldStart("tool_calls");
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeStringField("id", id);
            g.writeStringField("type", "function");
            g.writeObjectFieldStart("function");
            g.writeStringField("name", name);
            g.writeStringField("arguments", "");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        });
    }

    /** A chat chunk with the next piece of tool call {@code index}'s arguments. */
    byte[] toolCallArguments(int index, String piece) {
        return chatDelta(false, g -> {
            g.writeArrayFieldStart("tool_calls");
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("function");
            g.writeStringField("arguments", piece);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        });
    }

    private byte[] chatDelta(boolean first, Json.Body fields) {
        return frame(g -> {
            chunkChoiceStart(g);
            g.writeObjectFieldStart("delta");
            if (first) {
                g.writeStringField("role", "assistant");
            }
            fields.write(g);
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeNullField("finish_reason");
            chunkEnd(g);
        });
    }

    /** A content chunk; the first chat chunk also carries the assistant role. */
    byte[] delta(String text, boolean first) {
        if (first) {
            return deltaFrame(text, true);
        }
        if (deltaTemplate == null) {
            deltaTemplate = Template.of(deltaFrame(Template.MARKER, false));
        }
        return deltaTemplate.fill(text);
    }

    /**
     * A frame cut around one string value, taken from the frame the generator writes for a marker value: the
     * bytes before and after the value are written once per response, and each frame only escapes its text with
     * Jackson's own string escaping. The result is the generator's frame byte for byte, except that characters
     * outside the BMP are written as UTF-8 rather than as escaped surrogate pairs (the same JSON string).
     */
    record Template(byte[] before, byte[] after) {
        /** A control character: the generator always escapes it, and nothing else in a frame contains it. */
        static final String MARKER = "\u0001";
        private static final byte[] ESCAPED = "\\u0001".getBytes(StandardCharsets.US_ASCII);

        static Template of(byte[] frame) {
            int at = lastIndexOf(frame, ESCAPED);
            if (at < 0) {
                throw new IllegalStateException("the marker is not in the frame");
            }
            return new Template(java.util.Arrays.copyOfRange(frame, 0, at),
                    java.util.Arrays.copyOfRange(frame, at + ESCAPED.length, frame.length));
        }

        byte[] fill(String value) {
            byte[] escaped = com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsUTF8(value);
            byte[] out = new byte[before.length + escaped.length + after.length];
            System.arraycopy(before, 0, out, 0, before.length);
            System.arraycopy(escaped, 0, out, before.length, escaped.length);
            System.arraycopy(after, 0, out, before.length + escaped.length, after.length);
            return out;
        }

        private static int lastIndexOf(byte[] a, byte[] b) {
            outer:
            for (int i = a.length - b.length; i >= 0; i--) {
                for (int j = 0; j < b.length; j++) {
                    if (a[i + j] != b[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** A content chunk written by the generator (what the template reproduces for chunks after the first). */
    byte[] deltaFrame(String text, boolean first) {
        return frame(g -> {
            chunkChoiceStart(g);
            if (route == Route.CHAT) {
                g.writeObjectFieldStart("delta");
                if (first) {
                    g.writeStringField("role", "assistant");
                }
                g.writeStringField("content", text);
                g.writeEndObject();
            } else {
                g.writeStringField("text", text);
            }
            g.writeNullField("logprobs");
            g.writeNullField("finish_reason");
            chunkEnd(g);
        });
    }

    byte[] finish(String finishReason) {
        return frame(g -> {
            chunkChoiceStart(g);
            if (route == Route.CHAT) {
                g.writeObjectFieldStart("delta");
                g.writeEndObject();
            } else {
                g.writeStringField("text", "");
            }
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finishReason);
            chunkEnd(g);
        });
    }

    /** The {@code stream_options.include_usage} chunk: no choices, full usage. */
    byte[] usageChunk(int promptTokens, int completionTokens, int reasoningTokens) {
        return frame(g -> {
            head(g, route == Route.CHAT ? "chat.completion.chunk" : "text_completion");
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, promptTokens, completionTokens, reasoningTokens);
            g.writeEndObject();
        });
    }

    static byte[] errorFrame(String message, String type, String code, String requestId) {
        byte[] json = Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            g.writeNullField("param");
            g.writeStringField("code", code);
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
            g.writeEndObject();
        });
        return sse(json);
    }

    private void chunkChoiceStart(JsonGenerator g) throws IOException {
        head(g, route == Route.CHAT ? "chat.completion.chunk" : "text_completion");
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", 0);
    }

    private void chunkEnd(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.writeEndArray();
        if (includeUsage) {
            g.writeNullField("usage");
        }
        g.writeEndObject();
    }

    private void head(JsonGenerator g, String object) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", object);
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
        g.writeNullField("system_fingerprint");
    }

    private static void usage(JsonGenerator g, int promptTokens, int completionTokens) throws IOException {
        usage(g, promptTokens, completionTokens, 0);
    }

    /** {@code completion_tokens_details.reasoning_tokens} is written when the answer had reasoning. */
    private static void usage(JsonGenerator g, int promptTokens, int completionTokens, int reasoningTokens)
            throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", promptTokens);
        g.writeNumberField("completion_tokens", completionTokens);
        g.writeNumberField("total_tokens", promptTokens + completionTokens);
        if (reasoningTokens > 0) {
            g.writeObjectFieldStart("completion_tokens_details");
            g.writeNumberField("reasoning_tokens", reasoningTokens);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static byte[] frame(Json.Body body) {
        return sse(Json.write(body));
    }

    private static byte[] sse(byte[] json) {
        byte[] out = new byte[DATA.length + json.length + 2];
        System.arraycopy(DATA, 0, out, 0, DATA.length);
        System.arraycopy(json, 0, out, DATA.length, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }
}
