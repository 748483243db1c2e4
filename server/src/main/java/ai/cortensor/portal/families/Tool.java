package ai.cortensor.portal.families;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A function tool the client offers. {@code definition} is the whole {@code {"type":"function","function":{...}}}
 * object as the client sent it (key order kept: some templates print it verbatim); {@code parameters} is its JSON
 * schema ({@code {"type":"object","properties":{}}} when absent); {@code description} may be null.
 */
public record Tool(String name, String description, JsonNode parameters, boolean strict, ObjectNode definition) {}
