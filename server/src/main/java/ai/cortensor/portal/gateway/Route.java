package ai.cortensor.portal.gateway;

/** The two completion routes of the public API. */
public enum Route {
    CHAT("/v1/chat/completions"),
    TEXT("/v1/completions");

    private final String path;

    Route(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}
