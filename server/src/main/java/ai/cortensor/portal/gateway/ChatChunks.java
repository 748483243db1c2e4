package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.OutputParser;
import ai.cortensor.portal.families.OutputSink;
import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.families.TrimmingSink;
import java.io.OutputStream;

/**
 * Decodes the model's streamed text with its family's parser and encodes the events as OpenAI chat chunks on the client's event stream, one flush per chunk: reasoning as
 * {@code delta.reasoning_content}, text as {@code delta.content}, each tool call as a chunk with its id, type and
 * name followed by chunks with pieces of {@code function.arguments}. The first chunk carries the assistant role.
 * With {@code parallel_tool_calls: false} only the first call is passed on. After the client went away nothing more
 * is written ({@link #gone()}).
 */
final class ChatChunks implements OutputSink, StreamRelay.Deltas {
    private final OutputStream client;
    private final OpenAiShapes shapes;
    private final ChatTurn turn;
    private final OutputParser parser;
    private final TrimmingSink trimmed = new TrimmingSink(this);
    /** The reasoning sent, kept only when the client asked for a usage chunk (to count its tokens); else null. */
    private StringBuilder reasoningText;
    private boolean first = true;
    private boolean gone;
    private int calls;

    ChatChunks(OutputStream client, OpenAiShapes shapes, ChatTurn turn) {
        this.client = client;
        this.shapes = shapes;
        this.turn = turn;
        this.parser = turn.parser();
    }

    /** The model's next raw text, through the family's parser; false once the client has gone. */
    @Override
    public boolean text(String text, boolean firstText) {
        if (firstText && !turn.prefill().isEmpty()) {
            parser.feed(turn.prefill(), trimmed);
        }
        parser.feed(text, trimmed);
        return !gone;
    }

    /** The model stopped: what the parser held back is sent. False when the client has gone. */
    boolean finish() {
        parser.finish(trimmed);
        return !gone;
    }

    /** Sends one chunk of the finished answer: used when it was validated whole before anything was sent. */
    void replay(ParsedOutput answer) {
        if (answer.reasoning() != null) {
            reasoning(answer.reasoning());
        }
        if (answer.content() != null) {
            content(answer.content());
        }
        for (int i = 0; i < answer.toolCalls().size(); i++) {
            toolCallStart(i, answer.toolCalls().get(i).name());
            toolCallArguments(i, answer.toolCalls().get(i).arguments());
        }
    }

    boolean gone() {
        return gone;
    }

    /** True when at least one tool call was sent: the finish reason is then {@code tool_calls}. */
    boolean calledTools() {
        return calls > 0;
    }

    @Override
    public void reasoning(String delta) {
        if (shapes.includesUsage()) {
            if (reasoningText == null) {
                reasoningText = new StringBuilder(256);
            }
            reasoningText.append(delta);
        }
        send(shapes.reasoningDelta(delta, first));
    }

    /** The reasoning sent (when a usage chunk was asked for), or null. */
    String reasoningSent() {
        return reasoningText == null ? null : reasoningText.toString();
    }

    @Override
    public void content(String delta) {
        send(shapes.delta(delta, first));
    }

    @Override
    public void toolCallStart(int index, String name) {
        if (index < turn.maxToolCalls()) {
            calls++;
            send(shapes.toolCallStart(index, turn.toolCallId(index), name, first));
        }
    }

    @Override
    public void toolCallArguments(int index, String delta) {
        if (index < turn.maxToolCalls()) {
            send(shapes.toolCallArguments(index, delta));
        }
    }

    private void send(byte[] frame) {
        if (!gone) {
            first = false;
            gone = !StreamRelay.write(client, frame);
        }
    }
}
