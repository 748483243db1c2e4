package ai.cortensor.portal.families;

import java.util.List;
import java.util.Optional;

/** The model families the catalog may name. */
public final class Families {
    public static final Family QWEN = new QwenFamily();
    public static final Family GPT_OSS = new HarmonyFamily();
    public static final Family GEMMA_4 = new Gemma4Family();
    public static final Family GENERIC = new GenericFamily();
    private static final List<Family> ALL = List.of(QWEN, GPT_OSS, GEMMA_4, GENERIC);

    private Families() {}

    public static Optional<Family> byId(String id) {
        return ALL.stream().filter(f -> f.id().equals(id)).findFirst();
    }

    public static List<Family> all() {
        return ALL;
    }
}
