package ai.cortensor.portal.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.cortensor.portal.dialects.openai.OpenAiDialect;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client schemas are checked when the request arrives, so applying one to the model's answer can only say whether
 * the answer fits. Each refused shape below once compiled and then failed while validating an answer (a stack
 * overflow, an unresolved reference, a number with no decimal value): a 500 after the model's tokens were spent.
 */
class SchemasTest {
    private static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ApiError refusal(String schema) {
        try {
            Schemas.check(json(schema), "response_format.json_schema.schema");
        } catch (ApiError e) {
            return e;
        }
        throw new AssertionError("accepted: " + schema);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"$ref\":\"#\"}",
        "{\"allOf\":[{\"type\":\"object\"},{\"$ref\":\"#\"}]}",
        "{\"anyOf\":[{\"$ref\":\"#\"},{\"type\":\"string\"}]}",
        "{\"not\":{\"$ref\":\"#\"}}",
        "{\"if\":{\"$ref\":\"#\"}}",
        "{\"dependentSchemas\":{\"x\":{\"$ref\":\"#\"}}}",
        "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"oneOf\":[{\"$ref\":\"#/$defs/a\"}]}},\"$ref\":\"#/$defs/a\"}",
        "{\"$ref\":\"#/properties/x\",\"properties\":{\"x\":{\"$ref\":\"#\"}}}",
        "{\"\":{\"$ref\":\"#/\"},\"$ref\":\"#/\"}",
        "{\"$anchor\":\"me\",\"allOf\":[{\"$ref\":\"#me\"}]}",
        "{\"$dynamicAnchor\":\"a\",\"$dynamicRef\":\"#a\"}",
        "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"definitions\":{\"a\":{\"$ref\":\"#/definitions/a\"}}}"
    })
    void a_schema_that_refers_to_itself_without_moving_into_the_value_is_refused(String schema) {
        ApiError e = refusal(schema);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_schema");
        assertThat(e.param()).isEqualTo("response_format.json_schema.schema");
        assertThat(e.getMessage()).contains("refers to itself without end");
    }

    @Test
    void recursive_schemas_whose_references_move_into_the_value_are_accepted_and_applied() {
        Schema tree = Schemas.check(json("""
                {"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},
                 "required":["name"]}"""), "schema");
        assertThat(Schemas.errors(tree, json("{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[]}]}"))).isEmpty();
        assertThat(Schemas.errors(tree, json("{\"name\":\"a\",\"children\":[{\"children\":[]}]}"))).isNotEmpty();
        Schema list = Schemas.check(json("""
                {"$defs":{"node":{"type":"object","properties":{"next":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/node"}]}}}},
                 "$ref":"#/$defs/node"}"""), "schema");
        assertThat(Schemas.errors(list, json("{\"next\":{\"next\":null}}"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"#/$defs/missing", "#nowhere", "#/$defs/a%", "#/"})
    void a_reference_that_does_not_resolve_is_refused(String ref) {
        ApiError e = refusal("{\"$defs\":{\"a\":{}},\"properties\":{\"x\":{\"$ref\":\"" + ref + "\"}}}");
        assertThat(e.code()).isEqualTo("invalid_schema");
        assertThat(e.getMessage()).contains("'" + ref + "' does not resolve");
    }

    @Test
    void a_number_out_of_the_double_range_is_refused() {
        assertThat(refusal("{\"properties\":{\"x\":{\"const\":1e400}}}").getMessage()).contains("number out of range");
        assertThat(refusal("{\"type\":\"number\",\"maximum\":-1e400}").code()).isEqualTo("invalid_schema");
    }

    @Test
    void a_self_referencing_response_format_is_a_400_when_the_request_arrives() {
        byte[] body = ("{\"model\":\"m\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
                + "\"schema\":{\"$ref\":\"#\"}}},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OpenAiDialect.CHAT.parse(body, RequestFuzzing.CALLER)).isInstanceOfSatisfying(ApiError.class,
                e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_schema");
                    assertThat(e.param()).isEqualTo("response_format.json_schema.schema");
                });
    }
}
