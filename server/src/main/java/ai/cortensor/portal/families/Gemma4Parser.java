package ai.cortensor.portal.families;

import java.util.List;

/**
 * Streams a Gemma 4 completion into reasoning, content and tool calls.
 * <ul>
 * <li>{@code <|channel>thought\n…<channel|>} is reasoning, the channel name {@code thought\n} dropped. A prompt that
 * ends inside an open thought (thinking on, after tool results: {@code …<tool_response|><|channel>thought\n}) starts
 * the parser in reasoning.</li>
 * <li>{@code <|tool_call>call:NAME{…}<tool_call|>} is a tool call when tools were offered, else content. The
 * arguments are converted to JSON as they arrive ({@link Gemma4ArgsConverter}), but the call is emitted whole (start
 * and its JSON in one piece) when its argument object closes: a call cut off before that (max_tokens) or malformed
 * anywhere must come out as its raw text in content (vLLM; vector g12), which a sink that already saw the start could
 * not take back. {@code <tool_call|>} after the object is consumed when present and not required (g13, as ollama).</li>
 * <li>{@code <turn|>}, {@code <eos>} and {@code <|tool_response>} end the turn; later text is ignored.</li>
 * <li>Everything else, including stray control tokens and any malformed call, is content, verbatim. Only a suffix
 * that could still become a tag (or an unfinished call) is held back; {@link #finish} releases it as text.</li>
 * </ul>
 *
 * <p>All of this needs the special tokens in the text (the router must detokenise with
 * {@code skip_special_tokens=false}). If a detokeniser dropped them, the structure is gone and nothing is
 * recoverable with certainty: a thought reads {@code thought\nreasoning…answer} with no boundary between reasoning and
 * answer, and a call reads {@code call:NAME{key:value}} with its string quotes gone. Such text is returned as content
 * as it is, never guessed at.
 */
final class Gemma4Parser implements OutputParser {
    static final String CHANNEL_OPEN = "<|channel>";
    static final String CHANNEL_CLOSE = "<channel|>";
    static final String CALL_OPEN = "<|tool_call>";
    static final String CALL_CLOSE = "<tool_call|>";
    private static final String THOUGHT = "thought";
    private static final List<String> CONTENT_TAGS =
            List.of(CHANNEL_OPEN, CALL_OPEN, "<turn|>", "<eos>", "<|tool_response>");
    private static final List<String> CONTENT_TAGS_NO_TOOLS =
            List.of(CHANNEL_OPEN, "<turn|>", "<eos>", "<|tool_response>");
    private static final List<String> REASONING_TAGS = List.of(CHANNEL_CLOSE, "<turn|>", "<eos>", "<|tool_response>");
    private static final int MAX_NAME = 256;

    private enum State { CONTENT, CHANNEL_NAME, REASONING, CALL_NAME, CALL_ARGS, AFTER_CALL, ENDED }

    private final List<String> contentTags;
    /** Unconsumed text; in the call states, the call's text after {@code <|tool_call>}. */
    private final StringBuilder buf = new StringBuilder();
    private State state;
    private int scanned; // call states: characters of buf already read
    private int argsStart; // CALL_ARGS: index in buf of the arguments' opening brace
    private Gemma4ArgsConverter args;
    private int calls;

    Gemma4Parser(boolean toolsOffered, boolean startInThought) {
        this.contentTags = toolsOffered ? CONTENT_TAGS : CONTENT_TAGS_NO_TOOLS;
        this.state = startInThought ? State.REASONING : State.CONTENT;
    }

    @Override
    public void feed(String text, OutputSink out) {
        if (state == State.ENDED || text.isEmpty()) {
            return;
        }
        buf.append(text);
        while (step(out, false)) {
            // each step consumes text or changes state
        }
    }

    @Override
    public void finish(OutputSink out) {
        while (step(out, true)) {
            // flush: nothing more will come, so nothing is held back
        }
    }

    @Override
    public boolean ended() {
        return state == State.ENDED;
    }

    /** One step in the current state; false when it needs more text (or the buffer is empty). */
    private boolean step(OutputSink out, boolean last) {
        return switch (state) {
            case ENDED -> {
                buf.setLength(0);
                yield false;
            }
            case CONTENT -> text(out, contentTags, last, false);
            case REASONING -> text(out, REASONING_TAGS, last, true);
            case CHANNEL_NAME -> channelName(last);
            case CALL_NAME -> callName(out, last);
            case CALL_ARGS -> callArgs(out, last);
            case AFTER_CALL -> afterCall(last);
        };
    }

