package ai.cortensor.portal.dialects.openai;

import ai.cortensor.portal.families.ParsedOutput;
import ai.cortensor.portal.gateway.EventStream;
import ai.cortensor.portal.gateway.Exchange;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.gateway.ResponseMeta;
import ai.cortensor.portal.gateway.StreamEncoder;
import ai.cortensor.portal.gateway.Usage;
import ai.cortensor.portal.web.ApiError;
import java.util.ArrayList;
import java.util.List;

/**
 * One OpenAI chat or text completion: a {@code chat.completion} / {@code text_completion} body, or its chunks:
 * reasoning as {@code delta.reasoning_content}, text as {@code delta.content} (or {@code text}), each tool call as a
 * chunk with its id, type and name followed by chunks with pieces of {@code function.arguments}, then the finish
 * chunk, the usage chunk when {@code stream_options.include_usage} asked for it, and {@code [DONE]}.
 */
record OpenAiExchange(Route route, InferenceRequest request, boolean includeUsage) implements Exchange {

    @Override
    public byte[] body(ParsedOutput answer, Usage usage, ResponseMeta meta) {
        OpenAiShapes shapes = shapes(meta);
        if (route == Route.TEXT) {
            return shapes.completion(answer.content() == null ? "" : answer.content(), answer.finishReason(),
                    usage.inputTokens(), usage.outputTokens());
        }
        List<String> ids = new ArrayList<>(answer.toolCalls().size());
        for (int i = 0; i < answer.toolCalls().size(); i++) {
            ids.add(meta.callId(i));
        }
        return shapes.chatCompletion(answer, ids, usage.inputTokens(), usage.outputTokens(), usage.reasoningTokens());
    }

    /** Reasoning tokens appear only in a usage object, so they are counted only when one will be written. */
    @Override
    public boolean reportsReasoningTokens() {
        return route == Route.CHAT && (includeUsage || !request.stream());
    }

    @Override
    public StreamEncoder stream(ResponseMeta meta, EventStream out) {
        OpenAiShapes shapes = shapes(meta);
        return new StreamEncoder() {
            private boolean first = true;

            @Override
            public void reasoning(String delta) {
                send(shapes.reasoningDelta(delta, first));
            }

            @Override
            public void content(String delta) {
                send(shapes.delta(delta, first));
            }

            @Override
            public void toolCallStart(int index, String name) {
                send(shapes.toolCallStart(index, meta.callId(index), name, first));
            }

            @Override
            public void toolCallArguments(int index, String delta) {
                send(shapes.toolCallArguments(index, delta));
            }

            @Override
            public void finish(String finishReason, Usage usage) {
                if (out.send(shapes.finish(finishReason)) && (!includeUsage || out.send(shapes.usageChunk(
                        usage.inputTokens(), usage.outputTokens(), usage.reasoningTokens())))) {
                    out.send(OpenAiShapes.DONE);
                }
            }

            @Override
            public void fail(ApiError error, Usage usage) {
                out.send(OpenAiShapes.errorFrame(error.getMessage(), error.type(), error.code(), meta.requestId()));
            }

            private void send(byte[] frame) {
                first = false;
                out.send(frame);
            }
        };
    }

    private OpenAiShapes shapes(ResponseMeta meta) {
        return new OpenAiShapes(route, meta.requestId(), meta.created().getEpochSecond(), meta.model(), includeUsage);
    }
}
