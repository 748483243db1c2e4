package ai.cortensor.portal.web;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: {@code req_} + 26 Crockford base32 characters (48-bit millisecond time + 80 random bits, ULID layout),
 * so they sort by time and never collide across replicas in practice. Not secrets.
 */
public final class RequestIds {
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private RequestIds() {}

    public static String next(long epochMillis) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[30];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        long time = epochMillis;
        for (int i = 13; i >= 4; i--) {
            out[i] = CROCKFORD[(int) (time & 31)];
            time >>>= 5;
        }
        long hi = r.nextLong();
        long lo = r.nextLong();
        for (int i = 14; i < 30; i++) {
            long src = i < 22 ? hi : lo;
            out[i] = CROCKFORD[(int) ((src >>> ((i % 8) * 5)) & 31)];
        }
        return new String(out);
    }

    /** When the request {@code id} was accepted (its time part, to the millisecond); null when it is not a request id. */
    public static java.time.Instant time(String id) {
        if (id == null || id.length() != 30 || !id.startsWith("req_")) {
            return null;
        }
        long t = 0;
        for (int i = 4; i < 30; i++) {
            int v = value(id.charAt(i));
            if (v < 0) {
                return null;
            }
            if (i < 14) {
                t = (t << 5) | v;
            }
        }
        return java.time.Instant.ofEpochMilli(t);
    }

    private static int value(char c) {
        for (int i = 0; i < CROCKFORD.length; i++) {
            if (CROCKFORD[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
