package ai.cortensor.portal.accounts;

import java.util.Objects;

/**
 * One OpenID Connect provider (Clerk, Supabase Auth, Google, Keycloak …). {@code issuer} is the provider's issuer
 * URL exactly as it appears in its discovery document; {@code displayName} labels the sign-in button.
 */
public record OidcSettings(String issuer, String clientId, String clientSecret, String displayName) {
    public OidcSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(displayName, "displayName");
    }

    /** Never shows the client secret. */
    @Override
    public String toString() {
        return "OidcSettings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=****, displayName="
                + displayName + "]";
    }
}
