package ai.cortensor.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void ids_are_unique_prefixed_and_sort_by_time() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(RequestIds.next(1_700_000_000_000L));
        }
        assertThat(ids).hasSize(100_000).allMatch(id -> id.matches("req_[0-9A-HJKMNP-TV-Z]{26}"));
        assertThat(RequestIds.next(1_700_000_000_000L)).isLessThan(RequestIds.next(1_700_000_000_001L));
    }

    @Test
    void the_acceptance_time_reads_back_from_an_id_and_anything_else_has_none() {
        assertThat(RequestIds.time(RequestIds.next(1_765_000_123_456L)))
                .isEqualTo(java.time.Instant.ofEpochMilli(1_765_000_123_456L));
        assertThat(RequestIds.time("req_nope")).isNull();
        assertThat(RequestIds.time("gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG")).isNull();
        assertThat(RequestIds.time("req_01KILLIOU0000000000000000U")).isNull(); // I, L, O, U are not Crockford
        assertThat(RequestIds.time(null)).isNull();
    }
}
