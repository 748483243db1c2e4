package ai.cortensor.routersim;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSON text the way models write it: keys in schema order, non-ASCII kept as is ({@code ensure_ascii=False}), and
 * either compact ({@code {"a":1}}, gpt-oss and JSON answers) or with Python's {@code json.dumps} separators
 * ({@code {"a": 1, "b": 2}}, what Qwen learned from its template).
 */
final class JsonText {

    private JsonText() {
    }

    static String compact(JsonNode v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb, ",", ":");
        return sb.toString();
    }

    static String python(JsonNode v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb, ", ", ": ");
        return sb.toString();
    }

    private static void write(JsonNode v, StringBuilder sb, String comma, String colon) {
        if (v.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); first = false) {
                Map.Entry<String, JsonNode> e = it.next();
                string(e.getKey(), sb.append(first ? "" : comma));
                write(e.getValue(), sb.append(colon), comma, colon);
            }
            sb.append('}');
        } else if (v.isArray()) {
            sb.append('[');
            for (int k = 0; k < v.size(); k++) {
                write(v.get(k), sb.append(k == 0 ? "" : comma), comma, colon);
            }
            sb.append(']');
        } else if (v.isTextual()) {
            string(v.textValue(), sb);
        } else {
            sb.append(v.toString());
        }
    }

    static void string(String s, StringBuilder sb) {
        sb.append('"').append(FastApiReplies.escape(s)).append('"');
    }
}
