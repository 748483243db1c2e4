package ai.cortensor.portal.billing;

/**
 * An account's money: {@code balanceMicros} is the sum of its ledger (credits granted minus what was spent),
 * {@code reservedMicros} what requests in flight hold, {@code lowBalanceMicros} the threshold below which the
 * account wants an alert (null: none).
 */
public record Balance(String account, long balanceMicros, long reservedMicros, Long lowBalanceMicros) {
    public long availableMicros() {
        return balanceMicros - reservedMicros;
    }
}
