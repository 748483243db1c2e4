package ai.cortensor.portal.accounts;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCScopeValue;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.ClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in with one OpenID Connect provider: authorization code flow with PKCE (S256), state and nonce, scopes
 * {@code openid email profile}. Thread-safe. The provider's discovery document is fetched on first use and kept
 * (a failed fetch is retried on the next use); its signing keys are cached and refreshed by Nimbus, also when a
 * token names an unknown key, so key rotation needs no restart. Every HTTP call (connect, and read) is bounded by 5 s.
 */
public final class OidcLogin {
    private static final Logger log = LoggerFactory.getLogger(OidcLogin.class);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final int JWKS_SIZE_LIMIT = 512 * 1024;
    private static final Scope SCOPE = new Scope(OIDCScopeValue.OPENID, OIDCScopeValue.EMAIL, OIDCScopeValue.PROFILE);

    static final String CANCELLED = "The sign-in was cancelled.";
    static final String REFUSED = "The identity provider did not allow the sign-in.";
    static final String STALE = "This sign-in attempt has expired or was started in another browser. Please try again.";
    static final String MALFORMED = "The identity provider's answer was incomplete. Please try again.";
    static final String UNVERIFIABLE = "The identity provider's answer could not be verified.";
    static final String UNREACHABLE = "The identity provider could not be reached. Please try again later.";
    static final String NO_EMAIL = "The identity provider did not share your email address, which is needed to sign in.";

    private final OidcSettings settings;
    private final ClientID clientId;
    private final int timeoutMillis;
    private volatile Provider provider;

