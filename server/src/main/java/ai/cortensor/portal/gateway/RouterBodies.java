package ai.cortensor.portal.gateway;

import ai.cortensor.portal.pools.RouterTarget;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** Builds the router request body: the Cortensor completion body, or an OpenAI text-completion body. */
final class RouterBodies {
    private RouterBodies() {}

    static byte[] completion(RouterTarget target, String model, String prompt, InferenceRequest.Sampling r, boolean stream,
                             int maxTokens, String requestId, long timeoutSeconds) {
        boolean cortensor = !"openai".equals(target.protocol());
        return Json.write(g -> {
            g.writeStartObject();
            if (cortensor) {
                if ("cortensor-v1".equals(target.protocol())) {
                    g.writeNumberField("session_id", target.sessionId());
                }
                g.writeStringField("prompt", prompt);
                g.writeNumberField("prompt_type", 1);
                g.writeStringField("prompt_template", "");
                g.writeNumberField("timeout", timeoutSeconds);
                g.writeStringField("client_reference", requestId);
            } else {
                g.writeStringField("model", model);
                g.writeStringField("prompt", prompt);
            }
            g.writeBooleanField("stream", stream);
            g.writeNumberField("max_tokens", maxTokens);
            optional(g, "temperature", r.temperature());
            optional(g, "top_p", r.topP());
            if (r.topK() != null) {
                g.writeNumberField("top_k", r.topK());
            }
            optional(g, "presence_penalty", r.presencePenalty());
            optional(g, "frequency_penalty", r.frequencyPenalty());
            if (r.stop() != null) {
                g.writeArrayFieldStart("stop");
                for (String s : r.stop()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    private static void optional(JsonGenerator g, String field, Double v) throws IOException {
        if (v != null) {
            g.writeNumberField(field, v);
        }
    }
}
