package ai.cortensor.portal.accounts;

/**
 * An OpenID Connect sign-in did not produce an identity. The message is plain words meant for the person signing
 * in; it never carries codes, tokens or secrets. The cause, when present, is for the log.
 */
public final class OidcFailure extends Exception {
    public OidcFailure(String message) {
        super(message);
    }

    public OidcFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
