package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sign-in throttling over real HTTP from several client addresses (127.0.0.x all reach the portal): guessing from
 * one address cannot lock the account's owner out at another, and guessing from one address is slowed, for the
 * customer sign-in and the operator console. 127.0.0.9 is configured as a trusted proxy: behind it the address in
 * X-Forwarded-For counts, and nobody else can claim one.
 */
class SignInLockoutIT {
    static final String PROXY = "127.0.0.9";
    static PortalTestSupport.Running portal;
    static String operatorToken;

    @BeforeAll
    static void start() {
        portal = PortalTestSupport.start(Map.of("http.trusted-proxies", PROXY + ", 10.0.0.0/8"));
        operatorToken = new OperatorStore(portal.jdbi(), new SecureRandom())
                .issue("lockout-ops@example.com", Role.ADMIN, Actor.system("test"), "test setup").token();
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    static int signIn(PortalHttp client, String email, String password) {
        return client.post("/signin", Map.of("email", email, "password", password)).statusCode();
    }

    @Test
    void an_attacker_at_one_address_cannot_lock_the_owner_out_at_another() {
        new PortalHttp(portal.baseUrl()).signUp("owner@lockout.example", PortalTestSupport.PASSWORD);
        PortalHttp attacker = PortalHttp.from(portal.baseUrl(), "127.0.0.2");
        for (int i = 0; i < 5; i++) {
            assertThat(signIn(attacker, "owner@lockout.example", "wrong guess " + i)).isEqualTo(401);
        }
        PortalHttp owner = PortalHttp.from(portal.baseUrl(), "127.0.0.1");
        assertThat(signIn(owner, "owner@lockout.example", PortalTestSupport.PASSWORD)).as("the owner elsewhere")
                .isEqualTo(303);

        HttpResponse<String> locked = attacker.post("/signin", Map.of("email", "owner@lockout.example",
                "password", PortalTestSupport.PASSWORD));
        assertThat(locked.statusCode()).as("the attacker's address, even with the right password").isEqualTo(429);
        assertThat(locked.body()).containsPattern("Too many failed sign-ins from your network\\. Try again in "
                + "(15 min|14 min \\d+ s), or reset your password\\.");
        assertThat(locked.headers().firstValue("retry-after")).hasValueSatisfying(s ->
                assertThat(Long.parseLong(s)).isBetween(890L, 900L));
    }

    @Test
    void guessing_from_one_address_is_slowed_whatever_the_accounts() {
        PortalHttp guesser = PortalHttp.from(portal.baseUrl(), "127.0.0.3");
        for (int i = 0; i < 10; i++) {
            assertThat(signIn(guesser, "victim" + i + "@spray.example", "Summer2026!")).as("guess %d", i)
                    .isEqualTo(401);
        }
        HttpResponse<String> slowed = guesser.post("/signin", Map.of("email", "victim10@spray.example",
                "password", "Summer2026!"));
        assertThat(slowed.statusCode()).as("the 11th guess right after the 10th").isEqualTo(429);
        assertThat(slowed.headers().firstValue("retry-after")).hasValue("1");
        assertThat(signIn(PortalHttp.from(portal.baseUrl(), "127.0.0.1"), "victim10@spray.example", "Summer2026!"))
                .as("another address").isEqualTo(401);
    }

    @Test
    void an_operator_token_guesser_is_slowed_and_cannot_lock_out_the_operator_elsewhere() {
        PortalHttp guesser = PortalHttp.from(portal.baseUrl(), "127.0.0.4");
        String publicId = operatorToken.substring(0, operatorToken.lastIndexOf('_'));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = OperatorConsoleAccessIT.form(guesser, "/admin/signin",
                    Map.of("token", publicId + "_" + "x".repeat(39) + i));
            assertThat(r.statusCode()).as("guess %d at the operator's token", i).isEqualTo(401);
        }
        HttpResponse<String> locked = OperatorConsoleAccessIT.form(guesser, "/admin/signin",
                Map.of("token", operatorToken));
        assertThat(locked.statusCode()).as("even the right token, unchecked").isEqualTo(429);
        assertThat(locked.body()).contains("Too many failed sign-ins from your network.");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = OperatorConsoleAccessIT.form(guesser, "/admin/signin",
                    Map.of("token", "ctop_guess000000" + i + "_" + "y".repeat(40)));
            assertThat(r.statusCode()).as("guess %d at another token", i).isEqualTo(401);
        }
        HttpResponse<String> slowed = OperatorConsoleAccessIT.form(guesser, "/admin/signin",
                Map.of("token", "ctop_guess0000009_" + "y".repeat(40)));
        assertThat(slowed.statusCode()).as("the 11th guess from the address").isEqualTo(429);
        assertThat(slowed.headers().firstValue("retry-after")).hasValue("1");

        HttpResponse<String> operator = OperatorConsoleAccessIT.form(PortalHttp.from(portal.baseUrl(), "127.0.0.1"),
                "/admin/signin", Map.of("token", operatorToken, "next", "/admin"));
        assertThat(operator.statusCode()).as("the operator at their own address").isEqualTo(303);
    }

    @Test
    void behind_a_trusted_proxy_the_forwarded_address_counts_and_elsewhere_it_is_ignored() {
        new PortalHttp(portal.baseUrl()).signUp("proxied@lockout.example", PortalTestSupport.PASSWORD);
        PortalHttp attacker = PortalHttp.from(portal.baseUrl(), PROXY).header("X-Forwarded-For", "198.51.100.66");
        for (int i = 0; i < 5; i++) {
            assertThat(signIn(attacker, "proxied@lockout.example", "wrong guess " + i)).isEqualTo(401);
        }
        assertThat(signIn(attacker, "proxied@lockout.example", PortalTestSupport.PASSWORD)).isEqualTo(429);

        // the same proxy, another client (its own claim left of it is not believed; the proxy's entry is)
        PortalHttp owner = PortalHttp.from(portal.baseUrl(), PROXY)
                .header("X-Forwarded-For", "198.51.100.66, 203.0.113.7, 10.1.2.3");
        assertThat(signIn(owner, "proxied@lockout.example", PortalTestSupport.PASSWORD)).isEqualTo(303);
        assertThat(portal.count("SELECT count(*) FROM browser_sessions s JOIN users u ON u.id = s.user_id "
                + "WHERE u.email = 'proxied@lockout.example' AND s.client_addr = '203.0.113.7'")).isEqualTo(1);

        // not from the proxy: the header is the client's own claim and is ignored
        PortalHttp spoofer = PortalHttp.from(portal.baseUrl(), "127.0.0.6").header("X-Forwarded-For", "203.0.113.8");
        assertThat(signIn(spoofer, "proxied@lockout.example", PortalTestSupport.PASSWORD)).isEqualTo(303);
        assertThat(portal.count("SELECT count(*) FROM browser_sessions WHERE client_addr = '127.0.0.6'")).isEqualTo(1);
        assertThat(portal.count("SELECT count(*) FROM browser_sessions WHERE client_addr = '203.0.113.8'")).isZero();
    }
}
