package ai.cortensor.portal.accounts;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.util.Locale;
import java.util.Set;

/** Password hashing with argon2id (OWASP parameters: 19 MiB, 2 iterations, 1 lane) and the strength rules. */
public final class Passwords {
    static final int MIN_LENGTH = 10;
    static final int MAX_LENGTH = 256;
    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);
    private static final Set<String> COMMON = Set.of("password123", "1234567890", "qwertyuiop", "password1234",
            "letmein1234", "iloveyou123", "administrator", "welcome1234", "passw0rd123", "0123456789");

    private Passwords() {}

    public static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }

    public static boolean matches(String password, String hash) {
        return hash != null && password != null && Password.check(password, hash).with(ARGON2);
    }

    /** Why a new password is not acceptable, in plain words; null when it is fine. */
    public static String weakness(String password, String email) {
        if (password == null || password.length() < MIN_LENGTH) {
            return "Use at least " + MIN_LENGTH + " characters.";
        }
        if (password.length() > MAX_LENGTH) {
            return "Use at most " + MAX_LENGTH + " characters.";
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (COMMON.contains(lower) || lower.chars().distinct().count() < 4) {
            return "This password is too easy to guess.";
        }
        if (email != null && lower.contains(email.toLowerCase(Locale.ROOT).split("@")[0]) && email.indexOf('@') > 3) {
            return "Don't use your email address in your password.";
        }
        return null;
    }
}
