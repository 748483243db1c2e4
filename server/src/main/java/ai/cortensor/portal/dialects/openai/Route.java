package ai.cortensor.portal.dialects.openai;

/** The two OpenAI completion routes: Chat Completions and (text) Completions. */
enum Route {
    CHAT("/v1/chat/completions", "chat"),
    TEXT("/v1/completions", "completions");

    private final String path;
    private final String dialect;

    Route(String path, String dialect) {
        this.path = path;
        this.dialect = dialect;
    }

    String path() {
        return path;
    }

    String dialect() {
        return dialect;
    }
}
