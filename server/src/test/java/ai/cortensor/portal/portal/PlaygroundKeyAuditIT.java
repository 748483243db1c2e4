package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key the playground creates for itself on first use is a key like any other: its creation is in the audit
 * log, by the customer who caused it, once (the second playground request reuses it).
 */
class PlaygroundKeyAuditIT {
    static PortalTestSupport.Running portal;

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start();
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    @Test
    void the_playground_key_created_on_first_use_is_audited_once_as_the_customers_action() {
        PortalHttp player = new PortalHttp(portal.baseUrl()).signUp("player@example.com", PortalTestSupport.PASSWORD);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = player.api("POST", "/portal/api/playground/chat",
                    "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", player.csrf());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        List<Map<String, Object>> keys = portal.jdbi().withHandle(h -> h.createQuery(
                "SELECT k.id, k.public_id FROM api_keys k JOIN users u ON u.id = k.user_id "
                        + "WHERE u.email = 'player@example.com' AND k.name = 'Playground'").mapToMap().list());
        assertThat(keys).hasSize(1);
        String keyId = keys.get(0).get("id").toString();

        List<Map<String, Object>> audit = portal.jdbi().withHandle(h -> h.createQuery(
                "SELECT actor, actor_role, action, reason, after_state::text AS after FROM audit_events "
                        + "WHERE target_type = 'api_key' AND target_id = :id").bind("id", keyId).mapToMap().list());
        assertThat(audit).hasSize(1);
        Map<String, Object> event = audit.get(0);
        assertThat(event.get("action")).isEqualTo("api_key.create");
        assertThat(event.get("actor")).isEqualTo("player@example.com");
        assertThat(event.get("actor_role")).isEqualTo("customer");
        assertThat(event.get("reason").toString()).contains("playground");
        assertThat(event.get("after").toString()).contains("Playground").contains("ctsr_" + keys.get(0).get("public_id"))
                .doesNotContain("secret");
    }
}
