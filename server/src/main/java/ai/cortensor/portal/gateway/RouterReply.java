package ai.cortensor.portal.gateway;

import ai.cortensor.portal.json.Json;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What the gateway takes from a router's completion (non-streaming body or one stream frame): the text of the
 * first choice, its finish reason and the router-reported usage, if any. Accepts the Cortensor shape
 * ({@code choices[0].text}) and OpenAI chat shapes ({@code message.content} / {@code delta.content}); a choice's
 * {@code text} wins over the others. Read with a streaming parser straight from the bytes: no tree, and every field
 * it does not need is skipped.
 */
record RouterReply(String streamKey, String text, String finishReason, Integer promptTokens,
                   Integer completionTokens) {

    static RouterReply parse(byte[] json) throws IOException {
        return parse(json, 0, json.length);
    }

    static RouterReply parse(byte[] json, int offset, int length) throws IOException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json, offset, length)) {
            return read(p);
        }
    }

    private static RouterReply read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("router reply is not a JSON object");
        }
        String id = null;
        String taskId = null;
        Choice choice = null;
        Integer pt = null;
        Integer ct = null;
        boolean usageSeen = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "id" -> id = scalar(p, t);
                case "task_id" -> taskId = scalar(p, t);
                case "choices" -> choice = t == JsonToken.START_ARRAY ? firstChoice(p) : skip(p, null);
                case "usage" -> {
                    if (t == JsonToken.START_OBJECT) {
                        Integer[] u = usage(p);
                        usageSeen = u[1] != null;
                        pt = usageSeen ? (u[0] == null ? 0 : u[0]) : null;
                        ct = u[1];
                    } else {
                        p.skipChildren();
                        usageSeen = false;
                        pt = null;
                        ct = null;
                    }
                }
                default -> p.skipChildren();
            }
        }
        String key = id != null ? id : taskId;
        return choice == null ? new RouterReply(key, "", null, pt, ct)
                : new RouterReply(key, choice.text(), choice.finish, pt, ct);
    }

    /** The first element of {@code choices} (the rest skipped); null when it is empty or not an object. */
    private static Choice firstChoice(JsonParser p) throws IOException {
        Choice first = null;
        JsonToken t;
        boolean isFirst = true;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("unterminated choices");
            }
            if (isFirst) {
                isFirst = false;
                first = new Choice();
                if (t == JsonToken.START_OBJECT) {
                    first.read(p);
                    continue;
                }
            }
            p.skipChildren();
        }
        return first;
    }

    /** One choice's fields as read; {@link #text()} applies the precedence text → message → delta. */
    private static final class Choice {
        String text;
        String message;
        String delta;
        String finish;

        void read(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "text" -> text = scalar(p, t);
                    case "finish_reason" -> finish = scalar(p, t);
                    case "message" -> message = t == JsonToken.START_OBJECT ? content(p) : skip(p, null);
                    case "delta" -> delta = t == JsonToken.START_OBJECT ? content(p) : skip(p, null);
                    default -> p.skipChildren();
                }
            }
        }

        String text() {
            return text != null ? text : message != null ? message : delta != null ? delta : "";
        }
    }

    /** An object's {@code content} as text (null when absent or null); the object is consumed. */
    private static String content(JsonParser p) throws IOException {
        String content = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals("content")) {
                content = scalar(p, t);
            } else {
                p.skipChildren();
            }
        }
        return content;
    }

    /** {@code [prompt_tokens, completion_tokens]}, each null unless a number in int range. */
    private static Integer[] usage(JsonParser p) throws IOException {
        Integer[] u = new Integer[2];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            int i = name.equals("prompt_tokens") ? 0 : name.equals("completion_tokens") ? 1 : -1;
            if (i >= 0 && (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT)) {
                double v = p.getValueAsDouble();
                u[i] = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (int) v : null;
            } else {
                p.skipChildren();
                if (i >= 0) {
                    u[i] = null;
                }
            }
        }
        return u;
    }

    /** A scalar's text (numbers and booleans as written), "" for an object or array, null for JSON null. */
    private static String scalar(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    }

    private static <T> T skip(JsonParser p, T value) throws IOException {
        p.skipChildren();
        return value;
    }
}
