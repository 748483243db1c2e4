package ai.cortensor.portal.portal;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.ColorScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright. Without a browser the calling test is
 * skipped with a message, except under {@code CI=true}, where a missing browser fails. Screenshots go to
 * {@code target/screenshots} and are kept as test artifacts.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium"));
    static final Path SHOTS = Path.of("target", "screenshots");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;

    private Browser() {
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    }

    static Browser launchOrSkip() {
        if (!Files.isExecutable(CHROMIUM)) {
            String message = "no Chromium at " + CHROMIUM + " (apt-get install chromium); browser tests skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + " — but CI=true requires them");
            }
            Assumptions.abort(message);
        }
        return new Browser();
    }

    /** A fresh browser profile (own cookies), as a new visitor. */
    BrowserContext newContext() {
        return newContext(1280, 860, ColorScheme.LIGHT);
    }

    /**
     * A fresh browser profile with a window {@code width} × {@code height} CSS pixels wide, preferring the colour
     * scheme. Not emulated as a mobile device on purpose: a mobile browser zooms out to fit a too-wide page, which
     * would hide the overflow a phone-width test looks for.
     */
    BrowserContext newContext(int width, int height, ColorScheme scheme) {
        return browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(width, height).setColorScheme(scheme)
                .setPermissions(List.of("clipboard-read", "clipboard-write")));
    }

    /** {@code getByRole} options for an accessible name. */
    static Page.GetByRoleOptions named(String name) {
        return new Page.GetByRoleOptions().setName(name);
    }

    /** Closes what a test class started, skipping what never started (e.g. when the browser test was skipped). */
    static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable p : parts) {
            if (p != null) {
                try {
                    p.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing " + p.getClass().getSimpleName(), e);
                }
            }
        }
    }

    static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
