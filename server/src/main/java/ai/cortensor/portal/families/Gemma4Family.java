package ai.cortensor.portal.families;

import java.time.LocalDate;

/** Placeholder: being written. */
final class Gemma4Family implements Family {
    @Override
    public String id() {
        return "gemma-4";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        throw new UnsupportedOperationException("gemma-4 rendering");
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        throw new UnsupportedOperationException("gemma-4 parsing");
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
