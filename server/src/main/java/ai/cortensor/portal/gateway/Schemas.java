package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client JSON schemas (tool parameters, structured outputs), checked and compiled with networknt's validator
 * (draft 2020-12 unless the schema names another known draft). A schema may only reference itself: a {@code $ref}
 * that is not a local {@code #...} pointer or an unknown {@code $schema} is refused, so validating never makes the
 * gateway fetch a URL.
 */
public final class Schemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Set<String> DIALECTS = Set.of(
            "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2019-09/schema",
            "http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema",
            "http://json-schema.org/draft-06/schema#", "http://json-schema.org/draft-04/schema#");
    private static final int MAX_DEPTH = 32;

    private Schemas() {}

    /** Refuses a schema that is not self-contained, too deep, or does not compile. */
    public static Schema check(JsonNode schema, String at) {
        walk(schema, at, 0);
        try {
            return REGISTRY.getSchema(schema);
        } catch (RuntimeException e) {
            throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema is invalid: " + e.getMessage());
        }
    }

    /** Validation errors of {@code instance} against {@code schema}, as readable messages (empty when valid). */
    public static List<String> errors(Schema schema, JsonNode instance) {
        List<Error> errors = schema.validate(instance);
        return errors.stream().limit(5).map(Error::getMessage).toList();
    }

    private static void walk(JsonNode node, String at, int depth) {
        if (depth > MAX_DEPTH) {
            throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema is nested deeper than " + MAX_DEPTH
                    + " levels.");
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                walk(n, at, depth + 1);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if ((key.equals("$ref") || key.equals("$dynamicRef") || key.equals("$recursiveRef"))
                    && !(v.isTextual() && v.asText().startsWith("#"))) {
                throw ApiError.invalidRequest("invalid_schema", at, "Only local references ('#/...') are allowed in "
                        + "the JSON schema; '" + v.asText() + "' is not.");
            }
            if (key.equals("$schema") && !(v.isTextual() && DIALECTS.contains(v.asText()))) {
                throw ApiError.invalidRequest("invalid_schema", at, "Unknown '$schema' " + v
                        + "; use a JSON Schema draft URI (2020-12 is the default).");
            }
            if (key.equals("$id")) {
                throw ApiError.invalidRequest("invalid_schema", at, "'$id' is not allowed in the JSON schema.");
            }
            walk(v, at, depth + 1);
        }
    }
}
