package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared chat-template vectors (test resources {@code chat-templates/}): conversations as {@link Conversation}s,
 * the official prompts per family, and raw model outputs with their expected parse.
 */
final class Vectors {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNode CASES = load("chat-templates/cases.json");

    private Vectors() {}

    /** A conversation case: its id, whether it was rendered without normalisation, and its messages and tools. */
    record Case(String id, boolean normalized, JsonNode wire, List<Tool> tools) {
        /** The conversation with the family's template kwargs mapped onto {@link Reasoning}. */
        Conversation conversation(String familyKey) {
            JsonNode kw = wire.path("template_kwargs").path(familyKey);
            Boolean thinking = kw.has("enable_thinking") ? kw.get("enable_thinking").asBoolean() : null;
            String effort = kw.has("reasoning_effort") ? kw.get("reasoning_effort").asText() : null;
            return new Conversation(messages(wire.get("messages")), tools, ToolChoice.AUTO, true, ResponseFormat.TEXT,
                    new Reasoning(effort, thinking));
        }
    }

    /** A rendered case: the prompt, or the error the official template raised (then prompt is null). */
    record Render(String prompt, String error) {}

    /** An output example: raw text, how generation stopped, the expected parse and the case its prompt came from. */
    record Output(String id, String raw, String stop, String promptCase, JsonNode expected) {}

    static List<Case> cases() {
        JsonNode catalog = CASES.get("tools");
        List<Case> out = new ArrayList<>();
        for (JsonNode c : CASES.get("cases")) {
            List<Tool> tools = new ArrayList<>();
            for (JsonNode name : c.path("tools")) {
                ObjectNode def = (ObjectNode) catalog.get(name.asText());
                JsonNode fn = def.get("function");
                tools.add(new Tool(fn.get("name").asText(), fn.hasNonNull("description") ? fn.get("description").asText()
                        : null, fn.get("parameters"), false, def));
            }
            out.add(new Case(c.get("id").asText(), c.path("normalize").asBoolean(true), c, tools));
        }
        return out;
    }

    static Case byId(String id) {
        return cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    /** {@code family} is the vector file name: {@code qwen}, {@code oss}, {@code gemma-4}. */
    static Render rendered(String family, String caseId) {
        JsonNode r = load("chat-templates/rendered/" + family + ".json").get("cases").get(caseId);
        return new Render(r.hasNonNull("prompt") ? r.get("prompt").asText() : null,
                r.has("error") ? r.get("error").get("message").asText() : null);
    }

    static List<Output> outputs(String family) {
        List<Output> out = new ArrayList<>();
        for (JsonNode e : load("chat-templates/outputs/" + family + ".json").get("examples")) {
            out.add(new Output(e.get("id").asText(), e.get("raw").asText(), e.get("stop").asText(),
                    e.hasNonNull("prompt_case") ? e.get("prompt_case").asText() : null, e.get("expected")));
        }
        return out;
    }

    /** OpenAI wire messages, normalised as vLLM does (null content is "", string arguments parsed). */
    static List<Message> messages(JsonNode wire) {
        List<Message> out = new ArrayList<>();
        for (JsonNode m : wire) {
            Message.Role role = Message.Role.valueOf(m.get("role").asText().toUpperCase(java.util.Locale.ROOT));
            String content = m.hasNonNull("content") ? m.get("content").asText() : "";
            String reasoning = m.hasNonNull("reasoning_content") ? m.get("reasoning_content").asText()
                    : m.hasNonNull("reasoning") ? m.get("reasoning").asText() : null;
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode tc : m.path("tool_calls")) {
                JsonNode fn = tc.get("function");
                String args = fn.path("arguments").isTextual() ? fn.get("arguments").asText() : fn.path("arguments").toString();
                calls.add(new ToolCall(tc.path("id").asText(null), fn.get("name").asText(), args, parse(args)));
            }
            out.add(new Message(role, content, reasoning, calls, m.hasNonNull("tool_call_id")
                    ? m.get("tool_call_id").asText() : null));
        }
        return out;
    }

    static JsonNode parse(String args) {
        if (args == null || args.isEmpty() || args.equals("null")) {
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(args);
        } catch (IOException e) {
            return null;
        }
    }

    static JsonNode load(String resource) {
        try (InputStream in = Vectors.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
