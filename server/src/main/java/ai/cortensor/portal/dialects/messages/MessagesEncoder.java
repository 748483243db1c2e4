package ai.cortensor.portal.dialects.messages;

import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.web.ApiError;

/**
 * Anthropic's event sequence for one streamed answer: {@code message_start}; per content block
 * {@code content_block_start}, its {@code content_block_delta}s ({@code thinking_delta} then one
 * {@code signature_delta}, {@code text_delta}, or {@code input_json_delta}) and {@code content_block_stop};
 * {@code ping} after the first block starts, as Anthropic sends it; then {@code message_delta} (stop reason and
 * usage) and {@code message_stop}. A new kind of event closes the open block, so reasoning, text and calls that
 * interleave become consecutive blocks. A broken stream ends with an {@code error} event.
 */
final class MessagesEncoder implements StreamEncoder {
    private enum Block { NONE, THINKING, TEXT, TOOL_USE }

    private final ResponseMeta meta;
    private final EventStream out;
    private final boolean omitThinking;
    private boolean started;
    private boolean pinged;
    private Block open = Block.NONE;
    /** The index of the open (or last) content block; -1 before the first. */
    private int index = -1;
    /** The tool call whose tool_use block is open. */
    private int openCall = -1;
    private final StringBuilder thinking = new StringBuilder();

    MessagesEncoder(ResponseMeta meta, EventStream out, boolean omitThinking) {
        this.meta = meta;
        this.out = out;
        this.omitThinking = omitThinking;
    }

    @Override
    public void reasoning(String delta) {
        if (delta.isEmpty()) {
            return;
        }
        if (open != Block.THINKING) {
            thinking.setLength(0);
            begin(Block.THINKING, MessageShapes.thinkingStart(index + 1));
        }
        thinking.append(delta);
        if (!omitThinking) {
            send("content_block_delta", MessageShapes.delta(index, "thinking_delta", "thinking", delta));
        }
    }

    @Override
    public void content(String delta) {
        if (delta.isEmpty()) {
            return;
        }
        if (open != Block.TEXT) {
            begin(Block.TEXT, MessageShapes.textStart(index + 1));
        }
        send("content_block_delta", MessageShapes.delta(index, "text_delta", "text", delta));
    }

    @Override
    public void toolCallStart(int call, String name) {
        begin(Block.TOOL_USE, MessageShapes.toolUseStart(index + 1, MessageShapes.toolUseId(meta, call), name));
        openCall = call;
    }

    @Override
    public void toolCallArguments(int call, String delta) {
        if (open != Block.TOOL_USE || openCall != call) {
            throw new IllegalStateException("arguments of tool call " + call + " outside its block");
        }
        if (!delta.isEmpty()) {
            send("content_block_delta", MessageShapes.delta(index, "input_json_delta", "partial_json", delta));
        }
    }

    @Override
    public void finish(String finishReason, Usage usage) {
        startMessage();
        close();
        send("message_delta", MessageShapes.messageDelta(finishReason, usage));
        send("message_stop", MessageShapes.MESSAGE_STOP);
    }

    @Override
    public void fail(ApiError error, Usage usage) {
        out.send(AnthropicErrors.event(error, meta.requestId()));
    }

    private void startMessage() {
        if (!started) {
            started = true;
            send("message_start", MessageShapes.messageStart(meta));
        }
    }

    private void begin(Block kind, byte[] start) {
        startMessage();
        close();
        index++;
        open = kind;
        send("content_block_start", start);
        if (!pinged) {
            pinged = true;
            send("ping", MessageShapes.PING);
        }
    }

    /** Ends the open block; a thinking block gets its signature first. */
    private void close() {
        if (open == Block.NONE) {
            return;
        }
        if (open == Block.THINKING) {
            send("content_block_delta", MessageShapes.delta(index, "signature_delta", "signature",
                    ThinkingSignature.of(thinking)));
        }
        send("content_block_stop", MessageShapes.blockStop(index));
        open = Block.NONE;
        openCall = -1;
    }

    private void send(String event, byte[] json) {
        out.send(EventStream.event(event, json));
    }
}
