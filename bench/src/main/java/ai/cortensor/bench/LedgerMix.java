package ai.cortensor.bench;

import ai.cortensor.portal.usage.RequestRecord;
import ai.cortensor.portal.usage.RequestRecord.Attempt;
import ai.cortensor.portal.web.RequestIds;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a gateway's records look like: mostly completed non-streaming requests served on the first attempt;
 * streams (some cancelled by the client); requests refused at admission; failures after two attempts; a retry
 * that then succeeded. Keys are drawn with a skew (a few busy keys, a long tail).
 */
final class LedgerMix {
    private static final String[] MODELS = {"qwen", "qwen", "qwen", "oss-20b", "oss-120b", "gemma-4"};
    private static final String[] ROUTES = {"/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions",
            "/v1/completions", "/v1/responses", "/v1/messages"};
    private static final String[] TARGETS = {"router-a", "router-b", "router-c", "router-d"};

    private final List<long[]> keys;
    private final SplittableRandom random;
    long served;

    LedgerMix(List<long[]> keys, long seed) {
        this.keys = keys;
        this.random = new SplittableRandom(seed);
    }

    RequestRecord next() {
        Instant now = Instant.now();
        long[] k = keys.get((int) (keys.size() * Math.pow(random.nextDouble(), 2)));
        Long key = k[0];
        Long user = k[1];
        Long org = k[2] < 0 ? null : k[2];
        int m = random.nextInt(MODELS.length);
        String model = MODELS[m];
        String route = ROUTES[random.nextInt(ROUTES.length)];
        String pool = m < 3 ? "default" : "gpu-" + model;
        String target = TARGETS[random.nextInt(TARGETS.length)];
        int prompt = 20 + random.nextInt(2000);
        int kind = random.nextInt(100);
        RequestRecord r;
        if (kind < 70) { // completed, one attempt
            int ttft = 20 + random.nextInt(400);
            int lat = ttft + random.nextInt(3000);
            r = new RequestRecord(RequestIds.next(now.toEpochMilli()), now, route, false, model, key, user, org,
                    "completed", 200, null, null, pool, target, now, ttft, lat, prompt, 1 + random.nextInt(800),
                    false, List.of(new Attempt(pool, target, "ok", lat)));
        } else if (kind < 85) { // streams: completed, a few cancelled by the client; tokens sometimes counted
            boolean cancelled = kind >= 83;
            int ttft = 20 + random.nextInt(400);
            int lat = ttft + random.nextInt(8000);
            r = new RequestRecord(RequestIds.next(now.toEpochMilli()), now, route, true, model, key, user, org,
                    cancelled ? "cancelled" : "completed", cancelled ? 499 : 200,
                    cancelled ? "client_closed_request" : null, null, pool, target, now, ttft, lat, prompt,
                    1 + random.nextInt(1500), kind % 3 == 0,
                    List.of(new Attempt(pool, target, cancelled ? "cut" : "ok", lat)));
        } else if (kind < 92) { // refused at admission
            String code = kind < 90 ? "rate_limit_exceeded" : "model_not_allowed";
            r = new RequestRecord(RequestIds.next(now.toEpochMilli()), now, route, false, model, key, user, org,
                    "blocked", code.startsWith("rate") ? 429 : 403, code, code + ":rpm", null, null, null, null,
                    random.nextInt(3), null, null, false, List.of());
        } else if (kind < 97) { // failed after two attempts, nothing served
            String other = TARGETS[(random.nextInt(TARGETS.length - 1) + 1 + m) % TARGETS.length];
            int a = random.nextInt(50);
            int b = 1000 + random.nextInt(30000);
            r = new RequestRecord(RequestIds.next(now.toEpochMilli()), now, route, false, model, key, user, org,
                    "failed", 502, "upstream_error", null, pool, target, now, null, a + b, null, null, false,
                    List.of(new Attempt(pool, other, "connect_error", a), new Attempt(pool, target, "timeout", b)));
        } else { // retried on another target, then served
            String other = TARGETS[(random.nextInt(TARGETS.length - 1) + 1 + m) % TARGETS.length];
            int a = random.nextInt(20);
            int ttft = a + 20 + random.nextInt(400);
            int lat = ttft + random.nextInt(3000);
            r = new RequestRecord(RequestIds.next(now.toEpochMilli()), now, route, false, model, key, user, org,
                    "completed", 200, null, null, pool, target, now, ttft, lat, prompt, 1 + random.nextInt(800),
                    false, List.of(new Attempt(pool, other, "http_503", a), new Attempt(pool, target, "ok", lat - a)));
        }
        if (r.served()) {
            served++;
        }
        return r;
    }
}
