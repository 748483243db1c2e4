package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Gemma 4's value syntax, both ways, plus the few Python/Jinja behaviours its chat template relies on.
 *
 * <p>{@link #format} writes a JSON value the way the template's {@code format_argument} macro does: strings between
 * the single token {@code <|"|>} (no escaping at all), {@code true}/{@code false}/{@code null}, numbers as Python's
 * {@code str()} prints them, objects with their keys in Jinja {@code dictsort} order (case-insensitive), keys bare or
 * {@code <|"|>}-quoted. {@link #toJson} reads the model's side of it (a tool call's {@code {key:value,...}}) back into
 * a JSON string. Reusable by anything that has to speak Gemma's argument syntax.
 */
public final class Gemma4Values {
    /** The string delimiter token. */
    public static final String QUOTE = "<|\"|>";

    private Gemma4Values() {}

    /** {@code value} as the template writes tool-call arguments and tool results: bare keys, no neutralisation. */
    public static String format(JsonNode value) {
        return format(value, false, UnaryOperator.identity());
    }

    /**
     * {@code value} as {@code format_argument(value, escape_keys)}; every string and key passes through {@code text}
     * first (the renderer neutralises client text there, so a value can never close its own {@code <|"|>}).
     */
    public static String format(JsonNode value, boolean escapeKeys, UnaryOperator<String> text) {
        StringBuilder b = new StringBuilder();
        format(b, value, escapeKeys, text);
        return b.toString();
    }

    static void format(StringBuilder b, JsonNode v, boolean escapeKeys, UnaryOperator<String> text) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            b.append("null");
        } else if (v.isTextual()) {
            b.append(QUOTE).append(text.apply(v.textValue())).append(QUOTE);
        } else if (v.isBoolean()) {
            b.append(v.booleanValue() ? "true" : "false");
        } else if (v.isObject()) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : dictsort(v)) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                String key = text.apply(e.getKey());
                b.append(escapeKeys ? QUOTE + key + QUOTE : key).append(':');
                format(b, e.getValue(), escapeKeys, text);
            }
            b.append('}');
        } else if (v.isArray()) {
            b.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                format(b, v.get(i), escapeKeys, text);
            }
            b.append(']');
        } else {
            b.append(pyStr(v));
        }
    }

    /**
     * The JSON arguments string (Python {@code json.dumps} style, as vLLM returns it) for Gemma arguments
     * {@code {key:value,...}} written by the model. Throws {@link IllegalArgumentException} when the text is not
     * exactly one well-formed object.
     */
    public static String toJson(String gemmaArgs) {
        Gemma4ArgsConverter c = new Gemma4ArgsConverter();
        int i = 0;
        for (; i < gemmaArgs.length() && !c.done() && !c.failed(); i++) {
            c.accept(gemmaArgs.charAt(i));
        }
        if (!c.done() || !gemmaArgs.substring(i).isBlank()) {
            throw new IllegalArgumentException("not one Gemma argument object: " + gemmaArgs);
        }
        return c.json();
    }

    /** Jinja's {@code dictsort}: entries by key, case-insensitive, code-point order; ties keep insertion order. */
    static List<Map.Entry<String, JsonNode>> dictsort(JsonNode object) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>(object.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            out.add(it.next());
        }
        out.sort(Comparator.comparing(e -> e.getKey().toLowerCase(Locale.ROOT), Gemma4Values::compareCodePoints));
        return out;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** What Jinja prints for {@code {{ v }}}: Python's {@code str()}; a missing value prints nothing. */
    static String pyStr(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "";
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        StringBuilder b = new StringBuilder();
        pyRepr(b, v);
        return b.toString();
    }

    /** Python's {@code repr()} of the value json.loads would give: True/False/None, single-quoted strings. */
    private static void pyRepr(StringBuilder b, JsonNode v) {
        switch (v.getNodeType()) {
            case NULL, MISSING -> b.append("None");
            case BOOLEAN -> b.append(v.booleanValue() ? "True" : "False");
            case NUMBER -> {
                if (v.isIntegralNumber()) {
                    b.append(v.bigIntegerValue());
                } else {
                    b.append(PyJson.pythonRepr(v.doubleValue()));
                }
            }
            case STRING -> reprString(b, v.textValue());
            case ARRAY -> {
                b.append('[');
                for (int i = 0; i < v.size(); i++) {
                    b.append(i > 0 ? ", " : "");
                    pyRepr(b, v.get(i));
                }
                b.append(']');
            }
            case OBJECT -> {
                b.append('{');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    b.append(first ? "" : ", ");
                    first = false;
                    reprString(b, e.getKey());
                    b.append(": ");
                    pyRepr(b, e.getValue());
                }
                b.append('}');
            }
            default -> reprString(b, v.asText());
        }
    }

    private static void reprString(StringBuilder b, String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        b.append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c == q) {
                        b.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append(q);
    }

    /** Python's {@code str.upper()} of what Jinja prints ({@code | upper}). */
    static String upper(JsonNode v) {
        return pyStr(v).toUpperCase(Locale.ROOT);
    }

    /** Jinja's {@code trim}: Python's {@code str.strip()}, whose whitespace set is wider than Java's. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && pySpace(s.charAt(start))) {
            start++;
        }
        while (end > start && pySpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Python's {@code str.isspace()} for one UTF-16 unit (no whitespace lies outside the BMP). */
    static boolean pySpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }
}
