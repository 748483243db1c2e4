package ai.cortensor.portal.families;

/**
 * The typed events a parser emits while it reads the model's text, in order: reasoning and content deltas, and for
 * each tool call (numbered from 0 in the order the model wrote them) one start with its function name followed by
 * zero or more pieces of its JSON arguments. Concatenated, the pieces of one call are its arguments as a JSON
 * string.
 */
public interface OutputSink {
    void reasoning(String delta);

    void content(String delta);

    void toolCallStart(int index, String name);

    void toolCallArguments(int index, String delta);
}
