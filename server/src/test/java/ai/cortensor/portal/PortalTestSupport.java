package ai.cortensor.portal;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** {@link PortalHarness} for tests in other packages (the portal's browser and API tests). */
public final class PortalTestSupport {
    public static final String PASSWORD = "correct horse battery";

    private PortalTestSupport() {}

    public static Running start() {
        return start(Map.of());
    }

    public static Running start(Map<String, String> config) {
        return new Running(new PortalHarness(config));
    }

    /** A running product: server, PostgreSQL, two router simulators. */
    public static final class Running implements AutoCloseable {
        private final PortalHarness harness;

        Running(PortalHarness harness) {
            this.harness = harness;
        }

        public String baseUrl() {
            return harness.baseUrl();
        }

        public Portal portal() {
            return harness.portal;
        }

        public Jdbi jdbi() {
            return harness.jdbi();
        }

        /** A second replica on the same database and simulators; the caller closes it. */
        public Portal startReplica(String name) {
            return harness.startReplica(name);
        }

        /** A key of a new account on the dedicated plan; the full token, as its owner would hold it. */
        public String newKey(String email) {
            return harness.newKey(email);
        }

        /** {@code POST /v1/chat/completions} with a small non-streaming body. */
        public java.net.http.HttpResponse<String> chat(String key) {
            return harness.post("/v1/chat/completions", key, PortalHarness.chatBody("qwen", false));
        }

        public long count(String sql) {
            return harness.count(sql);
        }

        @Override
        public void close() {
            harness.close();
        }
    }

    /** Signs a new user up through the real sign-up page; the page ends on the overview. */
    public static void signUp(Page page, String baseUrl, String email) {
        page.navigate(baseUrl + "/signup");
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create account")).click();
        page.waitForURL("**/portal?welcome=1");
    }
}
