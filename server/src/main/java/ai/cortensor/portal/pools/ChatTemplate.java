package ai.cortensor.portal.pools;

import java.util.List;

/**
 * Renders chat messages to the raw prompt a Cortensor router takes ({@code prompt_type} 1). Each model names its
 * template in the catalog. The rendered prompt ends with the assistant turn opened, so the model writes the reply.
 */
public enum ChatTemplate {
    /** Qwen and other ChatML models. */
    CHATML("chatml") {
        @Override
        public String render(List<Message> messages) {
            StringBuilder b = new StringBuilder();
            for (Message m : messages) {
                b.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
            return b.append("<|im_start|>assistant\n").toString();
        }
    },
    /** Gemma's turn format: no system role, so system text is folded into the first user turn. */
    GEMMA("gemma") {
        @Override
        public String render(List<Message> messages) {
            StringBuilder b = new StringBuilder();
            StringBuilder system = new StringBuilder();
            for (Message m : messages) {
                switch (m.role()) {
                    case "system", "developer" -> system.append(m.content()).append("\n\n");
                    default -> {
                        String role = "assistant".equals(m.role()) ? "model" : "user";
                        b.append("<start_of_turn>").append(role).append('\n');
                        if (!system.isEmpty() && "user".equals(role)) {
                            b.append(system);
                            system.setLength(0);
                        }
                        b.append(m.content()).append("<end_of_turn>\n");
                    }
                }
            }
            if (!system.isEmpty()) {
                b.append("<start_of_turn>user\n").append(system.toString().strip()).append("<end_of_turn>\n");
            }
            return b.append("<start_of_turn>model\n").toString();
        }
    },
    /** The gpt-oss "harmony" format; OpenAI system and developer messages become the developer message. */
    GPT_OSS("gpt-oss") {
        @Override
        public String render(List<Message> messages) {
            StringBuilder b = new StringBuilder();
            for (Message m : messages) {
                switch (m.role()) {
                    case "system", "developer" -> b.append("<|start|>developer<|message|>")
                            .append(m.content()).append("<|end|>");
                    case "assistant" -> b.append("<|start|>assistant<|channel|>final<|message|>")
                            .append(m.content()).append("<|end|>");
                    default -> b.append("<|start|>").append(m.role()).append("<|message|>")
                            .append(m.content()).append("<|end|>");
                }
            }
            return b.append("<|start|>assistant").toString();
        }
    },
    /** A plain-text fallback for models without a known template. */
    GENERIC("generic") {
        @Override
        public String render(List<Message> messages) {
            StringBuilder b = new StringBuilder();
            for (Message m : messages) {
                String role = m.role();
                b.append(Character.toUpperCase(role.charAt(0))).append(role, 1, role.length()).append(": ")
                        .append(m.content()).append('\n');
            }
            return b.append("Assistant:").toString();
        }
    };

    /** One chat message, already validated: role is one of system, developer, user, assistant, tool. */
    public record Message(String role, String content) {}

    private final String id;

    ChatTemplate(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public abstract String render(List<Message> messages);

    public static ChatTemplate byId(String id) {
        for (ChatTemplate t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        return GENERIC;
    }
}
