package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.OutputSink;
import ai.cortensor.portal.families.ParsedOutput;
import java.util.List;

/** A text completion: the client's prompt goes to the router unchanged and its text comes back unchanged. */
record RawTurn(String prompt) implements Turn {
    @Override
    public Decoding decoding(OutputSink out) {
        return new Decoding() {
            @Override
            public void feed(String text, boolean first) {
                out.content(text);
            }

            @Override
            public void finish() {}
        };
    }

    @Override
    public boolean validates() {
        return false;
    }

    @Override
    public int maxToolCalls() {
        return 0;
    }

    @Override
    public ParsedOutput parse(String raw, boolean cutByLength) {
        return new ParsedOutput(raw, null, List.of(), cutByLength ? "length" : "stop");
    }

    @Override
    public String problem(ParsedOutput answer) {
        return null;
    }

    @Override
    public Turn retry(ParsedOutput rejected, String problem) {
        throw new IllegalStateException("a text completion is never validated");
    }
}
