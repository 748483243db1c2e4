package ai.cortensor.routersim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The output syntax of each family, as in the reference outputs ({@code outputs/*.json} of the chat-template
 * vectors). Only for {@link Family#QWEN}, {@link Family#HARMONY} and {@link Family#GEMMA}.
 * <ul>
 *   <li>qwen: reasoning {@code <think>\nR\n</think>\n\n}; answer bare; call
 *       {@code <tool_call>\n{"name": "N", "arguments": A}\n</tool_call>}, calls separated by a newline, arguments
 *       with Python's {@code json.dumps} separators; stop {@code <|im_end|>}.</li>
 *   <li>harmony: reasoning {@code <|channel|>analysis<|message|>R<|end|><|start|>assistant}; answer
 *       {@code <|channel|>final<|message|>TEXT}; call
 *       {@code <|channel|>commentary to=functions.N <|constrain|>json<|message|>A} with compact JSON, one per
 *       completion (its stop token ends generation); stop {@code <|return|>} after an answer, {@code <|call|>}
 *       after a call.</li>
 *   <li>gemma: reasoning {@code <|channel>thought\nR<channel|>}; answer bare; call
 *       {@code <|tool_call>call:N{k:<|"|>v<|"|>}<tool_call|>} ({@link GemmaValues}), calls back to back; stop
 *       {@code <turn|>} after an answer, {@code <|tool_response>} after calls.</li>
 * </ul>
 */
final class FamilySyntax {

    /** One call: {@code args} is a JSON object. */
    record Call(String name, JsonNode args) {
    }

    private final Family family;

    FamilySyntax(Family family) {
        if (family == Family.PLAIN) {
            throw new IllegalArgumentException("plain prompts have no output syntax");
        }
        this.family = family;
    }

    /** A reasoning block holding {@code text}; for {@link PromptView.Thinking#CONTINUE} only its rest. */
    String reasoning(String text, PromptView.Thinking thinking) {
        boolean open = thinking != PromptView.Thinking.CONTINUE;
        return switch (family) {
            case QWEN -> (open ? "<think>\n" : "") + text + "\n</think>\n\n";
            case HARMONY -> (open ? "<|channel|>analysis<|message|>" : "") + text + "<|end|><|start|>assistant";
            default -> (open ? GemmaPrompt.THOUGHT : "") + text + "<channel|>";
        };
    }

    /** The user-visible answer. */
    String answer(String text) {
        return family == Family.HARMONY ? "<|channel|>final<|message|>" + text : text;
    }

    /** The calls as the model writes them unprompted (harmony: the first one only). */
    String calls(List<Call> calls) {
        StringBuilder sb = new StringBuilder();
        for (Call c : calls) {
            switch (family) {
                case QWEN -> sb.append(sb.isEmpty() ? "" : "\n").append("<tool_call>\n{\"name\": ")
                        .append(quoted(c.name)).append(", \"arguments\": ").append(JsonText.python(c.args))
                        .append("}\n</tool_call>");
                case HARMONY -> {
                    return "<|channel|>commentary to=functions." + c.name + " <|constrain|>json<|message|>"
                            + JsonText.compact(c.args);
                }
                default -> sb.append("<|tool_call>call:").append(c.name).append(GemmaValues.write(c.args))
                        .append("<tool_call|>");
            }
        }
        return sb.toString();
    }

    /**
     * The rest of a call whose start the prompt prefilled: after the opening of the arguments when the prefill
     * names the function, else after the qwen {@code "name": "} / harmony {@code to=functions.} / gemma {@code call:}.
     */
    String continuation(boolean nameGiven, Call c) {
        return switch (family) {
            case QWEN -> (nameGiven ? "" : FastApiReplies.escape(c.name) + "\", \"arguments\": ")
                    + JsonText.python(c.args) + "}\n</tool_call>";
            case HARMONY -> (nameGiven ? "" : c.name + " <|constrain|>json<|message|>") + JsonText.compact(c.args);
            default -> {
                String args = GemmaValues.write(c.args);
                yield (nameGiven ? args.substring(1) : c.name + args) + "<tool_call|>";
            }
        };
    }

    /** The token that ends the completion. */
    String stop(boolean afterCall) {
        return switch (family) {
            case QWEN -> "<|im_end|>";
            case HARMONY -> afterCall ? "<|call|>" : "<|return|>";
            default -> afterCall ? "<|tool_response>" : "<turn|>";
        };
    }

    /** True when the stop token is the family's default to show (harmony's tell an answer from a call). */
    boolean stopShownByDefault() {
        return family == Family.HARMONY;
    }

    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder();
        JsonText.string(s, sb);
        return sb.toString();
    }
}
