package ai.cortensor.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A feature writes only its own tables (DESIGN §4): every INSERT, UPDATE and DELETE in the server's sources is
 * checked against the table's owner below. A new table gets an owner here; another feature that needs to change it
 * calls the owner's service (or, inside its own transaction, a static helper the owner provides, like AuditLog.append).
 */
class TableOwnershipTest {
    private static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("users", "accounts"), Map.entry("user_identities", "accounts"),
            Map.entry("email_tokens", "accounts"), Map.entry("organizations", "accounts"),
            Map.entry("organization_members", "accounts"), Map.entry("organization_invites", "accounts"),
            Map.entry("operators", "admin"), Map.entry("operator_tokens", "admin"),
            Map.entry("audit_events", "audit"),
            Map.entry("billing_ledger", "billing"), Map.entry("billing_balances", "billing"),
            Map.entry("billing_budgets", "billing"), Map.entry("billing_spend", "billing"),
            Map.entry("billing_holds", "billing"),
            Map.entry("responses", "dialects"),
            Map.entry("api_keys", "keys"),
            Map.entry("notifications", "notifications"), Map.entry("notification_cursors", "notifications"),
            Map.entry("spend_alerts", "notifications"), Map.entry("credit_alert_state", "notifications"),
            Map.entry("webhook_endpoints", "notifications"), Map.entry("webhook_deliveries", "notifications"),
            Map.entry("webhook_attempts", "notifications"),
            Map.entry("plans", "plans"), Map.entry("plan_subscriptions", "plans"),
            Map.entry("account_limit_overrides", "plans"),
            Map.entry("router_pools", "pools"), Map.entry("router_pool_targets", "pools"),
            Map.entry("router_pool_models", "pools"), Map.entry("models", "pools"), Map.entry("pool_load", "pools"),
            Map.entry("browser_sessions", "sessions"),
            Map.entry("usage_events", "usage"), Map.entry("request_logs", "usage"), Map.entry("usage_daily", "usage"));

    /**
     * Writes we keep on purpose, each with its reason. The usage writer stamps {@code api_keys.last_used_at} in the
     * same statement that inserts a batch of usage events: one round trip per batch on the metering path.
     */
    private static final Set<String> EXCEPTIONS = Set.of("usage UPDATE api_keys");

    private static final Pattern WRITE = Pattern.compile("\\b(INSERT INTO|UPDATE|DELETE FROM)\\s+([a-z_]+)\\b");

    @Test
    void every_table_is_written_only_by_the_feature_that_owns_it() throws IOException {
        Path root = Path.of("src/main/java/ai/cortensor/portal");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String feature = root.relativize(file).getName(0).toString();
                Matcher m = WRITE.matcher(Files.readString(file));
                while (m.find()) {
                    String table = m.group(2);
                    String owner = OWNERS.get(table);
                    String write = feature + " " + m.group(1) + " " + table;
                    if (owner == null) {
                        violations.add(file + ": " + m.group(1) + " " + table + " — table has no owner in OWNERS");
                    } else if (!owner.equals(feature) && !EXCEPTIONS.contains(write)) {
                        violations.add(file + ": " + m.group(1) + " " + table + " — owned by " + owner);
                    }
                }
            }
        }
        assertThat(violations).as("writes to another feature's table").isEmpty();
    }

    @Test
    void the_check_sees_writes_in_the_sources() {
        Matcher m = WRITE.matcher("h.createUpdate(\"UPDATE api_keys SET state = 'revoked'\") ... \"FOR UPDATE\"");
        assertThat(m.find()).isTrue();
        assertThat(m.group(2)).isEqualTo("api_keys");
        assertThat(m.find()).isFalse();
    }
}
