package ai.cortensor.portal.families;

import java.util.List;

/**
 * One chat request as every API dialect parses it and every model family renders it: messages (text, tool calls,
 * tool results), the tools offered, how the model may use them, the answer's format and the reasoning setting.
 * Already validated: roles are known, every tool call has an id and a name, tool names are unique.
 */
public record Conversation(List<Message> messages, List<Tool> tools, ToolChoice toolChoice,
                           boolean parallelToolCalls, ResponseFormat responseFormat, Reasoning reasoning) {
    public Conversation {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
    }

    /** Messages only: no tools, free text, the family's default reasoning. */
    public static Conversation of(List<Message> messages) {
        return new Conversation(messages, List.of(), ToolChoice.AUTO, true, ResponseFormat.TEXT, Reasoning.DEFAULT);
    }

    public Conversation withMessages(List<Message> m) {
        return new Conversation(m, tools, toolChoice, parallelToolCalls, responseFormat, reasoning);
    }

    public Conversation withToolChoice(ToolChoice t) {
        return new Conversation(messages, tools, t, parallelToolCalls, responseFormat, reasoning);
    }

    /** The tools the model may see: none when {@code tool_choice} is {@code none}. */
    public List<Tool> offeredTools() {
        return toolChoice instanceof ToolChoice.None ? List.of() : tools;
    }
}
