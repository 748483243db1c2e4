package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.HarmonyMarkup.CALL;
import static ai.cortensor.portal.families.HarmonyMarkup.CHANNEL;
import static ai.cortensor.portal.families.HarmonyMarkup.CONSTRAIN;
import static ai.cortensor.portal.families.HarmonyMarkup.END;
import static ai.cortensor.portal.families.HarmonyMarkup.EOT;
import static ai.cortensor.portal.families.HarmonyMarkup.MESSAGE;
import static ai.cortensor.portal.families.HarmonyMarkup.RETURN;
import static ai.cortensor.portal.families.HarmonyMarkup.START;

/**
 * Streams a gpt-oss completion: the harmony messages the model writes after the prompt's {@code <|start|>assistant}.
 * A message is a header ({@code [ to=R]<|channel|>C[ to=R][ json| <|constrain|>json]}, the recipient {@code R} in
 * the role part or the channel part) then {@code <|message|>} and the body, closed by {@code <|end|>} (another
 * message follows after {@code <|start|>}), {@code <|call|>} or {@code <|return|>}.
 *
 * <p>Routing: {@code analysis} is reasoning; {@code final}, {@code commentary} without recipient (a preamble) and a
 * message without channel are content; a {@code functions.NAME} recipient (any channel) is a tool call whose body
 * streams as its arguments, raw (invalid JSON passes through, as vLLM does). When tools were not offered
 * ({@link Rendered#toolsOffered()} false) such a message is content, as the {@link Rendered} contract says: its body
 * is shown, nothing is executed. Other recipients (built-in tools we never offer) are routed by channel. Several
 * messages of one kind are joined with a blank line; a preamble and a final answer are therefore both content (a
 * stream cannot take back the preamble once sent, and non-streaming must agree with it).
 *
 * <p>Ends: {@code <|return|>} and {@code <|endoftext|>} end the turn, later text is ignored. {@code <|call|>} ends it
 * too ({@link #ended()} is true), but a router that does not stop there may go on with {@code <|start|>assistant…}:
 * that resumes parsing (outputs o06, two calls in one completion); anything else after it is ignored.
 *
 * <p>Malformed markup never throws: {@code <|start|>} or {@code <|channel|>} inside a body closes that message and
 * opens the next; a stray {@code <|message|>} or {@code <|constrain|>} in a body is dropped; text between messages
 * is read as a header whose {@code <|start|>} was lost. Header text that cannot be a header (no role, channel or
 * recipient, or over {@value #HEADER_LIMIT} characters) is content, so no text is lost.
 *
 * <p>Text without harmony markup (a router detokenising with {@code skip_special_tokens}): it is all content, except
 * the one recoverable shape: text starting with the bare channel name {@code analysis} is reasoning up to the first
 * {@code assistantfinal} (what {@code <|end|><|start|>assistant<|channel|>final<|message|>} leaves), content after.
 * Tool calls cannot be recovered from such text.
 *
 * <p>Held back: headers (never emitted), a trailing fragment that could still become a tag, the first characters
 * while they could still start {@code to=} or {@code analysis}, and a fragment that could become
 * {@code assistantfinal}. Everything else is emitted as soon as it is fed.
 */
final class HarmonyParser implements OutputParser {
    private static final String STRIPPED_ANALYSIS = "analysis", STRIPPED_FINAL = "assistantfinal";
    static final int HEADER_LIMIT = 256;

    private enum State { START, HEADER, BODY, BETWEEN, AFTER_CALL, DONE }

    private enum Kind { REASONING, CONTENT, CALL, STRIPPED }

    private final boolean toolsOffered;
    private final StringBuilder held = new StringBuilder(); // raw text that may still become a tag
    private final StringBuilder header = new StringBuilder(); // the current header, tags included; or the undecided start
    private final StringBuilder stripped = new StringBuilder(); // STRIPPED: a fragment that may become "assistantfinal"
    private State state = State.START;
    private Kind kind;
    private int calls;
    private boolean contentSeen, reasoningSeen, separatorDue;

