package ai.cortensor.portal.accounts;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Account lifecycle: sign-up with email and password, email verification, password reset and change, sign-in
 * with an identity provider ({@link Organizations} has organizations and invitations). Form mistakes are
 * {@link FormError}s; nothing is half created. Links in mails point at {@code publicUrl}.
 */
public final class Accounts {
    private static final Logger log = LoggerFactory.getLogger(Accounts.class);
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");
    static final Duration VERIFY_TTL = Duration.ofDays(2);
    static final Duration RESET_TTL = Duration.ofHours(1);

    private final AccountStore store;
    private final Mailer mailer;
    private final OneTimeTokens tokens;
    private final InstantSource clock;
    private final Supplier<String> publicUrl;
    private final SignOuts signOuts;
    private final OrganizationStore orgs;

    /**
     * What signing a user out everywhere means beyond this feature's tables: their browser sessions and their
     * personal API keys belong to other features, which the composition root wires in.
     */
    public interface SignOuts {
        void endSessions(long userId);

        void revokePersonalKeys(long userId, String reason);
    }

    public Accounts(AccountStore store, OrganizationStore orgs, Mailer mailer, OneTimeTokens tokens,
                    InstantSource clock, Supplier<String> publicUrl, SignOuts signOuts) {
        this.signOuts = signOuts;
        this.orgs = orgs;
        this.store = store;
        this.mailer = mailer;
        this.tokens = tokens;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    public User signUp(String email, String password) {
        String normalized = normalizeEmail(email);
        String weak = Passwords.weakness(password, normalized);
        if (weak != null) {
            throw new FormError("password", weak);
        }
        long id = store.createUser(normalized, null, Passwords.hash(password), false)
                .orElseThrow(() -> new FormError("email", "An account with this email already exists. Sign in instead."));
        sendVerification(id, normalized);
        return store.find(id).orElseThrow();
    }

    /** The user when the password matches; empty otherwise (the caller throttles and words the refusal). */
    public Optional<User> checkPassword(String email, String password) {
        Optional<User> user = store.findByEmail(email == null ? "" : email.trim());
        if (user.isEmpty()) {
            Passwords.matches(password, DUMMY_HASH); // same work whether or not the email exists
            return Optional.empty();
        }
        return Passwords.matches(password, user.get().passwordHash()) ? user : Optional.empty();
    }

    private static final String DUMMY_HASH = Passwords.hash("timing-equaliser-not-a-password");

    /** Mails a confirmation link; false when the mail could not be sent (the account works anyway; resend later). */
    public boolean sendVerification(long userId, String email) {
        String token = tokens.next();
        store.insertEmailToken(OneTimeTokens.hash(token), userId, "verify_email", clock.instant().plus(VERIFY_TTL));
        try {
            mailer.send(new Mail(email, "Confirm your email for Cortensor Portal",
                    "Welcome to Cortensor Portal.\n\nConfirm your email address by opening this link (valid for 48 hours):\n\n"
                            + publicUrl.get() + "/verify-email?token=" + token + "\n\nIf you did not sign up, ignore this mail.\n"));
            return true;
        } catch (MailFailure e) {
            log.warn("confirmation mail for user {} not sent: {}", userId, e.getMessage());
            return false;
        }
    }

    /** Confirms an address from an emailed link; false when the link is unknown, used or expired. */
    public boolean verifyEmail(String token) {
        Optional<Long> user = store.consumeEmailToken(OneTimeTokens.hash(token), "verify_email", clock.instant());
        user.ifPresent(store::markVerified);
        return user.isPresent();
    }

    /** Mails a reset link if the account exists; says nothing either way (no account discovery). */
    public void requestPasswordReset(String email) {
        Optional<User> user = store.findByEmail(email == null ? "" : email.trim());
        if (user.isEmpty()) {
            log.info("password reset requested for an unknown address");
            return;
        }
        String token = tokens.next();
        store.insertEmailToken(OneTimeTokens.hash(token), user.get().id(), "reset_password",
                clock.instant().plus(RESET_TTL));
        mailer.send(new Mail(user.get().email(), "Reset your Cortensor Portal password",
                "Someone asked to reset the password of your Cortensor Portal account.\n\n"
                        + "Choose a new password here (valid for 1 hour, once):\n\n"
                        + publicUrl.get() + "/reset-password?token=" + token
                        + "\n\nIf it wasn't you, ignore this mail; your password stays the same.\n"));
    }

    /** Sets a new password from an emailed link; returns the user. The link works once. */
    public User resetPassword(String token, String newPassword) {
        // check strength first so that a weak password does not burn the link
        if (Passwords.weakness(newPassword, null) != null) {
            throw new FormError("password", Passwords.weakness(newPassword, null));
        }
        long userId = store.consumeEmailToken(OneTimeTokens.hash(token), "reset_password", clock.instant())
                .orElseThrow(() -> new FormError("token", "This reset link has expired or was already used."));
        store.setPassword(userId, Passwords.hash(newPassword));
        store.markVerified(userId); // the mail reached them
        signOuts.endSessions(userId); // whoever knew the old password is signed out
        return store.find(userId).orElseThrow();
    }

    public void changePassword(long userId, String current, String next) {
        User user = store.find(userId).orElseThrow();
        if (user.passwordHash() != null && !Passwords.matches(current, user.passwordHash())) {
            throw new FormError("current", "The current password is not correct.");
        }
        String weak = Passwords.weakness(next, user.email());
        if (weak != null) {
            throw new FormError("password", weak);
        }
        store.setPassword(userId, Passwords.hash(next));
    }

    /**
     * The user for a verified identity: the one linked to it, else the one with the same verified email (linked now),
     * else a new user. An unverified email never takes over an existing account.
     */
    public User signInWithIdentity(String issuer, String subject, String email, boolean emailVerified) {
        Optional<Long> linked = store.userByIdentity(issuer, subject);
        if (linked.isPresent()) {
            return store.find(linked.get()).orElseThrow();
        }
        if (email == null || email.isBlank()) {
            throw new FormError("email", "The identity provider did not share an email address.");
        }
        String normalized = normalizeEmail(email);
        Optional<User> existing = store.findByEmail(normalized);
        long userId;
        if (existing.isPresent()) {
            if (!emailVerified) {
                throw new FormError("email", "An account with this email exists; sign in with your password to link it.");
            }
            userId = existing.get().id();
            if (!existing.get().emailVerified()) {
                // whoever created it may have squatted the address: their keys and sessions end before the handover
                signOuts.revokePersonalKeys(userId, "account claimed by the verified owner of its email");
                signOuts.endSessions(userId);
                store.claimForVerifiedOwner(userId);
            }
        } else {
            userId = store.createUser(normalized, null, null, emailVerified).orElseThrow();
        }
        store.linkIdentity(userId, issuer, subject);
        return store.find(userId).orElseThrow();
    }

    public Optional<User> user(long id) {
        return store.find(id);
    }

    public Optional<User> userByEmail(String email) {
        return store.findByEmail(email);
    }

    /** The organizations a user belongs to, with their role in each. */
    public List<OrganizationStore.Membership> memberships(long userId) {
        return orgs.memberships(userId);
    }

    /**
     * Pauses or unpauses a user or an organization ({@code label} {@code u<id>} / {@code o<id>}), audited and
     * announced to every replica. Empty when there is no such account, false when it already was in that state.
     */
    public Optional<Boolean> setState(boolean organization, long id, String label, boolean paused,
                                      ai.cortensor.portal.audit.Actor actor, String reason) {
        return store.setState(organization, id, label, paused, actor, reason);
    }

    static String normalizeEmail(String email) {
        String e = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        if (e.length() > 254 || !EMAIL.matcher(e).matches()) {
            throw new FormError("email", "Enter a valid email address, like name@example.com.");
        }
        return e;
    }
}
