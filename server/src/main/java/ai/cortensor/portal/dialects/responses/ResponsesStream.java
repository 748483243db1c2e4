package ai.cortensor.portal.dialects.responses;

import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.InstantSource;

/**
 * The Responses API event stream of one answer, every event with its {@code sequence_number} (from 0):
 *
 * <pre>
 * response.created, response.in_progress                       (at the first event, with the in-progress snapshot)
 * per output item, in the order the model writes them:
 *   reasoning: response.output_item.added, response.content_part.added (reasoning_text),
 *              response.reasoning_text.delta…, response.reasoning_text.done, response.content_part.done,
 *              response.output_item.done
 *   message:   response.output_item.added, response.content_part.added (output_text),
 *              response.output_text.delta…, response.output_text.done, response.content_part.done,
 *              response.output_item.done
 *   call:      response.output_item.added, response.function_call_arguments.delta…,
 *              response.function_call_arguments.done, response.output_item.done
 * response.completed, or response.incomplete (cut at max_output_tokens; the open item ends "incomplete")
 * </pre>
 *
 * A new kind of output (reasoning, text, another call) ends the open item. When the router breaks mid-answer: an
 * {@code error} event (the portal's error code and message) and then {@code response.failed}, whose response has
 * status {@code failed}, {@code error.code: server_error} and the output as far as it was written (an open item with
 * status {@code incomplete}). Nothing is written before the first event.
 */
final class ResponsesStream implements StreamEncoder {
    private enum Kind { REASONING, MESSAGE, CALL }

    /** The item being written. */
    private static final class Open {
        final Kind kind;
        final String id;
        final int outputIndex;
        final StringBuilder text = new StringBuilder();
        int callIndex;
        String name;
        String callId;

        Open(Kind kind, String id, int outputIndex) {
            this.kind = kind;
            this.id = id;
            this.outputIndex = outputIndex;
        }
    }

    private final ResponsesExchange exchange;
    private final ResponseMeta meta;
    private final EventStream out;
    private final InstantSource clock;
    private final ArrayNode output = Json.MAPPER.createArrayNode();
    private int sequence;
    private boolean started;
    private Open open;