    HarmonyParser(boolean toolsOffered) {
        this.toolsOffered = toolsOffered;
    }

    @Override
    public void feed(String text, OutputSink out) {
        if (state == State.DONE || text.isEmpty()) {
            return;
        }
        held.append(text);
        String buf = held.toString();
        held.setLength(0);
        int pos = 0;
        for (int lt = buf.indexOf('<'); lt >= 0 && state != State.DONE; lt = buf.indexOf('<', lt)) {
            String tag = HarmonyMarkup.tagAt(buf, lt);
            if (tag != null) {
                text(buf.substring(pos, lt), out);
                tag(tag, out);
                pos = lt += tag.length();
            } else if (HarmonyMarkup.partialTag(buf, lt)) {
                text(buf.substring(pos, lt), out);
                held.append(buf, lt, buf.length());
                return;
            } else {
                lt++;
            }
        }
        if (state != State.DONE) {
            text(buf.substring(pos), out);
        }
    }

    @Override
    public void finish(OutputSink out) {
        if (state == State.DONE) {
            return;
        }
        String rest = held.toString(); // an unfinished tag is text
        held.setLength(0);
        text(rest, out);
        switch (state) {
            case START -> headerAsContent(out);
            case HEADER -> dropHeader(out);
            case BODY -> closeBody(out);
            default -> { }
        }
        state = State.DONE;
    }

    @Override
    public boolean ended() {
        return state == State.DONE || state == State.AFTER_CALL;
    }

    private void text(String s, OutputSink out) {
        if (s.isEmpty()) {
            return;
        }
        switch (state) {
            case START -> {
                header.append(s);
                decideStart(out);
            }
            case HEADER -> {
                header.append(s);
                limitHeader(out);
            }
            case BODY -> body(s, out);
            case BETWEEN -> { // text where <|start|> should be: a header whose <|start|> was lost
                String t = s.stripLeading();
                if (!t.isEmpty()) {
                    state = State.HEADER;
                    header.append(t);
                    limitHeader(out);
                }
            }
            default -> { } // after <|call|>: ignored
        }
    }

    /** At the very start: a header (a tag, or {@code to=}), stripped markup ({@code analysis…}) or plain content. */
    private void decideStart(OutputSink out) {
        String s = header.toString().stripLeading();
        if (s.isEmpty() || "to=".startsWith(s) || STRIPPED_ANALYSIS.startsWith(s) && s.length() < 8) {
            return; // undecided
        }
        if (s.startsWith("to=")) {
            state = State.HEADER;
            limitHeader(out);
        } else if (s.startsWith(STRIPPED_ANALYSIS)) {
            header.setLength(0);
            open(Kind.STRIPPED);
            body(s.substring(STRIPPED_ANALYSIS.length()), out);
        } else {
            headerAsContent(out);
        }
    }

    /** The text collected as a header was none: it is content. */
    private void headerAsContent(OutputSink out) {
        String s = header.toString();
        header.setLength(0);
        open(Kind.CONTENT);
        body(s, out);
    }

    private void tag(String tag, OutputSink out) {
        if (state == State.START) {
            String s = header.toString().strip();
            if (s.isEmpty() || "to=".startsWith(s)) {
                state = State.HEADER;
            } else {
                headerAsContent(out); // an undecided plain start ("an", "t") followed by a tag
            }
        }
        switch (state) {
            case HEADER -> {
                switch (tag) {
                    case CHANNEL, CONSTRAIN -> {
                        header.append(tag);
                        limitHeader(out);
                    }
                    case MESSAGE -> openFromHeader(out);
                    default -> {
                        dropHeader(out);
                        after(tag);
                    }
                }
            }
            case BODY -> {
                if (!tag.equals(MESSAGE) && !tag.equals(CONSTRAIN)) { // those two are dropped inside a body
                    closeBody(out);
                    after(tag);
                }
            }
            case BETWEEN -> {
                if (tag.equals(MESSAGE)) {
                    openFromHeader(out); // a message without header: content
                } else if (!tag.equals(END) && !tag.equals(CONSTRAIN)) {
                    after(tag);
                }
            }
            case AFTER_CALL -> {
                if (tag.equals(START) || tag.equals(RETURN) || tag.equals(EOT)) {
                    after(tag);
                }
            }
            default -> { }
        }
    }

