package ai.cortensor.portal.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/**
 * A spend cap a customer set: on their account ({@code scopeId} {@code u<id>} / {@code o<id>}) or one key (its id),
 * per UTC day or calendar month (UTC), in micro-USD.
 */
public record Budget(Scope scope, String scopeId, Period period, long capMicros) {
    public enum Scope { ACCOUNT, KEY }

    public enum Period { DAY, MONTH }

    /** The spend counter's id: {@code account:u12:day}, {@code key:345:month}. */
    public String counter() {
        return scope.name().toLowerCase() + ":" + scopeId + ":" + period.name().toLowerCase();
    }

    /** When the period holding {@code now} began. */
    public Instant periodStart(Instant now) {
        LocalDate day = now.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate start = period == Period.DAY ? day : day.withDayOfMonth(1);
        return start.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the period holding {@code now} ends and the budget is whole again. */
    public Instant periodEnd(Instant now) {
        LocalDate day = now.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate end = period == Period.DAY ? day.plusDays(1)
                : day.with(TemporalAdjusters.firstDayOfNextMonth());
        return end.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** "$5.00 per day on this key" — for errors and the blocked-why answer. */
    public String describe() {
        return Money.usd(capMicros) + " per " + (period == Period.DAY ? "day" : "month") + " on "
                + (scope == Scope.ACCOUNT ? "your account" : "this key");
    }
}
