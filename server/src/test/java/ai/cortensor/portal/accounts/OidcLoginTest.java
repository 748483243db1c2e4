package ai.cortensor.portal.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OidcLoginTest {
    private static final String CLIENT_ID = "portal-client";
    private static final String CLIENT_SECRET = "client-s3cret";
    private static final URI REDIRECT = URI.create("http://127.0.0.1:8080/auth/oidc/callback");

    private final HttpClient browser = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private MockOAuth2Server server;
    private OidcLogin login;
    private String issuer;
    private volatile String forgedIdToken;

    @BeforeEach
    void startProvider() {
        server = new MockOAuth2Server(new ForgedTokenRoute());
        server.start();  // free port
        issuer = server.issuerUrl("default").toString();
        // generous: the mock provider can be slow on a loaded build machine; the production default is 5 s
        login = new OidcLogin(new OidcSettings(issuer, CLIENT_ID, CLIENT_SECRET, "Mock"), Duration.ofSeconds(30));
    }

    @AfterEach
    void stopProvider() {
        server.shutdown();
    }

    @Test
    void full_flow_returns_the_enqueued_identity() throws Exception {
        enqueue("user-42", List.of(CLIENT_ID), Map.of("email", "ada@example.com", "email_verified", true, "name", "Ada"));
        OidcLogin.Pending pending = login.start(REDIRECT);

        assertThat(pending.authorizationUrl().getQuery())
                .contains("code_challenge_method=S256", "state=" + pending.state(), "nonce=" + pending.nonce())
                .contains("scope=openid+email+profile").doesNotContain(pending.codeVerifier());

        OidcLogin.Identity id = login.complete(authorize(pending), pending);

        assertThat(id).isEqualTo(new OidcLogin.Identity(issuer, "user-42", "ada@example.com", true, "Ada"));
        assertThat(login.displayName()).isEqualTo("Mock");
    }

    @Test
    void a_callback_with_another_state_is_rejected() {
        enqueue("user-42", List.of(CLIENT_ID), Map.of("email", "ada@example.com"));
        OidcLogin.Pending mine = login.start(REDIRECT);
        OidcLogin.Pending other = login.start(REDIRECT);
        URI callback = authorize(other);

        assertThatThrownBy(() -> login.complete(callback, mine))
                .isInstanceOf(OidcFailure.class).hasMessage(OidcLogin.STALE);
    }

    @Test
    void access_denied_means_cancelled_in_plain_words() {
        OidcLogin.Pending pending = login.start(REDIRECT);
        URI callback = URI.create(REDIRECT + "?error=access_denied&error_description=User+said+no&state=" + pending.state());

        assertThatThrownBy(() -> login.complete(callback, pending))
                .isInstanceOf(OidcFailure.class).hasMessage("The sign-in was cancelled.");
    }

    @Test
    void an_id_token_for_another_nonce_is_rejected() {
        enqueue("user-42", List.of(CLIENT_ID), Map.of("email", "ada@example.com"));
        OidcLogin.Pending pending = login.start(REDIRECT);
        URI callback = authorize(pending);
        // same state and code verifier, but the nonce the browser session expects differs from the token's
        OidcLogin.Pending foreignNonce = new OidcLogin.Pending(pending.authorizationUrl(), pending.state(),
                login.start(REDIRECT).nonce(), pending.codeVerifier(), pending.redirectUri());

        assertThatThrownBy(() -> login.complete(callback, foreignNonce))
                .isInstanceOf(OidcFailure.class).hasMessage(OidcLogin.UNVERIFIABLE);
    }

    @Test
    void an_id_token_for_another_client_is_rejected() {
        OidcLogin.Pending pending = login.start(REDIRECT);
        URI callback = authorize(pending);
        // properly signed by the provider, but addressed to another client
        answerTokenRequestWith(server.issueToken("default", CLIENT_ID, new DefaultOAuth2TokenCallback("default",
                "user-42", "JWT", List.of("someone-else"), Map.of("nonce", pending.nonce(), "email", "ada@example.com"),
                3600)).serialize());

        assertThatThrownBy(() -> login.complete(callback, pending))
                .isInstanceOf(OidcFailure.class).hasMessage(OidcLogin.UNVERIFIABLE);
    }

    @Test
    void an_id_token_signed_by_someone_else_is_rejected() throws Exception {
        OidcLogin.Pending pending = login.start(REDIRECT);
        URI callback = authorize(pending);
        // right issuer, audience and nonce, and the provider's key id, but signed with another key.
        // (A second MockOAuth2Server would not do: they all sign with the same bundled keys.)
        String kid = server.issueToken().getHeader().getKeyID();
        RSAKey forgerKey = new RSAKeyGenerator(2048).keyID(kid).generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                new JWTClaimsSet.Builder().issuer(issuer).subject("user-42").audience(CLIENT_ID)
                        .claim("nonce", pending.nonce()).claim("email", "ada@example.com")
                        .issueTime(new Date()).expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
        forged.sign(new RSASSASigner(forgerKey));
        answerTokenRequestWith(forged.serialize());

        assertThatThrownBy(() -> login.complete(callback, pending))
                .isInstanceOf(OidcFailure.class).hasMessage(OidcLogin.UNVERIFIABLE);
    }

    @Test
    void an_identity_without_email_is_refused_after_asking_userinfo() {
        enqueue("user-42", List.of(CLIENT_ID), Map.of("name", "Ada"));
        OidcLogin.Pending pending = login.start(REDIRECT);

        assertThatThrownBy(() -> login.complete(authorize(pending), pending))
                .isInstanceOf(OidcFailure.class).hasMessage(OidcLogin.NO_EMAIL);
    }

    @Test
    void an_unreachable_provider_fails_start_in_plain_words() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        OidcLogin nowhere = new OidcLogin(new OidcSettings("http://127.0.0.1:" + closed + "/default",
                CLIENT_ID, CLIENT_SECRET, "Nowhere"));

        assertThatThrownBy(() -> nowhere.start(REDIRECT))
                .isInstanceOf(UncheckedIOException.class).hasMessage(OidcLogin.UNREACHABLE);
    }

    @Test
    void settings_and_pending_never_print_secrets() {
        OidcLogin.Pending pending = login.start(REDIRECT);
        assertThat(new OidcSettings(issuer, CLIENT_ID, CLIENT_SECRET, "Mock").toString())
                .contains(CLIENT_ID).doesNotContain(CLIENT_SECRET);
        assertThat(pending.toString()).doesNotContain(pending.codeVerifier()).doesNotContain(pending.nonce());
    }

    private void enqueue(String subject, List<String> audience, Map<String, Object> claims) {
        server.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", audience, claims, 3600));
    }

    /** From now on the token endpoint answers with this ID token, whatever was asked. */
    private void answerTokenRequestWith(String idToken) {
        forgedIdToken = idToken;
    }

    /** Stands in front of the provider's own token endpoint once a forged ID token is set. */
    private final class ForgedTokenRoute implements Route {
        @Override
        public boolean match(OAuth2HttpRequest request) {
            return forgedIdToken != null && request.getUrl().encodedPath().endsWith("/token");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            String body = "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                    + "\"id_token\":\"" + forgedIdToken + "\"}";
            return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200, body, null);
        }
    }

    /** What the browser does: follow the authorization URL and read where the provider sends it back. */
    private URI authorize(OidcLogin.Pending pending) {
        try {
            HttpResponse<Void> response = browser.send(HttpRequest.newBuilder(pending.authorizationUrl()).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(302);
            URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
            assertThat(location.toString()).startsWith(REDIRECT.toString());
            return location;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
