package ai.cortensor.portal.families;

import java.util.List;

/**
 * One message. {@code content} is never null (an OpenAI {@code null} is {@code ""}, as vLLM normalises it);
 * {@code reasoning} is the assistant's earlier reasoning ({@code reasoning_content}) or null; {@code toolCalls} is
 * empty unless the assistant called tools; {@code toolCallId} is set on {@code tool} messages (may be null when
 * the client sent none).
 */
public record Message(Role role, String content, String reasoning, List<ToolCall> toolCalls, String toolCallId) {
    public enum Role {
        SYSTEM("system"), DEVELOPER("developer"), USER("user"), ASSISTANT("assistant"), TOOL("tool");

        private final String wire;

        Role(String wire) {
            this.wire = wire;
        }

        /** The OpenAI role name. */
        public String wire() {
            return wire;
        }
    }

    public Message {
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static Message of(Role role, String content) {
        return new Message(role, content, null, List.of(), null);
    }

    public static Message system(String content) {
        return of(Role.SYSTEM, content);
    }

    public static Message user(String content) {
        return of(Role.USER, content);
    }

    public static Message assistant(String content) {
        return of(Role.ASSISTANT, content);
    }

    public static Message tool(String toolCallId, String content) {
        return new Message(Role.TOOL, content, null, List.of(), toolCallId);
    }

    public Message withContent(String c) {
        return new Message(role, c, reasoning, toolCalls, toolCallId);
    }

    public Message withRole(Role r) {
        return new Message(r, content, reasoning, toolCalls, toolCallId);
    }
}
