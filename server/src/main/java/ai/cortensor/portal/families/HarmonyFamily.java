package ai.cortensor.portal.families;

import java.time.LocalDate;

/** Placeholder: being written. */
final class HarmonyFamily implements Family {
    @Override
    public String id() {
        return "gpt-oss";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        throw new UnsupportedOperationException("gpt-oss rendering");
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        throw new UnsupportedOperationException("gpt-oss parsing");
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
