package ai.cortensor.portal.families;

import java.util.List;

/**
 * Streaming parser of a Qwen3 completion (vLLM's qwen3 reasoning parser followed by its hermes tool parser, made
 * incremental and split-independent).
 * <ul>
 *   <li>Thinking on: a leading {@code <think>} opens reasoning up to {@code </think>} (never closed: all reasoning,
 *       the output was truncated). Without the opener, text up to a {@code </think>} is reasoning (the opener was in
 *       the prompt or stripped), but text followed by no {@code </think>} is content: that cannot be known until a
 *       tag or the end arrives, so such text is held until the first {@code <think>}, {@code </think>},
 *       {@code <tool_call>}, stop token or the end decides it. Qwen3 opens with {@code <think>} when thinking, so
 *       this hold only delays unusual outputs.</li>
 *   <li>Thinking off: no think parsing, all content; an exact leading empty think block (the one a forced call's
 *       prefill starts with) is dropped.</li>
 *   <li>Tools offered: each {@code <tool_call>}…{@code </tool_call>} block holding a JSON object with a name is a
 *       call; a block cut by a stop token or the end still is when its JSON is complete; a block that is not valid
 *       is content, tags included (vLLM). A {@code <tool_call>} inside a block closes it and opens the next. A call
 *       is emitted whole (start, then all its arguments) when its block ends: only then is it certain the block is
 *       a call, and a block that turns out invalid must become content instead (streamed and whole parses
 *       agree).</li>
 *   <li>{@code <|im_end|>} and {@code <|endoftext|>} end the turn anywhere; later text is ignored.</li>
 * </ul>
 * Apart from the two holds above (undecided leading text, the body of an open tool-call block), only a trailing
 * piece that could still grow into a tag is held back.
 */
final class QwenParser implements OutputParser {
    private static final String THINK = "<think>";
    private static final String END_THINK = "</think>";
    private static final String CALL = "<tool_call>";
    private static final String END_CALL = "</tool_call>";
    private static final List<String> STOPS = List.of(QwenFamily.IM_END, QwenFamily.END_OF_TEXT);
    private static final List<String> REASONING_TAGS = List.of(END_THINK, QwenFamily.IM_END, QwenFamily.END_OF_TEXT);
    private static final List<String> TOOL_TAGS = List.of(END_CALL, CALL, QwenFamily.IM_END, QwenFamily.END_OF_TEXT);

    private enum State { SKIP_EMPTY_THINK, UNDECIDED, REASONING, CONTENT, TOOL, DONE }

    private final List<String> undecidedTags;
    private final List<String> contentTags;
    private State state;
    /** Text received and not yet emitted: a partial tag, or the whole held text of a holding state. */
    private final StringBuilder pending = new StringBuilder();
    /** In a holding state, no tag starts in {@code pending} before this index. */
    private int scanned;
    private boolean ended;
    private int calls;

    QwenParser(boolean thinking, boolean toolsOffered) {
        state = thinking ? State.UNDECIDED : State.SKIP_EMPTY_THINK;
        undecidedTags = toolsOffered ? List.of(THINK, END_THINK, CALL, QwenFamily.IM_END, QwenFamily.END_OF_TEXT)
                : List.of(THINK, END_THINK, QwenFamily.IM_END, QwenFamily.END_OF_TEXT);
        contentTags = toolsOffered ? List.of(CALL, QwenFamily.IM_END, QwenFamily.END_OF_TEXT) : STOPS;
    }

    @Override
    public void feed(String text, OutputSink out) {
        if (state == State.DONE || text == null || text.isEmpty()) {
            return;
        }
        pending.append(text);
        run(out, false);
    }

    @Override
    public void finish(OutputSink out) {
        if (state == State.DONE) {
            return;
        }
        run(out, true);
        state = State.DONE;
        pending.setLength(0);
    }

    @Override
    public boolean ended() {
        return ended;
    }

    private void run(OutputSink out, boolean atEnd) {
        while (state != State.DONE) {
            if (state == State.SKIP_EMPTY_THINK) {
                if (startsWith(pending, QwenFamily.EMPTY_THINK)) {
                    pending.delete(0, QwenFamily.EMPTY_THINK.length());
                } else if (!atEnd && QwenFamily.EMPTY_THINK.startsWith(pending.toString())) {
                    return; // could still be the empty block
                }
                state = State.CONTENT;
                continue;
            }
            List<String> tags = tags();
            int at = -1;
            String tag = null;
            for (int i = pending.indexOf("<", scanned); i >= 0 && tag == null; i = pending.indexOf("<", i + 1)) {
                for (String t : tags) {
                    if (startsWith(pending, i, t)) {
                        at = i;
                        tag = t;
                        break;
                    }
                }
            }
            if (tag == null) {
                noTag(out, atEnd, tags);
                return;
            }
            String before = pending.substring(0, at);
            pending.delete(0, at + tag.length());
            scanned = 0;
            onTag(tag, before, out);
        }
    }

