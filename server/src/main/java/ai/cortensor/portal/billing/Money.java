package ai.cortensor.portal.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Micro-USD (the only unit money is kept in) to and from what people read and type. */
public final class Money {
    public static final long MICROS_PER_USD = 1_000_000L;

    private Money() {}

    /** "$1.234567" trimmed to cents when exact, else to its last digit: "$5.00", "$0.00012", "-$2.50". */
    public static String usd(long micros) {
        BigDecimal v = BigDecimal.valueOf(micros, 6);
        BigDecimal cents = v.setScale(2, RoundingMode.DOWN);
        String digits = (cents.compareTo(v) == 0 ? cents : v.stripTrailingZeros().setScale(
                Math.max(2, v.stripTrailingZeros().scale()), RoundingMode.UNNECESSARY)).abs().toPlainString();
        return (micros < 0 ? "-$" : "$") + digits;
    }

    /** {@link #usd} without the dollar sign, for machine-read places (headers, the API): "5.00", "0.00012". */
    public static String decimal(long micros) {
        String s = usd(micros);
        return micros < 0 ? "-" + s.substring(2) : s.substring(1);
    }

    /** Parses a USD amount ("5", "5.25", "0.000001"); null when it is not a number with at most 6 decimals. */
    public static Long parseUsd(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.startsWith("$")) {
            t = t.substring(1).strip();
        }
        if (!t.matches("-?\\d{1,9}(\\.\\d{1,6})?")) {
            return null;
        }
        return new BigDecimal(t).movePointRight(6).longValueExact();
    }
}
