package ai.cortensor.portal.families;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Converts Gemma 4 tool-call arguments to JSON one character at a time, so a streaming parser never re-scans what
 * it has read. Input is one object in Gemma's syntax: bare keys (or {@code <|"|>}-quoted ones), string values between
 * {@code <|"|>} tokens (no escapes: everything up to the next {@code <|"|>} is the string), bare scalars, nested
 * {@code {}} and {@code []}, whitespace anywhere between items, a trailing comma tolerated. Bare scalars become
 * {@code true}/{@code false}, {@code null} (also {@code none}/{@code nil}, as vLLM reads them), a JSON number when the
 * text is one, else a string (vLLM's leniency for a model that forgot the quotes).
 *
 * <p>The result is {@link #done()} when the outer object closes; {@link #failed()} as soon as the text cannot be an
 * object of that syntax, with {@link #restart()} the index of the first character that is not part of the failed
 * attempt (a {@code <} that began what looked like a {@code <|"|>} but was not, e.g. a {@code <turn|>}), so the
 * caller can read it again as ordinary text. Output is {@code json.dumps} style ({@code ", "}, {@code ": "}).
 */
final class Gemma4ArgsConverter {
    private static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
    private static final String QUOTE = Gemma4Values.QUOTE;
    private static final int MAX_DEPTH = 64;

    private enum Mode { START, KEY_OR_END, KEY_BARE, KEY_QUOTED, COLON, VALUE, VALUE_OR_END, BARE, STRING, DELIM,
        AFTER_VALUE, DONE, FAILED }

    private final StringBuilder out = new StringBuilder();
    private final StringBuilder text = new StringBuilder(); // the key, string or bare scalar being read
    private char[] stack = new char[8];
    private boolean[] nonEmpty = new boolean[8];
    private int depth;
    private Mode mode = Mode.START;
    private Mode afterDelim; // KEY_QUOTED or STRING, while an opening <|"|> is being matched
    private int matched; // characters of <|"|> matched so far (DELIM, or a closing one inside a string)
    private int delimStart;
    private int pos;
    private int restart = -1;

    boolean done() {
        return mode == Mode.DONE;
    }

    boolean failed() {
        return mode == Mode.FAILED;
    }

    /** After {@link #failed()}: the index of the first character to read again as ordinary text. */
    int restart() {
        return restart;
    }

    /** The JSON text so far (the whole arguments once {@link #done()}). */
    String json() {
        return out.toString();
    }

    void accept(char c) {
        int at = pos++;
        switch (mode) {
            case DONE, FAILED -> { }
            case START -> {
                if (c == '{') {
                    open('{');
                } else if (!ws(c)) {
                    fail(at);
                }
            }
            case KEY_OR_END -> {
                if (ws(c)) {
                    return;
                }
                if (c == '}') {
                    close('{', at);
                } else if (c == '<') {
                    delim(at, Mode.KEY_QUOTED);
                } else if (structural(c) || c == '"') {
                    fail(at);
                } else {
                    text.setLength(0);
                    text.append(c);
                    mode = Mode.KEY_BARE;
                }
            }
            case KEY_BARE -> {
                if (c == ':') {
                    key(at);
                } else if (structural(c) || c == '<') {
                    fail(at);
                } else {
                    text.append(c);
                }
            }
            case KEY_QUOTED, STRING -> string(c);
            case COLON -> {
                if (c == ':') {
                    key(at);
                } else if (!ws(c)) {
                    fail(at);
                }
            }
            case VALUE, VALUE_OR_END -> value(c, at);
            case BARE -> {
                if (c == ',' || c == '}' || c == ']') {
                    bare(at);
                    afterValue(c, at);
                } else if (c == '{' || c == '[' || c == '<') {
                    fail(at);
                } else {
                    text.append(c);
                }
            }
            case DELIM -> {
                if (c != QUOTE.charAt(matched)) {
                    fail(delimStart);
                } else if (++matched == QUOTE.length()) {
                    matched = 0;
                    text.setLength(0);
                    if (afterDelim == Mode.STRING) {
                        beginValue();
                    }
                    mode = afterDelim;
                }
            }
            case AFTER_VALUE -> afterValue(c, at);
        }
    }

    private void value(char c, int at) {
        if (ws(c)) {
            return;
        }
        if (c == ']' && mode == Mode.VALUE_OR_END) {
            close('[', at);
        } else if (c == '{' || c == '[') {
            beginValue();
            open(c);
        } else if (c == '<') {
            delim(at, Mode.STRING);
        } else if (c == ',' || c == '}' || c == ']' || c == ':') {
            fail(at);
        } else {
            beginValue();
            text.setLength(0);
            text.append(c);
            mode = Mode.BARE;
        }
    }

    private void afterValue(char c, int at) {
        if (ws(c)) {
            mode = Mode.AFTER_VALUE;
        } else if (c == ',') {
            mode = stack[depth - 1] == '{' ? Mode.KEY_OR_END : Mode.VALUE_OR_END;
        } else if (c == '}' || c == ']') {
            close(c == '}' ? '{' : '[', at);
        } else {
            fail(at);
        }
    }

    /** Inside a {@code <|"|>} string: everything is literal up to the next {@code <|"|>}. */
    private void string(char c) {
        if (matched > 0) {
            if (c == QUOTE.charAt(matched)) {
                if (++matched == QUOTE.length()) {
                    matched = 0;
                    if (mode == Mode.STRING) {
                        PyJson.string(out, text.toString());
                        mode = Mode.AFTER_VALUE;
                    } else {
                        mode = Mode.COLON;
                    }
                }
                return;
            }
            text.append(QUOTE, 0, matched); // not the delimiter after all: its start was text
            matched = 0;
        }
        if (c == '<') {
            matched = 1;
        } else {
            text.append(c);
        }
    }

    private void delim(int at, Mode then) {
        delimStart = at;
        matched = 1;
        afterDelim = then;
        mode = Mode.DELIM;
    }

    /** A key is complete (bare text before {@code :}, or a quoted one followed by {@code :}). */
    private void key(int at) {
        String k = mode == Mode.KEY_BARE ? Gemma4Values.trim(text.toString()) : text.toString();
        if (k.isEmpty()) {
            fail(at);
            return;
        }
        separator();
        PyJson.string(out, k);
        out.append(": ");
        mode = Mode.VALUE;
    }

    private void bare(int at) {
        String t = Gemma4Values.trim(text.toString());
        switch (t) {
            case "true", "false" -> out.append(t);
            default -> {
                String lower = t.toLowerCase(java.util.Locale.ROOT);
                if (lower.equals("null") || lower.equals("none") || lower.equals("nil")) {
                    out.append("null");
                } else if (NUMBER.matcher(t).matches()) {
                    out.append(t);
                } else {
                    PyJson.string(out, t);
                }
            }
        }
    }

    /** A value starts: inside an array it needs a separator from the one before. */
    private void beginValue() {
        if (depth > 0 && stack[depth - 1] == '[') {
            separator();
        }
    }

    private void separator() {
        if (nonEmpty[depth - 1]) {
            out.append(", ");
        }
        nonEmpty[depth - 1] = true;
    }

    private void open(char c) {
        if (depth == MAX_DEPTH) {
            fail(pos - 1);
            return;
        }
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, depth * 2);
            nonEmpty = Arrays.copyOf(nonEmpty, depth * 2);
        }
        stack[depth] = c;
        nonEmpty[depth] = false;
        depth++;
        out.append(c);
        mode = c == '{' ? Mode.KEY_OR_END : Mode.VALUE_OR_END;
    }

    private void close(char opener, int at) {
        if (stack[depth - 1] != opener) {
            fail(at);
            return;
        }
        depth--;
        out.append(opener == '{' ? '}' : ']');
        mode = depth == 0 ? Mode.DONE : Mode.AFTER_VALUE;
    }

    private void fail(int at) {
        restart = at;
        mode = Mode.FAILED;
    }

    private static boolean structural(char c) {
        return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':';
    }

    private static boolean ws(char c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }
}
