package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;

/** OpenAI {@code response_format}: free text, any JSON object, or JSON valid against a schema. */
public sealed interface ResponseFormat {
    ResponseFormat TEXT = new Text();
    ResponseFormat JSON_OBJECT = new JsonObject();

    record Text() implements ResponseFormat {}

    record JsonObject() implements ResponseFormat {}

    /** {@code schema} is the client's JSON schema; {@code strict} asks for exact conformance. */
    record JsonSchema(String name, String description, JsonNode schema, boolean strict) implements ResponseFormat {}
}