    ResponsesStream(ResponsesExchange exchange, ResponseMeta meta, EventStream out, InstantSource clock) {
        this.exchange = exchange;
        this.meta = meta;
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void reasoning(String delta) {
        begin(Kind.REASONING);
        delta("response.reasoning_text.delta", delta, false);
    }

    @Override
    public void content(String delta) {
        begin(Kind.MESSAGE);
        delta("response.output_text.delta", delta, true);
    }

    @Override
    public void toolCallStart(int index, String name) {
        start();
        close("completed");
        open = new Open(Kind.CALL, ResponseJson.callItemId(meta, index), output.size());
        open.callIndex = index;
        open.name = name;
        open.callId = meta.callId("call_", index);
        ObjectNode e = event("response.output_item.added");
        e.put("output_index", open.outputIndex);
        e.set("item", ResponseJson.functionCall(open.id, "in_progress", open.callId, name, ""));
        send(e);
    }

    @Override
    public void toolCallArguments(int index, String delta) {
        if (open == null || open.kind != Kind.CALL || open.callIndex != index) {
            throw new IllegalStateException("arguments of tool call " + index + ", which is not the open item");
        }
        open.text.append(delta);
        send(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "response.function_call_arguments.delta");
            g.writeNumberField("sequence_number", sequence++);
            g.writeStringField("item_id", open.id);
            g.writeNumberField("output_index", open.outputIndex);
            g.writeStringField("delta", delta);
            g.writeEndObject();
        }), "response.function_call_arguments.delta");
    }

    @Override
    public void finish(String finishReason, Usage usage) {
        start();
        if (open == null && output.isEmpty()) {
            begin(Kind.MESSAGE); // the model wrote nothing: an empty message, as the whole body has
        }
        String status = "length".equals(finishReason) ? "incomplete" : "completed";
        close(status);
        ObjectNode response = ResponseJson.response(exchange.responses(), meta, status, output, usage, null,
                clock.instant().getEpochSecond());
        exchange.save(meta, status, ResponsesExchange.bytes(response)); // stored before the client sees the end
        ObjectNode e = event(status.equals("incomplete") ? "response.incomplete" : "response.completed");
        e.set("response", response);
        send(e);
    }

    @Override
    public void fail(ApiError error, Usage usage) {
        start();
        if (open != null) {
            output.add(item(open, "incomplete"));
            open = null;
        }
        out.send(errorEvent(error, meta.requestId(), sequence++));
        ObjectNode response = ResponseJson.response(exchange.responses(), meta, "failed", output, usage,
                error.getMessage(), null);
        exchange.save(meta, "failed", ResponsesExchange.bytes(response));
        ObjectNode e = event("response.failed");
        e.set("response", response);
        send(e);
    }

    /**
     * The {@code error} event: {@code code}, {@code message} and {@code param} at its top level as OpenAI documents it
     * (no {@code error} member, so SDKs hand it to the caller as an event rather than throwing); a whole SSE frame.
     */
    static byte[] errorEvent(ApiError error, String requestId, int sequenceNumber) {
        return EventStream.event("error", Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeNumberField("sequence_number", sequenceNumber);
            g.writeStringField("code", error.code());
            g.writeStringField("message", error.getMessage());
            g.writeStringField("param", error.param());
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
        }));
    }

    // ---- items ------------------------------------------------------------------------------------------------

    /** The lifecycle opening, once: {@code response.created} and {@code response.in_progress}. */
    private void start() {
        if (started) {
            return;
        }
        started = true;
        for (String type : new String[] {"response.created", "response.in_progress"}) {
            ObjectNode e = event(type);
            e.set("response", ResponseJson.response(exchange.responses(), meta, "in_progress",
                    Json.MAPPER.createArrayNode(), null, null, null));
            send(e);
        }
    }

    /** Makes a reasoning or message item the open one, ending another open item first. */
    private void begin(Kind kind) {
        start();
        if (open != null && open.kind == kind) {
            return;
        }
        close("completed");
        int index = output.size();
        boolean reasoning = kind == Kind.REASONING;
        open = new Open(kind, reasoning ? ResponseJson.reasoningId(meta, index) : ResponseJson.messageId(meta, index),
                index);
        ObjectNode added = event("response.output_item.added");
        added.put("output_index", index);
        added.set("item", reasoning ? ResponseJson.reasoning(open.id, "in_progress", null)
                : ResponseJson.message(open.id, "in_progress", null));
        send(added);
        ObjectNode part = partEvent("response.content_part.added");
        part.set("part", reasoning ? ResponseJson.reasoningText("") : ResponseJson.outputText(""));
        send(part);
    }

    /** Ends the open item, if any, with its closing events, and adds it to the output. */
    private void close(String status) {
        if (open == null) {
            return;
        }
        String text = open.text.toString();
        switch (open.kind) {
            case REASONING, MESSAGE -> {
                boolean reasoning = open.kind == Kind.REASONING;
                ObjectNode done = partEvent(reasoning ? "response.reasoning_text.done" : "response.output_text.done");
                done.put("text", text);
                if (!reasoning) {
                    done.putArray("logprobs");
                }
                send(done);
                ObjectNode part = partEvent("response.content_part.done");
                part.set("part", reasoning ? ResponseJson.reasoningText(text) : ResponseJson.outputText(text));
                send(part);
            }
            case CALL -> {
                ObjectNode done = event("response.function_call_arguments.done");
                done.put("item_id", open.id);
                done.put("output_index", open.outputIndex);
                done.put("arguments", text);
                send(done);
            }
        }
        ObjectNode item = item(open, status);
        ObjectNode done = event("response.output_item.done");
        done.put("output_index", open.outputIndex);
        done.set("item", item);
        send(done);
        output.add(item);
        open = null;
    }

    private ObjectNode item(Open o, String status) {
        String text = o.text.toString();
        return switch (o.kind) {
            case REASONING -> ResponseJson.reasoning(o.id, status, text);
            case MESSAGE -> ResponseJson.message(o.id, status, text);
            case CALL -> ResponseJson.functionCall(o.id, status, o.callId, o.name, text);
        };
    }

    // ---- events -----------------------------------------------------------------------------------------------

    /** A text delta of the open item; written straight to bytes (the most frequent event). */
    private void delta(String type, String delta, boolean logprobs) {
        open.text.append(delta);
        send(Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            g.writeNumberField("sequence_number", sequence++);
            g.writeStringField("item_id", open.id);
            g.writeNumberField("output_index", open.outputIndex);
            g.writeNumberField("content_index", 0);
            g.writeStringField("delta", delta);
            if (logprobs) {
                g.writeArrayFieldStart("logprobs");
                g.writeEndArray();
            }
            g.writeEndObject();
        }), type);
    }

    /** An event naming the open item's (only) content part. */
    private ObjectNode partEvent(String type) {
        ObjectNode e = event(type);
        e.put("item_id", open.id);
        e.put("output_index", open.outputIndex);
        e.put("content_index", 0);
        return e;
    }

    /** A new event with its type and the next sequence number. */
    private ObjectNode event(String type) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("type", type);
        e.put("sequence_number", sequence++);
        return e;
    }

    private void send(ObjectNode event) {
        send(ResponsesExchange.bytes(event), event.get("type").asText());
    }

    private void send(byte[] json, String type) {
        out.send(EventStream.event(type, json));
    }
}
