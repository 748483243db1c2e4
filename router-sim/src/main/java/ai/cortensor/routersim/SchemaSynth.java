package ai.cortensor.routersim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Makes up a value that validates against a JSON Schema, the way a compliant model fills in tool arguments and
 * structured answers. Rules, first match wins: {@code const}; {@code enum} → its first value; {@code default};
 * {@code anyOf}/{@code oneOf} → the first non-null branch ({@code allOf} → the first); local {@code $ref}
 * ({@code #/$defs/X}, {@code #/definitions/X}); then by {@code type} (a type list → its first non-null type; no type
 * but {@code properties} → object): object → every required property (in {@code required} order) plus optional
 * ones that have an {@code enum}/{@code const} (all declared properties when the schema lists no {@code required}), never anything
 * undeclared; array → {@code max(1, minItems)} items (0 when {@code maxItems} is 0); integer → 1, number → 1.5
 * (moved into {@code minimum}/{@code maximum}); boolean → true; null → null; string → a {@code date}/{@code date-time}
 * /{@code email}/{@code uri} format value, a date from the user text for properties named like dates, else the next
 * hint (quoted text or capitalised word from the user message, not its sentence-initial word; handed out in turn,
 * round and round) or "example", padded
 * or cut to {@code minLength}/{@code maxLength}. {@code pattern} is not honoured. Unknown shapes → "example".
 */
final class SchemaSynth {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern QUOTED = Pattern.compile("\"([^\"\\n]{1,60})\"|\u201c([^\u201d\\n]{1,60})\u201d");
    private static final Pattern CAPITALISED = Pattern.compile("(?<![\\p{L}\\p{N}_])\\p{Lu}[\\p{L}\\p{N}_-]*");
    private static final Pattern DATE = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}\\b");
    private static final int MAX_DEPTH = 8;

    private final List<String> hints;
    private final String date;
    private int nextHint;
    private JsonNode root;

    /**
     * A synthesiser whose strings take hints from {@code userText}, skipping the words in {@code exclude}. One
     * instance serves all values of one answer: the hints are handed out in turn across them, round and round.
     */
    SchemaSynth(String userText, Set<String> exclude) {
        Matcher d = DATE.matcher(userText);
        this.hints = hints(userText, exclude);
        this.date = d.find() ? d.group() : "2026-11-30";
    }

    /** A value valid against {@code schema} (its own root for {@code $ref}). */
    JsonNode value(JsonNode schema) {
        root = schema;
        return synth(schema, "", 0);
    }

    /** Quoted strings and capitalised words (not the first word of a sentence, not "I"), in text order, once each. */
    static List<String> hints(String text, Set<String> exclude) {
        record Hint(int at, String text) {
        }
        List<Hint> found = new ArrayList<>();
        Matcher q = QUOTED.matcher(text);
        while (q.find()) {
            found.add(new Hint(q.start(), q.group(1) != null ? q.group(1) : q.group(2)));
        }
        Matcher c = CAPITALISED.matcher(text);
        while (c.find()) {
            String before = text.substring(0, c.start()).stripTrailing();
            boolean sentenceStart = before.isEmpty() || ".!?:\n".indexOf(before.charAt(before.length() - 1)) >= 0;
            boolean insideQuote = found.stream().anyMatch(h -> h.at < c.start() && c.start() <= h.at + h.text.length());
            if (!sentenceStart && !insideQuote && !c.group().equals("I")) {
                found.add(new Hint(c.start(), c.group()));
            }
        }
        found.sort((a, b) -> Integer.compare(a.at, b.at));
        Set<String> out = new LinkedHashSet<>();
        for (Hint h : found) {
            if (!exclude.contains(h.text)) {
                out.add(h.text);
            }
        }
        return List.copyOf(out);
    }

    private JsonNode synth(JsonNode s, String name, int depth) {
        if (depth > MAX_DEPTH || s == null || !s.isObject()) {
            return F.textNode("example");
        }
        if (s.has("const")) {
            return s.get("const");
        }
        if (s.path("enum").isArray() && !s.get("enum").isEmpty()) {
            return s.get("enum").get(0);
        }
        if (s.has("default")) {
            return s.get("default");
        }
        for (String key : new String[] {"anyOf", "oneOf", "allOf"}) {
            if (s.path(key).isArray() && !s.get(key).isEmpty()) {
                JsonNode pick = s.get(key).get(0);
                for (JsonNode branch : s.get(key)) {
                    if (!branch.path("type").asText().equals("null")) {
                        pick = branch;
                        break;
                    }
                }
                return synth(pick, name, depth + 1);
            }
        }
        if (s.path("$ref").isTextual()) {
            String ref = s.get("$ref").textValue();
            return synth(ref.startsWith("#") ? root.at(ref.substring(1)) : null, name, depth + 1);
        }
        return switch (type(s)) {
            case "object" -> object(s, depth);
            case "array" -> array(s, name, depth);
            case "integer" -> F.numberNode((long) Math.ceil(clamp(s, 1)));
            case "number" -> F.numberNode(clamp(s, 1.5));
            case "boolean" -> F.booleanNode(true);
            case "null" -> F.nullNode();
            default -> F.textNode(string(s, name));
        };
    }

    private static String type(JsonNode s) {
        JsonNode t = s.get("type");
        if (t != null && t.isTextual()) {
            return t.textValue();
        }
        if (t != null && t.isArray()) {
            for (JsonNode one : t) {
                if (!one.asText().equals("null")) {
                    return one.asText();
                }
            }
            return "null";
        }
        return s.has("properties") ? "object" : s.has("items") ? "array" : "string";
    }

    private ObjectNode object(JsonNode s, int depth) {
        ObjectNode out = F.objectNode();
        JsonNode props = s.path("properties");
        Set<String> required = new LinkedHashSet<>();
        s.path("required").forEach(r -> required.add(r.asText()));
        boolean all = !s.has("required");
        for (String r : required) { // in the order the schema requires them (Gemma sorts its properties)
            out.set(r, props.has(r) ? synth(props.get(r), r, depth + 1) : F.textNode(string(F.objectNode(), r)));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode ps = p.getValue();
            if (!out.has(p.getKey()) && (all || ps.has("enum") || ps.has("const"))) {
                out.set(p.getKey(), synth(ps, p.getKey(), depth + 1));
            }
        }
        return out;
    }

    private ArrayNode array(JsonNode s, String name, int depth) {
        ArrayNode out = F.arrayNode();
        int n = s.path("maxItems").asInt(1) == 0 ? 0 : Math.max(1, s.path("minItems").asInt(1));
        for (int k = 0; k < n; k++) {
            out.add(synth(s.has("items") ? s.get("items") : F.objectNode().put("type", "string"), name, depth + 1));
        }
        return out;
    }

    private static double clamp(JsonNode s, double v) {
        double out = v;
        if (s.path("minimum").isNumber()) {
            out = Math.max(out, s.get("minimum").asDouble());
        }
        if (s.path("exclusiveMinimum").isNumber() && out <= s.get("exclusiveMinimum").asDouble()) {
            out = Math.floor(s.get("exclusiveMinimum").asDouble()) + 1;
        }
        if (s.path("maximum").isNumber()) {
            out = Math.min(out, s.get("maximum").asDouble());
        }
        return out;
    }

    private String string(JsonNode s, String name) {
        String format = s.path("format").asText("");
        String v = switch (format) {
            case "date" -> date;
            case "date-time" -> date + "T12:00:00Z";
            case "email" -> "user@example.com";
            case "uri", "url" -> "https://example.com";
            default -> name.toLowerCase(Locale.ROOT).contains("date") ? date
                    : hints.isEmpty() ? "example" : hints.get(nextHint++ % hints.size());
        };
        int min = s.path("minLength").asInt(0);
        int max = s.path("maxLength").asInt(Integer.MAX_VALUE);
        StringBuilder sb = new StringBuilder(v);
        while (sb.length() < min) {
            sb.append('x');
        }
        return sb.length() > max ? sb.substring(0, max) : sb.toString();
    }
}
