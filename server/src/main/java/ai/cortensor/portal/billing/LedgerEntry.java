package ai.cortensor.portal.billing;

import java.time.Instant;

/**
 * One ledger row: {@code type} usage (negative: a request's cost, {@code requestId} set), credit (a grant),
 * adjustment (either sign, by an operator) or payment; never changed once written.
 */
public record LedgerEntry(long id, String account, String type, long amountMicros, String description,
                          String requestId, String actor, String idempotencyKey, Instant createdAt) {}
