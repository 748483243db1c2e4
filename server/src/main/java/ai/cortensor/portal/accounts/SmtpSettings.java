package ai.cortensor.portal.accounts;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to submit mail. {@code username} null means the server takes mail without authentication;
 * {@code startTls} true makes STARTTLS mandatory (no silent fallback to plain text). {@code timeout} bounds
 * connecting and each read and write.
 */
public record SmtpSettings(String host, int port, String username, String password, String from, boolean startTls,
        Duration timeout) {

    public SmtpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(timeout, "timeout");
        if (host.isBlank()) {
            throw new IllegalArgumentException("SMTP host is blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("SMTP port out of range: " + port);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SMTP timeout must be positive: " + timeout);
        }
    }

    /** Never shows the password, only whether one is set. */
    @Override
    public String toString() {
        return "SmtpSettings[host=" + host + ", port=" + port + ", username=" + username
                + ", password=" + (password == null ? "null" : "****") + ", from=" + from
                + ", startTls=" + startTls + ", timeout=" + timeout + "]";
    }
}
