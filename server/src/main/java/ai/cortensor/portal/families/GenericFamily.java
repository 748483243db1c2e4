package ai.cortensor.portal.families;

import java.time.LocalDate;

/** Placeholder: being written. */
final class GenericFamily implements Family {
    @Override
    public String id() {
        return "generic";
    }

    @Override
    public Rendered render(Conversation c, LocalDate today) {
        throw new UnsupportedOperationException("generic rendering");
    }

    @Override
    public OutputParser parser(Rendered rendered) {
        throw new UnsupportedOperationException("generic parsing");
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
