package ai.cortensor.routersim;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Sleeps for simulated latency that ends early, for every waiter at once, when the sim closes. */
final class Pacer {

    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * Blocks until {@code System.nanoTime() >= deadlineNanos}.
     *
     * @return false when the sim is closing (or the thread was interrupted): the caller must abandon the request
     */
    boolean awaitUntil(long deadlineNanos) {
        long wait = deadlineNanos - System.nanoTime();
        if (wait <= 0) {
            return closed.getCount() != 0;
        }
        try {
            return !closed.await(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void close() {
        closed.countDown();
    }
}
