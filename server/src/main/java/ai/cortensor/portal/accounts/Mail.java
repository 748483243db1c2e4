package ai.cortensor.portal.accounts;

import java.util.Objects;

/** One plain-text mail to one recipient. The text goes out unchanged (UTF-8), so links in it stay intact. */
public record Mail(String to, String subject, String text) {
    public Mail {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
    }
}
