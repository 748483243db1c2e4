package ai.cortensor.portal.plans;

class LocalLimiterTest extends LimiterContract {
    private final LocalLimiter limiter = new LocalLimiter();

    @Override
    Limiter limiter() {
        return limiter;
    }
}
