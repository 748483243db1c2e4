package ai.cortensor.portal.admin;

import ai.cortensor.portal.usage.TrafficReport;
import java.time.Instant;
import java.util.List;

/**
 * The dashboard's traffic as the API answers it ({@code GET /admin/api/traffic}) and the console draws it: the
 * window, its bucket start times, and for the whole window and each bucket — overall, per model and per pool — the
 * request counts by outcome, the error rate ({@code failed / (requests - blocked)}, null without such requests),
 * latency p50/p99 of completed requests (null without any) and metered tokens.
 */
public record TrafficView(String window, Instant from, Instant to, long bucketSeconds, List<Instant> buckets,
                          Stats totals, List<Stats> overall, List<Series> models, List<Series> pools) {

    public record Stats(long requests, long completed, long failed, long cancelled, long blocked, Double errorRate,
                        Integer p50Ms, Integer p99Ms, long tokens) {
        static Stats of(TrafficReport.Stats s) {
            return new Stats(s.requests(), s.completed(), s.failed(), s.cancelled(), s.blocked(), s.errorRate(),
                    s.p50Ms(), s.p99Ms(), s.tokens());
        }
    }

    public record Series(String name, Stats totals, List<Stats> buckets) {
        static Series of(TrafficReport.Series s) {
            return new Series(s.name(), Stats.of(s.totals()), s.buckets().stream().map(Stats::of).toList());
        }
    }

    static TrafficView of(String window, TrafficReport.Traffic t) {
        return new TrafficView(window, t.from(), t.to(), t.bucket().toSeconds(), t.bucketStarts(), Stats.of(t.totals()),
                t.overall().stream().map(Stats::of).toList(), t.models().stream().map(Series::of).toList(),
                t.pools().stream().map(Series::of).toList());
    }
}
