package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool call in an earlier assistant turn. {@code arguments} is the JSON string of the OpenAI wire format, as
 * sent; {@code parsedArguments} is that string parsed with key order kept ({@code {}} for {@code null} or
 * {@code ""}), or null when it is not valid JSON. Templates render the parsed object, as vLLM does.
 */
public record ToolCall(String id, String name, String arguments, JsonNode parsedArguments) {}
