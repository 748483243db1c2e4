package ai.cortensor.portal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyFormatTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void generated_key_parses_back_and_matches_only_its_own_hash() {
        KeyFormat.Generated g = KeyFormat.generate(random);
        assertThat(g.token()).startsWith("ctsr_").hasSize(5 + 12 + 1 + 40);

        KeyFormat.Parsed p = KeyFormat.parse(g.token());
        assertThat(p.publicId()).isEqualTo(g.publicId());
        assertThat(KeyFormat.matches(p.secret(), g.secretHash())).isTrue();

        KeyFormat.Generated other = KeyFormat.generate(random);
        assertThat(KeyFormat.matches(p.secret(), other.secretHash())).isFalse();
    }

    @Test
    void stored_hash_is_not_the_secret() {
        KeyFormat.Generated g = KeyFormat.generate(random);
        String secret = KeyFormat.parse(g.token()).secret();
        assertThat(new String(g.secretHash(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);
        assertThat(g.secretHash()).hasSize(32);
    }

    @Test
    void malformed_tokens_do_not_parse() {
        String good = KeyFormat.generate(random).token();
        assertThat(KeyFormat.parse(null)).isNull();
        assertThat(KeyFormat.parse("")).isNull();
        assertThat(KeyFormat.parse("sk-" + good.substring(5))).isNull();
        assertThat(KeyFormat.parse(good + "x")).isNull();
        assertThat(KeyFormat.parse(good.substring(0, 17) + "-" + good.substring(18))).isNull();
        assertThat(KeyFormat.parse(good.substring(0, good.length() - 1) + "!")).isNull();
    }

    @Test
    void public_ids_do_not_repeat() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(KeyFormat.generate(random).publicId());
        }
        assertThat(ids).hasSize(10_000);
    }
}
