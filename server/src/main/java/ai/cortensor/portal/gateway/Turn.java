package ai.cortensor.portal.gateway;

import ai.cortensor.portal.families.OutputSink;
import ai.cortensor.portal.families.ParsedOutput;

/**
 * The model-facing side of one request: the raw prompt the router gets, how the model's text is decoded into
 * typed events, and, for answers that must be checked whole (structured outputs), the check and the retry.
 * A {@link ChatTurn} is rendered and parsed by the model's family; a {@link RawTurn} is a text completion, sent and
 * returned as it is.
 */
sealed interface Turn permits ChatTurn, RawTurn {
    String prompt();

    /** A decoder for one attempt's streamed text, passing events to {@code out}. */
    Decoding decoding(OutputSink out);

    /** True when the answer must be checked whole before it is sent, so the router is asked without streaming. */
    boolean validates();

    /** At most this many tool calls are passed on (1 when the client turned parallel calls off). */
    int maxToolCalls();

    /** The whole answer, decoded. */
    ParsedOutput parse(String raw, boolean cutByLength);

    /** Why {@code answer} does not satisfy the request, or null when it does (always null unless validated). */
    String problem(ParsedOutput answer);

    /** The next attempt of a validated turn: the rejected answer and why it was rejected added. */
    Turn retry(ParsedOutput rejected, String problem);

    /** Decodes one streamed answer: text in as it arrives, events out. */
    interface Decoding {
        void feed(String text, boolean first);

        /** The model stopped: what the decoder held back is passed on. */
        void finish();
    }
}
