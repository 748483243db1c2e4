package ai.cortensor.portal.families;

import java.time.LocalDate;

/** Placeholder: being written. */
final class QwenFamily implements Family {
    @Override
    public String id() {
        return "qwen";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        throw new UnsupportedOperationException("qwen rendering");
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        throw new UnsupportedOperationException("qwen parsing");
    }

    @Override
    public ControlTokens controlTokens() {
        return ControlTokens.of();
    }

    @Override
    public boolean reasons() {
        return true;
    }
}
