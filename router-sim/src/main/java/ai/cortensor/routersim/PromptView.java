package ai.cortensor.routersim;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a model takes from its prompt, read by {@link QwenPrompt}, {@link HarmonyPrompt} or {@link GemmaPrompt}.
 * Text neutralised by the gateway (a U+2060 WORD JOINER after a control token's {@code <}) never matches a tag, so
 * it simply stays part of the text it is in.
 *
 * @param family      the dialect
 * @param system      system and developer text, concatenated (where the gateway puts JSON-output instructions)
 * @param lastUser    the last real user message ("" when there is none); tool results are not user messages
 * @param toolResults the results the turn ends with, oldest first; empty when the turn does not end after a tool
 * @param tools       the offered tools in prompt order, parameters as JSON Schema
 * @param thinking    what the model does about reasoning before it answers
 * @param effort      harmony {@code Reasoning:} level ({@code low|medium|high}); null for the other families
 * @param prefill     the forced start of a tool call the prompt ends with, or null
 */
record PromptView(Family family, String system, String lastUser, List<String> toolResults, List<ToolSpec> tools,
                  Thinking thinking, String effort, Prefill prefill) {

    PromptView {
        Objects.requireNonNull(family, "family");
        system = Objects.requireNonNullElse(system, "");
        lastUser = Objects.requireNonNullElse(lastUser, "");
        toolResults = List.copyOf(toolResults);
        tools = List.copyOf(tools);
        Objects.requireNonNull(thinking, "thinking");
    }

    /** Reasoning state at the end of the prompt. */
    enum Thinking {
        /** Answer directly (thinking switched off, or the reasoning block is already closed). */
        OFF,
        /** Write a complete reasoning block first. */
        ON,
        /** The prompt ends inside an open reasoning block: write its text and close it (Gemma after a tool result). */
        CONTINUE
    }

    /** One offered function; {@code parameters} is a JSON Schema object (possibly without properties). */
    record ToolSpec(String name, JsonNode parameters) {
    }

    /**
     * The prompt ends inside a tool call the gateway started to force one.
     *
     * @param toolName the function the prefill names, or null when the prefill stops right before the name
     */
    record Prefill(String toolName) {
    }

    boolean afterToolResult() {
        return !toolResults.isEmpty();
    }

    ToolSpec tool(String name) {
        for (ToolSpec t : tools) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
