package ai.cortensor.portal.dialects.openai;

import static ai.cortensor.portal.gateway.Fields.absent;
import static ai.cortensor.portal.gateway.Fields.integer;
import static ai.cortensor.portal.gateway.Fields.number;
import static ai.cortensor.portal.gateway.Fields.typeError;
import static ai.cortensor.portal.gateway.Fields.unsupported;

import ai.cortensor.portal.families.Conversation;
import ai.cortensor.portal.gateway.Fields;
import ai.cortensor.portal.gateway.InferenceRequest;
import ai.cortensor.portal.web.ApiError;
import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Parses and validates an OpenAI Chat Completions or Completions body. Nothing is silently ignored: every top-level
 * field is either read (the {@code *_FIELDS} sets), accepted only at its no-op value ({@link #REFUSED}: e.g.
 * {@code logprobs: false}, {@code n: 1}) or refused with a 400 that names it, {@code unsupported_parameter} for
 * OpenAI fields this gateway cannot honour and {@code unknown_parameter} for anything else, as OpenAI does.
 * docs/api.md lists every field.
 */
final class RequestParser {
    private static final Set<String> COMMON = Set.of("model", "stream", "stream_options", "max_tokens", "temperature",
            "top_p", "top_k", "presence_penalty", "frequency_penalty", "stop", "user", "n");
    private static final Set<String> CHAT_FIELDS = Set.of("messages", "max_completion_tokens", "tools", "tool_choice",
            "parallel_tool_calls", "response_format", "reasoning_effort", "chat_template_kwargs", "safety_identifier");
    private static final Set<String> TEXT_FIELDS = Set.of("prompt");
    private static final Set<String> TEXT_ONLY = Set.of("best_of", "echo", "suffix");

    /** A field accepted only at a value that changes nothing, and what to tell a client that sends another one. */
    private record Refusal(Predicate<JsonNode> noOp, String message) {}

    private static final Predicate<JsonNode> FALSE = v -> v.isBoolean() && !v.asBoolean();
    private static final Predicate<JsonNode> EMPTY = v -> v.isContainerNode() && v.isEmpty();
    private static final Predicate<JsonNode> NEVER = v -> false;

    private static final Map<String, Refusal> REFUSED = Map.ofEntries(
            Map.entry("logprobs", new Refusal(FALSE.or(v -> v.isInt() && v.asInt() == 0),
                    "Log probabilities are not available from the routers.")),
            Map.entry("top_logprobs", new Refusal(v -> v.isInt() && v.asInt() == 0,
                    "Log probabilities are not available from the routers.")),
            Map.entry("logit_bias", new Refusal(EMPTY, "'logit_bias' is not supported by the routers.")),
            Map.entry("seed", new Refusal(NEVER, "'seed' is not supported: the routers do not offer reproducible "
                    + "sampling.")),
            Map.entry("audio", new Refusal(NEVER, "Audio output is not supported.")),
            Map.entry("modalities", new Refusal(v -> v.isArray() && v.size() == 1 && "text".equals(v.get(0).asText()),
                    "Only the 'text' modality is supported.")),
            Map.entry("prediction", new Refusal(NEVER, "Predicted outputs are not supported.")),
            Map.entry("web_search_options", new Refusal(NEVER, "Web search is not supported.")),
            Map.entry("verbosity", new Refusal(NEVER, "'verbosity' is not supported; say how long the answer should "
                    + "be in the prompt.")),
            Map.entry("store", new Refusal(FALSE, "Stored chat completions are not supported.")),
            Map.entry("metadata", new Refusal(EMPTY, "'metadata' is only used with stored completions, which are not "
                    + "supported.")),
            Map.entry("service_tier", new Refusal(v -> v.isTextual() && Set.of("auto", "default").contains(v.asText()),
                    "Only the 'auto' and 'default' service tiers exist here.")),
            Map.entry("prompt_cache_key", new Refusal(NEVER, "Prompt caching is not supported.")),
            Map.entry("prompt_cache_retention", new Refusal(NEVER, "Prompt caching is not supported.")),
            Map.entry("functions", new Refusal(NEVER, "'functions' is deprecated; send 'tools' instead.")),
            Map.entry("function_call", new Refusal(NEVER, "'function_call' is deprecated; send 'tool_choice' instead.")),
            Map.entry("best_of", new Refusal(v -> v.isInt() && v.asInt() == 1, "Only best_of=1 is supported.")),
            Map.entry("echo", new Refusal(FALSE, "'echo' is not supported.")),
            Map.entry("suffix", new Refusal(NEVER, "'suffix' (insertion) is not supported.")));

    private RequestParser() {}

    static OpenAiExchange parse(Route route, byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidRequest("invalid_json",
                    null, "We could not parse the JSON body of your request: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalidRequest("invalid_json", null, "We could not read the body of your request.");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalidRequest("invalid_json", null, "The request body must be a JSON object.");
        }
        checkFields(route, root);
        String model = Fields.requiredString(root, "model", "model");
        Conversation conversation = null;
        String prompt = null;
        if (route == Route.CHAT) {
            conversation = ChatParser.conversation(root);
        } else {
            prompt = prompt(root);
        }
        boolean stream = Fields.bool(root, "stream", "stream", false);
        boolean includeUsage = streamOptions(root.get("stream_options"));
        Integer maxTokens = route == Route.CHAT ? integer(root, "max_completion_tokens", 1, Integer.MAX_VALUE) : null;
        if (maxTokens == null) {
            maxTokens = integer(root, "max_tokens", 1, Integer.MAX_VALUE);
        }
        Integer n = integer(root, "n", 1, 128);
        if (n != null && n != 1) {
            throw unsupported("n", "Only n=1 is supported.");
        }
        String user = Fields.optionalString(root, "user", "user");
        String safety = Fields.optionalString(root, "safety_identifier", "safety_identifier");
        String endUser = safety != null ? safety : user;
        if (endUser != null && endUser.length() > 256) {
            throw Fields.invalid(safety != null ? "safety_identifier" : "user", "The end-user id is longer than 256 "
                    + "characters.");
        }
        InferenceRequest.Sampling sampling = new InferenceRequest.Sampling(number(root, "temperature", 0, 2),
                number(root, "top_p", 0, 1), integer(root, "top_k", 0, Integer.MAX_VALUE),
                number(root, "presence_penalty", -2, 2), number(root, "frequency_penalty", -2, 2), stop(root));
        String maxTokensParam = route == Route.CHAT && root.has("max_completion_tokens") ? "max_completion_tokens"
                : "max_tokens";
        return new OpenAiExchange(route, new InferenceRequest(model, conversation, prompt, stream, maxTokens, sampling,
                maxTokensParam, route == Route.CHAT ? "messages" : "prompt"), includeUsage);
    }

    private static void checkFields(Route route, JsonNode root) {
        Set<String> own = route == Route.CHAT ? CHAT_FIELDS : TEXT_FIELDS;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String f = e.getKey();
            if (COMMON.contains(f) || own.contains(f)) {
                continue;
            }
            Refusal r = REFUSED.get(f);
            if (r == null || (route == Route.CHAT && TEXT_ONLY.contains(f))) {
                throw Fields.unknown(f);
            }
            if (!absent(e.getValue()) && !r.noOp().test(e.getValue())) {
                throw unsupported(f, r.message());
            }
        }
    }

    private static boolean streamOptions(JsonNode opts) {
        if (absent(opts)) {
            return false;
        }
        if (!opts.isObject()) {
            throw typeError("stream_options", "an object");
        }
        for (Iterator<String> it = opts.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equals("include_obfuscation")) {
                if (Fields.bool(opts, f, "stream_options.include_obfuscation", false)) {
                    throw unsupported("stream_options.include_obfuscation", "Stream obfuscation is not supported.");
                }
            } else if (!f.equals("include_usage")) {
                throw Fields.unknown("stream_options." + f);
            }
        }
        return Fields.bool(opts, "include_usage", "stream_options.include_usage", false);
    }

    private static String prompt(JsonNode root) {
        JsonNode p = root.get("prompt");
        if (absent(p)) {
            throw Fields.missing("prompt");
        }
        if (p.isTextual()) {
            return p.asText();
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            return p.get(0).asText();
        }
        if (p.isArray()) {
            throw unsupported("prompt", "'prompt' must be a string or an array of exactly one string.");
        }
        throw typeError("prompt", "a string");
    }

    private static List<String> stop(JsonNode root) {
        JsonNode s = root.get("stop");
        if (absent(s)) {
            return null;
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (!s.isArray() || s.size() > 4) {
            throw ApiError.invalidRequest("invalid_type", "stop", "'stop' must be a string or an array of up to 4 strings.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : s) {
            if (!x.isTextual()) {
                throw typeError("stop", "a string or an array of strings");
            }
            out.add(x.asText());
        }
        return out;
    }
}
