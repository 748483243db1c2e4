package ai.cortensor.portal.families;

import java.time.LocalDate;

/**
 * A model family: how its official chat template renders a {@link Conversation} into the raw prompt a router
 * takes, and how what the model writes back is parsed into content, reasoning and tool calls. Implementations are
 * stateless and shared; {@link #parser} returns a fresh parser per request.
 */
public interface Family {
    /** The catalog id ({@code models.chat_template}): {@code qwen}, {@code gpt-oss}, {@code gemma-4}, {@code generic}. */
    String id();

    /**
     * The prompt for {@code c}, ending where the model writes next. {@code today} is the date some templates print
     * (harmony's {@code Current date}). Client text is neutralised with {@link #controlTokens()} before it lands in
     * the prompt. Throws {@link RenderRefused} where the official template raises or the family cannot express the
     * request (the client gets a 400 naming the field).
     */
    Rendered render(Conversation c, LocalDate today);

    /** A parser for the completion of {@code rendered} (it starts in the state the prompt leaves the model in). */
    OutputParser parser(Rendered rendered);

    /** The control-token strings client text must never produce in this family's prompt. */
    ControlTokens controlTokens();

    /** Whether the family can reason, and whether reasoning is on when the client says nothing. */
    boolean reasons();
}