    /** The state after {@code tag} ended a message, a header or a gap. */
    private void after(String tag) {
        state = switch (tag) {
            case START, CHANNEL -> State.HEADER;
            case END -> State.BETWEEN;
            case CALL -> State.AFTER_CALL;
            default -> State.DONE; // <|return|>, <|endoftext|>
        };
        if (tag.equals(CHANNEL)) { // a message whose <|end|><|start|>assistant was skipped
            header.append(CHANNEL);
        }
    }

    /** A header that grew too long was never one: its text is content. */
    private void limitHeader(OutputSink out) {
        if (header.length() > HEADER_LIMIT) {
            headerAsContent(out);
        }
    }

    /**
     * A header ended without {@code <|message|>} (cut by max_tokens, or malformed): dropped, unless it cannot be a
     * header (no channel, no recipient, no role: then it is content).
     */
    private void dropHeader(OutputSink out) {
        String s = header.toString(), t = s.strip();
        boolean role = t.startsWith("assistant") || "assistant".startsWith(t);
        if (!role && !s.contains(CHANNEL) && !s.contains(CONSTRAIN) && !s.contains("to=")) {
            headerAsContent(out);
            closeBody(out);
        }
        header.setLength(0);
    }

    private void openFromHeader(OutputSink out) {
        HarmonyMarkup.Header h = HarmonyMarkup.Header.parse(header.toString());
        header.setLength(0);
        if (h.function() != null && toolsOffered) {
            open(Kind.CALL);
            out.toolCallStart(calls++, h.function());
        } else {
            boolean addressed = h.recipient() != null && h.recipient().startsWith("functions.");
            open(h.channel().equals("analysis") && !addressed ? Kind.REASONING : Kind.CONTENT);
        }
    }

    private void open(Kind k) {
        state = State.BODY;
        kind = k;
        separatorDue = k == Kind.CONTENT ? contentSeen : k == Kind.REASONING && reasoningSeen;
    }

    private void closeBody(OutputSink out) {
        if (kind == Kind.STRIPPED && !stripped.isEmpty()) {
            emit(true, stripped.toString(), out);
            stripped.setLength(0);
        }
        kind = null;
    }

    private void body(String s, OutputSink out) {
        if (s.isEmpty()) {
            return;
        }
        switch (kind) {
            case CALL -> out.toolCallArguments(calls - 1, s);
            case REASONING -> emit(true, s, out);
            case CONTENT -> emit(false, s, out);
            case STRIPPED -> strippedBody(s, out);
        }
    }

    /** Stripped markup: reasoning until {@code assistantfinal}, then content. */
    private void strippedBody(String s, OutputSink out) {
        stripped.append(s);
        int k = stripped.indexOf(STRIPPED_FINAL);
        if (k >= 0) {
            String before = stripped.substring(0, k), after = stripped.substring(k + STRIPPED_FINAL.length());
            stripped.setLength(0);
            emit(true, before, out);
            open(Kind.CONTENT);
            emit(false, after, out);
            return;
        }
        String all = stripped.toString();
        int keep = Math.min(all.length(), STRIPPED_FINAL.length() - 1);
        while (keep > 0 && !STRIPPED_FINAL.regionMatches(0, all, all.length() - keep, keep)) {
            keep--;
        }
        emit(true, stripped.substring(0, stripped.length() - keep), out);
        stripped.delete(0, stripped.length() - keep);
    }

    /** Emits a delta, after a blank line if an earlier message of the same kind had text. */
    private void emit(boolean reasoning, String s, OutputSink out) {
        if (s.isEmpty()) {
            return;
        }
        String d = separatorDue ? "\n\n" + s : s;
        separatorDue = false;
        if (reasoning) {
            out.reasoning(d);
            reasoningSeen = true;
        } else {
            out.content(d);
            contentSeen = true;
        }
    }
}
