package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON written exactly as Python's {@code json.dumps(x, ensure_ascii=False)} writes it, which is what the chat
 * templates' {@code tojson} filter produces under transformers: {@code ", "} and {@code ": "} separators, keys in
 * the order given, non-ASCII characters as they are, only {@code "}, {@code \} and control characters escaped,
 * floats in Python's {@code repr} form ({@code 1e+16}, {@code 0.0001}, {@code 1.0}).
 */
public final class PyJson {
    private PyJson() {}

    public static String dumps(JsonNode node) {
        StringBuilder b = new StringBuilder(64);
        write(b, node);
        return b.toString();
    }

    /** A JSON string literal, as {@code json.dumps(s, ensure_ascii=False)}. */
    public static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        string(b, s);
        return b.toString();
    }

    public static void write(StringBuilder b, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                b.append('{');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!first) {
                        b.append(", ");
                    }
                    first = false;
                    string(b, e.getKey());
                    b.append(": ");
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case ARRAY -> {
                b.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        b.append(", ");
                    }
                    write(b, node.get(i));
                }
                b.append(']');
            }
            case STRING -> string(b, node.textValue());
            case BOOLEAN -> b.append(node.booleanValue() ? "true" : "false");
            case NULL, MISSING -> b.append("null");
            case NUMBER -> number(b, node);
            default -> string(b, node.asText());
        }
    }

    static void number(StringBuilder b, JsonNode n) {
        if (n.isIntegralNumber()) {
            b.append(n.bigIntegerValue());
            return;
        }
        b.append(pythonRepr(n.doubleValue()));
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, fixed for 1e-4 <= |x| < 1e16, else exponent. */
    static String pythonRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        java.math.BigDecimal bd = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-4 && abs < 1e16) {
            String s = bd.toPlainString();
            return s.indexOf('.') < 0 ? s + ".0" : s;
        }
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        StringBuilder b = new StringBuilder();
        if (d < 0) {
            b.append('-');
        }
        b.append(digits.charAt(0));
        if (digits.length() > 1) {
            b.append('.').append(digits, 1, digits.length());
        }
        b.append('e').append(exp < 0 ? '-' : '+');
        int e = Math.abs(exp);
        if (e < 10) {
            b.append('0');
        }
        return b.append(e).toString();
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
