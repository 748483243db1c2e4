package ai.cortensor.portal.admin;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One page of a list, newest first. {@code nextCursor} is opaque to clients (pass it back as {@code cursor});
 * null on the last page.
 */
public record Page<T>(List<T> data, String nextCursor) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ActionRefused.invalid("invalid_cursor", "The cursor is not one this server returned.");
        }
    }

    /** A cursor that names a row id (keys, audit entries). */
    static long decodeId(String cursor) {
        try {
            return Long.parseLong(decode(cursor));
        } catch (NumberFormatException e) {
            throw ActionRefused.invalid("invalid_cursor", "The cursor is not one this server returned.");
        }
    }

    /** A page from {@code limit + 1} fetched rows: the extra row only says there is a next page. */
    static <T> Page<T> of(List<T> rows, int limit, java.util.function.Function<T, String> position) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> data = rows.subList(0, limit);
        return new Page<>(List.copyOf(data), encode(position.apply(data.get(limit - 1))));
    }

    static int limit(Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > MAX_LIMIT) {
            throw ActionRefused.invalid("invalid_limit", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        return requested;
    }
}
