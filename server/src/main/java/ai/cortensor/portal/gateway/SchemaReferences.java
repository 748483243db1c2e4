package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The references of a client JSON schema, checked before the schema is used: each must resolve inside the schema,
 * and no chain of references and in-place keywords ({@code allOf}, {@code not}, {@code if} …) may lead from a
 * subschema back to itself, such as {@code {"$ref":"#"}}. The validator would apply such a chain to the same value
 * until its stack overflows, and it would do so only once the model has answered. A chain through a keyword that
 * moves into the value ({@code properties}, {@code items} …) ends with the value, so recursive schemas such as a tree
 * whose {@code children} items refer to {@code #} are fine. Conservative: every subschema counts, used or not.
 */
final class SchemaReferences {
    private static final Set<String> REFS = Set.of("$ref", "$dynamicRef", "$recursiveRef");
    private static final Set<String> ANCHORS = Set.of("$anchor", "$dynamicAnchor");
    /** Keywords whose subschemas apply to the value itself. */
    private static final Set<String> IN_PLACE = Set.of("not", "if", "then", "else", "allOf", "anyOf", "oneOf",
            "dependentSchemas", "dependencies");
    /** Keywords whose value maps names to subschemas (the others hold a subschema or a list of them). */
    private static final Set<String> MAPS = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas", "dependencies");
    /** Keywords whose subschemas apply to a part of the value, or are only referred to. */
    private static final Set<String> INTO = Set.of("items", "prefixItems", "additionalItems", "unevaluatedItems",
            "contains", "properties", "patternProperties", "additionalProperties", "unevaluatedProperties",
            "propertyNames", "$defs", "definitions");

    private SchemaReferences() {}

    /** Refuses (400 {@code invalid_schema} at {@code at}) a reference that does not resolve, or a loop. */
    static void check(JsonNode root, String at) {
        Map<String, JsonNode> anchors = anchors(root);
        Map<JsonNode, List<JsonNode>> inPlace = new IdentityHashMap<>(); // each subschema's in-place successors
        List<JsonNode> subschemas = new ArrayList<>();
        Deque<JsonNode> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            JsonNode s = todo.pop();
            if (!s.isObject() || inPlace.containsKey(s)) {
                continue;
            }
            List<JsonNode> successors = new ArrayList<>();
            inPlace.put(s, successors);
            subschemas.add(s);
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String keyword = e.getKey();
                if (REFS.contains(keyword) && e.getValue().isTextual()) {
                    JsonNode target = resolve(root, anchors, e.getValue().textValue(), at);
                    successors.add(target);
                    todo.push(target);
                } else if (IN_PLACE.contains(keyword) || INTO.contains(keyword)) {
                    List<JsonNode> children = children(keyword, e.getValue());
                    todo.addAll(children);
                    if (IN_PLACE.contains(keyword)) {
                        successors.addAll(children);
                    }
                }
            }
        }
        refuseLoops(subschemas, inPlace, at);
    }

    /** Every {@code $anchor} and {@code $dynamicAnchor} in the document, the first of a name winning. */
    private static Map<String, JsonNode> anchors(JsonNode root) {
        Map<String, JsonNode> anchors = new HashMap<>();
        Deque<JsonNode> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isObject()) {
                for (String a : ANCHORS) {
                    if (n.path(a).isTextual()) {
                        anchors.putIfAbsent(n.get(a).textValue(), n);
                    }
                }
            }
            n.forEach(todo::push);
        }
        return anchors;
    }

    /** A keyword's subschemas: the values of a map keyword, the elements of a list, or the value itself. */
    private static List<JsonNode> children(String keyword, JsonNode v) {
        List<JsonNode> out = new ArrayList<>();
        if (v.isArray() || (v.isObject() && MAPS.contains(keyword))) {
            v.forEach(out::add);
        } else {
            out.add(v);
        }
        return out;
    }

    /** A local reference ({@code #}, a JSON pointer {@code #/…}, or an anchor {@code #name}), resolved as the validator does. */
    private static JsonNode resolve(JsonNode root, Map<String, JsonNode> anchors, String ref, String at) {
        String fragment = ref.substring(1); // Schemas.walk allows only references starting with '#'
        JsonNode target;
        try {
            String decoded = URLDecoder.decode(fragment, StandardCharsets.UTF_8);
            target = decoded.isEmpty() ? root : decoded.startsWith("/") ? root.at(JsonPointer.compile(decoded))
                    : anchors.get(decoded);
        } catch (IllegalArgumentException e) {
            target = null;
        }
        if (target == null || target.isMissingNode()) {
            throw ApiError.invalidRequest("invalid_schema", at, "The reference '" + ref + "' does not resolve within "
                    + "the JSON schema.");
        }
        return target;
    }

    /** Depth-first over the in-place edges, with an explicit stack (a schema may hold many subschemas). */
    private static void refuseLoops(List<JsonNode> subschemas, Map<JsonNode, List<JsonNode>> inPlace, String at) {
        Map<JsonNode, Boolean> onPath = new IdentityHashMap<>(); // true while on the current path, false when done
        for (JsonNode start : subschemas) {
            if (onPath.containsKey(start)) {
                continue;
            }
            Deque<JsonNode> path = new ArrayDeque<>(List.of(start));
            Deque<Iterator<JsonNode>> next = new ArrayDeque<>(List.of(inPlace.get(start).iterator()));
            onPath.put(start, true);
            while (!next.isEmpty()) {
                if (!next.peek().hasNext()) {
                    next.pop();
                    onPath.put(path.pop(), false);
                    continue;
                }
                JsonNode n = next.peek().next();
                List<JsonNode> successors = inPlace.get(n);
                if (successors == null) {
                    continue; // not a schema object (true, false, or what a reference points at by mistake)
                }
                Boolean state = onPath.get(n);
                if (state == null) {
                    onPath.put(n, true);
                    path.push(n);
                    next.push(successors.iterator());
                } else if (state) {
                    throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema refers to itself without "
                            + "end: a chain of references and in-place keywords (allOf, anyOf, oneOf, not, if, then, "
                            + "else, dependentSchemas) leads back to where it started without moving into the value.");
                }
            }
        }
    }
}