    /** Plain text up to the first tag of {@code tags}: emitted, and the tag acted on. */
    private boolean text(OutputSink out, List<String> tags, boolean last, boolean reasoning) {
        for (int i = buf.indexOf("<"); i >= 0; i = buf.indexOf("<", i + 1)) {
            for (String tag : tags) {
                if (startsWith(i, tag)) {
                    emit(out, reasoning, i);
                    buf.delete(0, tag.length());
                    state = switch (tag) {
                        case CHANNEL_OPEN -> State.CHANNEL_NAME;
                        case CHANNEL_CLOSE -> State.CONTENT;
                        case CALL_OPEN -> State.CALL_NAME;
                        default -> State.ENDED;
                    };
                    scanned = 0;
                    return true;
                }
            }
            if (!last && couldBecome(i, tags)) {
                emit(out, reasoning, i);
                return false;
            }
        }
        emit(out, reasoning, buf.length());
        return false;
    }

    private void emit(OutputSink out, boolean reasoning, int end) {
        if (end == 0) {
            return;
        }
        String s = buf.substring(0, end);
        buf.delete(0, end);
        if (reasoning) {
            out.reasoning(s);
        } else {
            out.content(s);
        }
    }

    /** After {@code <|channel>}: drops the name {@code thought\n} (or a bare {@code thought} before the close). */
    private boolean channelName(boolean last) {
        String full = THOUGHT + "\n";
        String empty = THOUGHT + CHANNEL_CLOSE;
        if (startsWith(0, full)) {
            buf.delete(0, full.length());
        } else if (startsWith(0, empty)) {
            buf.delete(0, THOUGHT.length());
        } else if (!last && (full.startsWith(buf.toString()) || empty.startsWith(buf.toString()))) {
            return false;
        }
        state = State.REASONING;
        return true;
    }

    /** After {@code <|tool_call>}: {@code call:NAME} up to the arguments' {@code {}. */
    private boolean callName(OutputSink out, boolean last) {
        for (; scanned < buf.length(); scanned++) {
            char c = buf.charAt(scanned);
            if (scanned < 5) {
                if (c != "call:".charAt(scanned)) {
                    return malformed(out, scanned);
                }
            } else if (c == '{' && scanned > 5) {
                argsStart = scanned;
                args = new Gemma4ArgsConverter();
                state = State.CALL_ARGS;
                return true;
            } else if (!nameChar(c) || scanned >= 5 + MAX_NAME) {
                return malformed(out, scanned);
            }
        }
        return last && malformed(out, buf.length());
    }

    private boolean callArgs(OutputSink out, boolean last) {
        while (scanned < buf.length()) {
            args.accept(buf.charAt(scanned++));
            if (args.done()) {
                out.toolCallStart(calls, buf.substring(5, argsStart));
                out.toolCallArguments(calls, args.json());
                calls++;
                buf.delete(0, scanned);
                args = null;
                state = State.AFTER_CALL;
                return true;
            }
            if (args.failed()) {
                return malformed(out, argsStart + args.restart());
            }
        }
        return last && malformed(out, buf.length());
    }

    /** Not a call after all: {@code <|tool_call>} and the text before {@code restart} are content; the rest re-read. */
    private boolean malformed(OutputSink out, int restart) {
        out.content(CALL_OPEN + buf.substring(0, restart));
        buf.delete(0, restart);
        args = null;
        scanned = 0;
        state = State.CONTENT;
        return true;
    }

    /** A complete call may be followed by its {@code <tool_call|>}, which is consumed. */
    private boolean afterCall(boolean last) {
        if (startsWith(0, CALL_CLOSE)) {
            buf.delete(0, CALL_CLOSE.length());
        } else if (!last && CALL_CLOSE.startsWith(buf.toString())) {
            return false;
        }
        state = State.CONTENT;
        return true;
    }

    private boolean startsWith(int at, String tag) {
        return buf.length() - at >= tag.length() && matches(at, tag, tag.length());
    }

    /** The text from {@code at} to the end is a proper prefix of one of {@code tags}. */
    private boolean couldBecome(int at, List<String> tags) {
        int n = buf.length() - at;
        for (String tag : tags) {
            if (n < tag.length() && matches(at, tag, n)) {
                return true;
            }
        }
        return false;
    }

    private boolean matches(int at, String tag, int n) {
        for (int k = 0; k < n; k++) {
            if (buf.charAt(at + k) != tag.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean nameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
    }
}