    private List<String> tags() {
        return switch (state) {
            case UNDECIDED -> undecidedTags;
            case REASONING -> REASONING_TAGS;
            case TOOL -> TOOL_TAGS;
            default -> contentTags;
        };
    }

    /** No complete tag in {@code pending}: emit what is certain, hold what may still become a tag. */
    private void noTag(OutputSink out, boolean atEnd, List<String> tags) {
        int keep = atEnd ? 0 : partialTag(tags);
        switch (state) {
            case UNDECIDED, TOOL -> {
                scanned = pending.length() - keep;
                if (atEnd) {
                    String held = take(pending.length());
                    if (state == State.TOOL) {
                        closeBlock(held, false, out);
                    } else {
                        out.content(held);
                    }
                }
            }
            case REASONING -> emitReasoning(take(pending.length() - keep), out);
            default -> emitContent(take(pending.length() - keep), out);
        }
    }

    private void onTag(String tag, String before, OutputSink out) {
        if (STOPS.contains(tag)) {
            switch (state) {
                case REASONING -> emitReasoning(before, out);
                case TOOL -> closeBlock(before, false, out);
                default -> emitContent(before, out);
            }
            ended = true;
            state = State.DONE;
            pending.setLength(0);
            return;
        }
        switch (state) {
            case UNDECIDED -> {
                switch (tag) {
                    case THINK -> {
                        if (!before.isBlank()) { // text before a late opener is outside the think block
                            emitContent(before, out);
                        }
                        state = State.REASONING;
                    }
                    case END_THINK -> {
                        emitReasoning(before, out);
                        state = State.CONTENT;
                    }
                    default -> { // <tool_call>: the text before it is the answer's visible part
                        emitContent(before, out);
                        state = State.TOOL;
                    }
                }
            }
            case REASONING -> { // </think>
                emitReasoning(before, out);
                state = State.CONTENT;
            }
            case CONTENT -> { // <tool_call>
                emitContent(before, out);
                state = State.TOOL;
            }
            case TOOL -> {
                closeBlock(before, tag.equals(END_CALL), out);
                state = tag.equals(END_CALL) ? State.CONTENT : State.TOOL;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** A tool-call block ended (by its closing tag when {@code closed}): a call, or its raw text as content. */
    private void closeBlock(String body, boolean closed, OutputSink out) {
        QwenJson.Call call = QwenJson.readCall(body);
        if (call == null) {
            emitContent(CALL + body + (closed ? END_CALL : ""), out);
            return;
        }
        int index = calls++;
        out.toolCallStart(index, call.name());
        out.toolCallArguments(index, call.arguments());
    }

    /** The length of the longest suffix of {@code pending} that is a proper prefix of one of {@code tags}. */
    private int partialTag(List<String> tags) {
        int len = pending.length();
        int from = Math.max(scanned, len - 16);
        for (int i = pending.indexOf("<", from); i >= 0; i = pending.indexOf("<", i + 1)) {
            for (String t : tags) {
                if (len - i < t.length() && startsWith(t, pending, i)) {
                    return len - i;
                }
            }
        }
        return 0;
    }

    private String take(int n) {
        String s = pending.substring(0, n);
        pending.delete(0, n);
        scanned = 0;
        return s;
    }

    private static void emitContent(String s, OutputSink out) {
        if (!s.isEmpty()) {
            out.content(s);
        }
    }

    private static void emitReasoning(String s, OutputSink out) {
        if (!s.isEmpty()) {
            out.reasoning(s);
        }
    }

    private static boolean startsWith(CharSequence s, String prefix) {
        return startsWith(s, 0, prefix);
    }

    /** Whether {@code s} has {@code t} at {@code at}. */
    private static boolean startsWith(CharSequence s, int at, String t) {
        if (at + t.length() > s.length()) {
            return false;
        }
        for (int k = 0; k < t.length(); k++) {
            if (s.charAt(at + k) != t.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the rest of {@code s} from {@code at} is a prefix of {@code t}. */
    private static boolean startsWith(String t, CharSequence s, int at) {
        for (int k = at; k < s.length(); k++) {
            if (s.charAt(k) != t.charAt(k - at)) {
                return false;
            }
        }
        return true;
    }
}
