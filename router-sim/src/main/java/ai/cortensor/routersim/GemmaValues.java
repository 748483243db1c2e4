package ai.cortensor.routersim;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Gemma 4's JSON-like value syntax, both ways: objects {@code {key:value,...}} with bare keys, arrays
 * {@code [a,b]}, strings wrapped in the single token {@code <|"|>} (no escaping inside), and bare
 * {@code true|false|null} and numbers. Used for tool declarations and tool responses in prompts, and for the
 * arguments the sim writes in {@code <|tool_call>call:NAME{...}<tool_call|>}.
 */
final class GemmaValues {

    static final String QUOTE = "<|\"|>";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String s;
    private int i;

    private GemmaValues(String s, int from) {
        this.s = s;
        this.i = from;
    }

    /** The value starting at {@code from} in {@code s}; throws IllegalArgumentException when malformed. */
    static JsonNode parse(String s, int from) {
        try {
            return new GemmaValues(s, from).value();
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated Gemma value", e);
        }
    }

    /**
     * A parsed tool declaration's {@code parameters} as JSON Schema: the template upper-cases types
     * ({@code STRING}, {@code OBJECT}); they are lower-cased back, everything else is kept.
     */
    static JsonNode schema(JsonNode declared) {
        if (declared instanceof ObjectNode o) {
            ObjectNode out = F.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                boolean typeName = e.getKey().equals("type") && e.getValue().isTextual();
                out.set(e.getKey(), typeName ? F.textNode(e.getValue().textValue().toLowerCase(java.util.Locale.ROOT))
                        : schema(e.getValue()));
            }
            return out;
        }
        if (declared instanceof ArrayNode a) {
            ArrayNode out = F.arrayNode();
            a.forEach(v -> out.add(schema(v)));
            return out;
        }
        return declared;
    }

    /** {@code value} in Gemma syntax; object keys in their order. */
    static String write(JsonNode value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(JsonNode v, StringBuilder sb) {
        if (v.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); first = false) {
                Map.Entry<String, JsonNode> e = it.next();
                sb.append(first ? "" : ",").append(e.getKey()).append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v.isArray()) {
            sb.append('[');
            for (int k = 0; k < v.size(); k++) {
                write(v.get(k), sb.append(k == 0 ? "" : ","));
            }
            sb.append(']');
        } else if (v.isTextual()) {
            sb.append(QUOTE).append(v.textValue()).append(QUOTE);
        } else {
            sb.append(v.toString()); // numbers, true, false, null
        }
    }

    private JsonNode value() {
        if (s.startsWith(QUOTE, i)) {
            int end = s.indexOf(QUOTE, i + QUOTE.length());
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string");
            }
            String text = s.substring(i + QUOTE.length(), end);
            i = end + QUOTE.length();
            return F.textNode(text);
        }
        char c = s.charAt(i);
        if (c == '{') {
            i++;
            ObjectNode o = F.objectNode();
            while (s.charAt(i) != '}') {
                int colon = s.indexOf(':', i);
                if (colon < 0) {
                    throw new IllegalArgumentException("key without value");
                }
                String key = s.substring(i, colon).strip();
                i = colon + 1;
                o.set(key, value());
                if (s.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
            return o;
        }
        if (c == '[') {
            i++;
            ArrayNode a = F.arrayNode();
            while (s.charAt(i) != ']') {
                a.add(value());
                if (s.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
            return a;
        }
        int start = i;
        while (",}]".indexOf(s.charAt(i)) < 0) {
            i++;
        }
        String bare = s.substring(start, i).strip();
        switch (bare) {
            case "true", "false" -> {
                return F.booleanNode(bare.equals("true"));
            }
            case "null" -> {
                return F.nullNode();
            }
            default -> {
                try {
                    return bare.contains(".") || bare.contains("e") ? F.numberNode(Double.parseDouble(bare))
                            : F.numberNode(Long.parseLong(bare));
                } catch (NumberFormatException e) {
                    return F.textNode(bare);
                }
            }
        }
    }
}
