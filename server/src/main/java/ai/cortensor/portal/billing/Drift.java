package ai.cortensor.portal.billing;

/**
 * A disagreement reconciliation found: {@code kind} balance (a balance is not the sum of its ledger), reserved
 * (a reservation is not the sum of its holds) or usage (a usage event's cost is not its ledger entry); {@code id} is
 * the account or the request.
 */
public record Drift(String kind, String id, long recordedMicros, long computedMicros) {}
