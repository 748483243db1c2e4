package ai.cortensor.portal.gateway;

import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** Values of every JSON type that a schema is tried on when it is checked. */
    private static final List<JsonNode> SAMPLES = samples();

    private Schemas() {}

    /**
     * Refuses a schema that is not self-contained, too deep, holds a number out of range, refers to itself without
     * end ({@link SchemaReferences}), does not compile, or makes the validator fail on a sample value: a schema is
     * applied only after the model has answered, when a failure could no longer be the client's 400.
     */
    public static Schema check(JsonNode schema, String at) {
        walk(schema, at, 0);
        SchemaReferences.check(schema, at);
        Schema compiled;
        try {
            compiled = REGISTRY.getSchema(schema);
        } catch (RuntimeException e) {
            throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema is invalid: " + reason(e));
        }
        for (JsonNode sample : SAMPLES) {
            try {
                compiled.validate(sample);
            } catch (RuntimeException e) {
                throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema cannot be applied: "
                        + reason(e));
            }
        }
        return compiled;
    }

    /**
     * Validation errors of {@code instance} against {@code schema}, as readable messages (empty when valid). A
     * validator failure on this value (one {@link #check} could not foresee) is reported as an error of the value.
     */
    public static List<String> errors(Schema schema, JsonNode instance) {
        List<Error> errors;
        try {
            errors = schema.validate(instance);
        } catch (RuntimeException | StackOverflowError e) {
            return List.of("the JSON schema cannot be applied to it");
        }
        return errors.stream().limit(5).map(Error::getMessage).toList();
    }

    private static List<JsonNode> samples() {
        try {
            return Json.MAPPER.readTree("[null,true,0,-1,1.5,\"\",\"a\",[],[null,1,\"a\"],{},{\"a\":null}]")
                    .valueStream().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String reason(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void walk(JsonNode node, String at, int depth) {
        if (depth > MAX_DEPTH) {
            throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema is nested deeper than " + MAX_DEPTH
                    + " levels.");
        }
        if (node.isDouble() && !Double.isFinite(node.doubleValue())) { // 1e400 reads as an infinite double
            throw ApiError.invalidRequest("invalid_schema", at, "The JSON schema holds a number out of range.");
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
