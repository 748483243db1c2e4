package ai.cortensor.portal.families;

/**
 * The conversation cannot be rendered for this family (the official template would raise, or the shape has no
 * faithful rendering). {@code param} names the offending field the way OpenAI does, e.g. {@code messages[2].content}.
 */
public final class RenderRefused extends RuntimeException {
    private final String param;

    public RenderRefused(String param, String message) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