    /** What discovery yields; {@code secretInBody} selects client_secret_post over client_secret_basic. */
    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator, boolean secretInBody) {}

    /** Where to send the browser, and what must be kept server side (keyed by {@code state}) until the callback. */
    public record Pending(URI authorizationUrl, String state, String nonce, String codeVerifier, URI redirectUri) {
        @Override
        public String toString() {
            return "Pending[state=" + state + ", redirectUri=" + redirectUri + ", nonce=****, codeVerifier=****]";
        }
    }

    /** A verified identity. {@code email} is never null; {@code name} may be. */
    public record Identity(String issuer, String subject, String email, boolean emailVerified, String name) {}

    public OidcLogin(OidcSettings settings) {
        this(settings, HTTP_TIMEOUT);
    }

    /** For tests on loaded machines, where a local mock provider may take longer than a real one. */
    OidcLogin(OidcSettings settings, Duration httpTimeout) {
        this.settings = settings;
        this.clientId = new ClientID(settings.clientId());
        this.timeoutMillis = Math.toIntExact(httpTimeout.toMillis());
    }

    public String displayName() {
        return settings.displayName();
    }

    /**
     * Where to send the browser; the returned Pending must be kept (server side, keyed by state) until the callback.
     *
     * @throws UncheckedIOException with a plain message when the provider's discovery document cannot be fetched
     */
    public Pending start(URI redirectUri) {
        Provider p;
        try {
            p = provider();
        } catch (IOException e) {
            throw new UncheckedIOException(UNREACHABLE, e);
        }
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI url = new AuthenticationRequest.Builder(ResponseType.CODE, SCOPE, clientId, redirectUri)
                .endpointURI(p.metadata().getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build()
                .toURI();
        return new Pending(url, state.getValue(), nonce.getValue(), verifier.getValue(), redirectUri);
    }

    /**
     * Completes the flow from the callback URL's query (code + state, or error). Validates state, exchanges the code
     * at the token endpoint, validates the ID token (signature via the provider's JWKS, issuer, audience, expiry,
     * nonce). Email and name come from the ID token, or from UserInfo when the ID token has no email.
     */
    public Identity complete(URI callbackUri, Pending pending) throws OidcFailure {
        AuthenticationResponse response;
        try {
            response = AuthenticationResponseParser.parse(callbackUri);
        } catch (ParseException e) {
            throw new OidcFailure(MALFORMED);
        }
        if (response.getState() == null || !constantTimeEquals(response.getState().getValue(), pending.state())) {
            throw new OidcFailure(STALE);
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = response.toErrorResponse().getErrorObject();
            if (OAuth2Error.ACCESS_DENIED.equals(error)) {
                throw new OidcFailure(CANCELLED);
            }
            log.warn("{} refused a sign-in: {}", settings.displayName(), error.getCode());
            throw new OidcFailure(REFUSED);
        }
        Provider p;
        try {
            p = provider();
        } catch (IOException e) {
            throw new OidcFailure(UNREACHABLE, e);
        }
        // RFC 9207: when the provider names itself in the callback, it must be the one we sent the browser to.
        if (response.getIssuer() != null && !response.getIssuer().equals(p.metadata().getIssuer())) {
            log.warn("Sign-in callback for {} names another issuer: {}", settings.displayName(), response.getIssuer());
            throw new OidcFailure(UNVERIFIABLE);
        }
        AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();
        if (code == null) {
            throw new OidcFailure(MALFORMED);
        }
        OIDCTokens tokens = exchange(p, code, pending);
        IDTokenClaimsSet claims;
        try {
            claims = p.validator().validate(tokens.getIDToken(), new Nonce(pending.nonce()));
        } catch (BadJOSEException | JOSEException e) {
            log.warn("ID token from {} rejected: {}", settings.displayName(), e.getMessage());
            throw new OidcFailure(UNVERIFIABLE, e);
        }
        return identity(p, claims, tokens.getBearerAccessToken());
    }

    private OIDCTokens exchange(Provider p, AuthorizationCode code, Pending pending) throws OidcFailure {
        Secret secret = new Secret(settings.clientSecret());
        ClientAuthentication auth = p.secretInBody()
                ? new ClientSecretPost(clientId, secret) : new ClientSecretBasic(clientId, secret);
        var grant = new AuthorizationCodeGrant(code, pending.redirectUri(), new CodeVerifier(pending.codeVerifier()));
        TokenResponse response;
        try {
            response = OIDCTokenResponseParser.parse(send(new TokenRequest.Builder(
                    p.metadata().getTokenEndpointURI(), auth, grant).build().toHTTPRequest()));
        } catch (IOException e) {
            throw new OidcFailure(UNREACHABLE, e);
        } catch (ParseException e) {
            log.warn("Token response from {} unusable: {}", settings.displayName(), e.getMessage());
            throw new OidcFailure(UNVERIFIABLE);  // no cause: a parse error may quote the response, which holds tokens
        }
        if (!response.indicatesSuccess()) {
            log.warn("Token endpoint of {} refused the code: {}", settings.displayName(),
                    response.toErrorResponse().getErrorObject().getCode());
            throw new OidcFailure(REFUSED);
        }
        if (!(response.toSuccessResponse() instanceof OIDCTokenResponse oidc)
                || oidc.getOIDCTokens().getIDToken() == null) {
            throw new OidcFailure(UNVERIFIABLE);
        }
        return oidc.getOIDCTokens();
    }

    private Identity identity(Provider p, IDTokenClaimsSet claims, BearerAccessToken accessToken) throws OidcFailure {
        ClaimsSet source = claims;
        URI userInfoEndpoint = p.metadata().getUserInfoEndpointURI();
        if (claims.getStringClaim("email") == null && userInfoEndpoint != null && accessToken != null) {
            UserInfo info = userInfo(userInfoEndpoint, accessToken);
            // OIDC Core 5.3.2: UserInfo about anyone but the ID token's subject must not be used.
            if (info != null && info.getSubject().equals(claims.getSubject())) {
                source = info;
            } else if (info != null) {
                log.warn("UserInfo from {} is about another subject", settings.displayName());
                throw new OidcFailure(UNVERIFIABLE);
            }
        }
        String email = source.getStringClaim("email");
        if (email == null || email.isBlank()) {
            throw new OidcFailure(NO_EMAIL);
        }
        String name = claims.getStringClaim("name") != null ? claims.getStringClaim("name") : source.getStringClaim("name");
        Object verified = source.getClaim("email_verified");  // some providers send the string "true"
        boolean emailVerified = Boolean.TRUE.equals(verified) || "true".equals(verified);
        return new Identity(claims.getIssuer().getValue(), claims.getSubject().getValue(), email, emailVerified, name);
    }

    /** The UserInfo claims, or null when the provider answers with a signed JWT (not supported: email stays unknown). */
    private UserInfo userInfo(URI endpoint, BearerAccessToken accessToken) throws OidcFailure {
        UserInfoResponse response;
        try {
            response = UserInfoResponse.parse(send(new UserInfoRequest(endpoint, accessToken).toHTTPRequest()));
        } catch (IOException e) {
            throw new OidcFailure(UNREACHABLE, e);
        } catch (ParseException e) {
            log.warn("UserInfo response from {} unusable: {}", settings.displayName(), e.getMessage());
            throw new OidcFailure(UNVERIFIABLE);
        }
        if (!response.indicatesSuccess()) {
            log.warn("UserInfo endpoint of {} refused: {}", settings.displayName(),
                    response.toErrorResponse().getErrorObject().getCode());
            throw new OidcFailure(REFUSED);
        }
        return response.toSuccessResponse().getUserInfo();
    }

    private HTTPResponse send(HTTPRequest request) throws IOException {
        request.setConnectTimeout(timeoutMillis);
        request.setReadTimeout(timeoutMillis);
        return request.send();
    }

    private Provider provider() throws IOException {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (provider == null) {
                provider = discover();
            }
            return provider;
        }
    }

    private Provider discover() throws IOException {
        OIDCProviderMetadata m;
        try {
            // Nimbus checks that the document's issuer equals the configured one.
            m = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), timeoutMillis, timeoutMillis);
        } catch (GeneralException e) {
            throw new IOException("Unusable discovery document at " + settings.issuer() + ": " + e.getMessage(), e);
        }
        if (m.getAuthorizationEndpointURI() == null || m.getTokenEndpointURI() == null || m.getJWKSetURI() == null) {
            throw new IOException("Discovery document at " + settings.issuer() + " lacks an endpoint or JWKS URI");
        }
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(m.getJWKSetURI().toURL(),
                new DefaultResourceRetriever(timeoutMillis, timeoutMillis, JWKS_SIZE_LIMIT)).build();
        var validator = new IDTokenValidator(m.getIssuer(), clientId,
                new JWSVerificationKeySelector<>(signingAlgorithms(m), keys), null);
        List<ClientAuthenticationMethod> methods = m.getTokenEndpointAuthMethods();
        boolean secretInBody = methods != null && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST);
        return new Provider(m, validator, secretInBody);
    }

    /** Asymmetric algorithms the provider signs ID tokens with; RS256 (mandatory to support) when it lists none. */
    private static Set<JWSAlgorithm> signingAlgorithms(OIDCProviderMetadata m) {
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        if (m.getIDTokenJWSAlgs() != null) {
            m.getIDTokenJWSAlgs().stream().filter(JWSAlgorithm.Family.SIGNATURE::contains).forEach(algorithms::add);
        }
        if (algorithms.isEmpty()) {
            algorithms.add(JWSAlgorithm.RS256);
        }
        return algorithms;
    }

    private static boolean constantTimeEquals(String a, String b) {
        return b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
