package ai.cortensor.portal.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    static final String SECRET = "whsec_test-secret";
    static final String BODY = "{\"id\":\"evt_1\",\"type\":\"webhook.test\"}";

    @Test
    void the_header_is_a_timestamp_and_the_hmac_sha256_of_timestamp_dot_body_as_the_docs_say() throws Exception {
        String header = WebhookSignature.header(SECRET, 1_700_000_000L, BODY);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal(("1700000000." + BODY).getBytes(StandardCharsets.UTF_8)));
        assertThat(header).isEqualTo("t=1700000000,v1=" + expected);
    }

    @Test
    void a_signature_verifies_only_for_its_own_body_secret_and_a_recent_timestamp() {
        String header = WebhookSignature.header(SECRET, 1_700_000_000L, BODY);
        assertThat(WebhookSignature.verify(SECRET, header, BODY, 1_700_000_100L, 300)).isTrue();
        assertThat(WebhookSignature.verify(SECRET, header, BODY + " ", 1_700_000_100L, 300)).as("body changed").isFalse();
        assertThat(WebhookSignature.verify("whsec_other", header, BODY, 1_700_000_100L, 300)).as("other secret").isFalse();
        assertThat(WebhookSignature.verify(SECRET, header, BODY, 1_700_001_000L, 300)).as("replayed later").isFalse();
        assertThat(WebhookSignature.verify(SECRET, header.replace("t=1700000000", "t=1700000099"), BODY,
                1_700_000_100L, 300)).as("timestamp swapped").isFalse();
        assertThat(WebhookSignature.verify(SECRET, null, BODY, 1_700_000_100L, 300)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, "garbage", BODY, 1_700_000_100L, 300)).isFalse();
    }
}
