package ai.cortensor.portal.sessions;

import java.time.Instant;

/**
 * One live browser session: whose ({@code principalId}: a user or an operator, by audience), opened with which
 * credential ({@code credentialId}: the operator token; null for customers) and acting for which organization (a
 * customer's chosen account; null = personal).
 */
public record SessionRow(long id, long principalId, Long credentialId, Long organizationId, Instant createdAt,
                         Instant lastSeenAt, Instant expiresAt, String userAgent, String clientAddr) {}
