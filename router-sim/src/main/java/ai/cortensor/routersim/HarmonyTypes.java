package ai.cortensor.routersim;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses harmony's TypeScript-like tool namespace back into JSON Schema:
 * {@code type NAME = (_: { // comment \n key?: TYPE, ... }) => any;} or {@code type NAME = () => any;}, where TYPE
 * is {@code string | number | boolean | any | null | object}, a string literal (an enum value), a nested
 * {@code {...}}, any of these followed by {@code []}, or a {@code |} union of them. {@code ?} marks an optional
 * key; {@code //} comments (descriptions, {@code // default: x}) are skipped. TypeScript's {@code number} is read as
 * {@code integer}: the template prints both JSON types as {@code number}, and an integral value satisfies either.
 * A declaration the parser cannot read is skipped, not fatal.
 */
final class HarmonyTypes {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String s;
    private int i;

    private HarmonyTypes(String s) {
        this.s = s;
    }

    static final class Unreadable extends RuntimeException {
        Unreadable(String msg) {
            super(msg, null, false, false);
        }
    }

    /** The functions of a {@code namespace functions { ... }} text, in order. */
    static List<PromptView.ToolSpec> functions(String namespace) {
        HarmonyTypes p = new HarmonyTypes(namespace);
        List<PromptView.ToolSpec> out = new ArrayList<>();
        for (int at = p.nextType(0); at >= 0; at = p.nextType(p.i)) {
            p.i = at + "type".length();
            try {
                String name = p.ident();
                p.expect("=");
                p.expect("(");
                ObjectNode params;
                if (p.peek() == ')') {
                    params = F.objectNode().put("type", "object").set("properties", F.objectNode());
                } else {
                    p.ident(); // the "_" parameter name
                    p.expect(":");
                    JsonNode t = p.type();
                    params = t.path("type").asText().equals("object") ? (ObjectNode) t
                            : F.objectNode().put("type", "object");
                }
                p.expect(")");
                out.add(new PromptView.ToolSpec(name, params));
            } catch (Unreadable | StringIndexOutOfBoundsException e) {
                p.i = Math.min(at + 4, namespace.length());
            }
        }
        return out;
    }

    /** Index of the next {@code type} keyword at a line start, or -1. */
    private int nextType(int from) {
        for (int k = s.indexOf("type ", from); k >= 0; k = s.indexOf("type ", k + 1)) {
            if (k == 0 || s.charAt(k - 1) == '\n') {
                return k;
            }
        }
        return -1;
    }

    private JsonNode type() {
        List<JsonNode> members = new ArrayList<>();
        members.add(array(primary()));
        while (peek() == '|') {
            i++;
            members.add(array(primary()));
        }
        if (members.stream().anyMatch(m -> !isNull(m))) {
            members.removeIf(HarmonyTypes::isNull); // "X | null": a nullable X, the sim never sends null
        }
        if (members.size() == 1) {
            return members.getFirst();
        }
        ArrayNode literals = F.arrayNode();
        for (JsonNode m : members) {
            if (!m.has("const") || !m.get("const").isTextual()) {
                return F.objectNode().set("anyOf", F.arrayNode().addAll(members));
            }
            literals.add(m.get("const"));
        }
        return F.objectNode().put("type", "string").set("enum", literals);
    }

    private static boolean isNull(JsonNode m) {
        return m.path("type").asText().equals("null");
    }

    private JsonNode array(JsonNode item) {
        JsonNode t = item;
        while (peek() == '[' && s.startsWith("[]", i)) {
            i += 2;
            t = F.objectNode().put("type", "array").set("items", t);
        }
        return t;
    }

    private JsonNode primary() {
        char c = peek();
        if (c == '{') {
            return object();
        }
        if (c == '"') {
            String lit = string();
            return F.objectNode().put("type", "string").set("const", F.textNode(lit));
        }
        if (c == '-' || Character.isDigit(c)) {
            int start = i;
            while (i < s.length() && "-+.eE0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return F.objectNode().set("const", F.numberNode(Double.parseDouble(s.substring(start, i))));
        }
        String word = ident();
        return switch (word) {
            case "string", "boolean", "null", "object" -> F.objectNode().put("type", word);
            case "number" -> F.objectNode().put("type", "integer");
            default -> F.objectNode(); // any, unknown
        };
    }

    private ObjectNode object() {
        expect("{");
        ObjectNode props = F.objectNode();
        ArrayNode required = F.arrayNode();
        while (peek() != '}') {
            String key = peek() == '"' ? string() : ident();
            boolean optional = peek() == '?';
            if (optional) {
                i++;
            }
            expect(":");
            props.set(key, type());
            if (!optional) {
                required.add(key);
            }
            if (peek() == ',') {
                i++;
            }
        }
        i++;
        ObjectNode o = F.objectNode().put("type", "object");
        o.set("properties", props);
        o.set("required", required);
        return o;
    }

    private String ident() {
        skip();
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "_$-.".indexOf(s.charAt(i)) >= 0)) {
            i++;
        }
        if (start == i) {
            throw new Unreadable("identifier expected at " + i);
        }
        return s.substring(start, i);
    }

    private String string() {
        expect("\"");
        int end = s.indexOf('"', i);
        if (end < 0) {
            throw new Unreadable("unterminated string");
        }
        String v = s.substring(i, end);
        i = end + 1;
        return v;
    }

    private void expect(String token) {
        skip();
        if (!s.startsWith(token, i)) {
            throw new Unreadable("'" + token + "' expected at " + i);
        }
        i += token.length();
    }

    /** The next significant character (after whitespace and comments), not consumed; 0 at the end. */
    private char peek() {
        skip();
        return i < s.length() ? s.charAt(i) : 0;
    }

    private void skip() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl + 1;
            } else {
                return;
            }
        }
    }
}
