package ai.cortensor.portal;

import ai.cortensor.portal.accounts.Passwords;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.Authentication;
import ai.cortensor.routersim.Behavior;
import ai.cortensor.routersim.RouterSim;
import ai.cortensor.routersim.SimConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The product on embedded defaults: embedded PostgreSQL in the data directory, a simulated router pool of two
 * targets, the server, and a demo account whose key is kept in {@code <data dir>/demo-api-key} so it survives
 * restarts. Prints the lines to paste.
 */
@Command(name = "demo", description = "Run everything locally: embedded PostgreSQL, two simulated routers, a demo key.")
final class Demo implements Callable<Integer> {
    static final String DEMO_EMAIL = "demo@cortensor.local";

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--management-port", defaultValue = "9090",
            description = "Port of the operators' listener: /metrics, /health, /ready (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int managementPort;

    @Option(names = "--data-dir", defaultValue = ".portal-data", description = "Where data is kept between runs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        String routerKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Behavior lifelike = Behavior.defaults().withTtftMillis(150).withTokensPerSecond(60).withCompletionTokens(48);
        RouterSim a = RouterSim.start(SimConfig.defaults().withName("sim-a").withApiKey(routerKey).withSessionIds(Set.of(1L)));
        RouterSim b = RouterSim.start(SimConfig.defaults().withName("sim-b").withApiKey(routerKey).withSessionIds(Set.of(1L)));
        a.behave(lifelike);
        b.behave(lifelike);
        PortalConfig config = ConfigLoader.fromMap(Map.of(
                "http.port", Integer.toString(port),
                "management.port", Integer.toString(managementPort),
                "data.dir", dataDir.toString(),
                "pool.default.targets", "cortensor-v3 " + a.baseUrl() + " session=1 key=demo name=sim-a, "
                        + "cortensor-v3 " + b.baseUrl() + " session=1 key=demo name=sim-b",
                "router.secret.demo", routerKey,
                "mail.log-text", "true")); // no mail server locally: confirmation and reset links go to the log
        Main.log.info("{}", config.describe());
        Portal portal = Portal.start(config, InstantSource.system());
        String key = demoKey(portal, config.dataDir());
        String password = demoPassword(portal, config.dataDir());
        Path operatorToken = demoOperatorToken(portal, config.dataDir());
        String base = "http://127.0.0.1:" + portal.port() + "/v1";
        System.out.println("""

                Cortensor Portal demo is running (data in %s). Paste:

                  export OPENAI_BASE_URL=%s
                  export OPENAI_API_KEY=%s

                  curl -s $OPENAI_BASE_URL/chat/completions -H "Authorization: Bearer $OPENAI_API_KEY" -H 'Content-Type: application/json' -d '{"model":"qwen","messages":[{"role":"user","content":"Hello!"}]}'

                The same key works for the Responses API ($OPENAI_BASE_URL/responses) and for Anthropic SDKs:
                  export ANTHROPIC_BASE_URL=http://127.0.0.1:%d ANTHROPIC_API_KEY=$OPENAI_API_KEY

                Portal: http://127.0.0.1:%d/signin — sign in as %s with password %s
                Operators: console http://127.0.0.1:%d/admin with the admin token in %s, or the CLI:
                  export PORTAL_ADMIN_URL=http://127.0.0.1:%d PORTAL_ADMIN_TOKEN=$(cat %s); ./portal admin pool list
                Management (operators only, not on the customers' port): http://127.0.0.1:%d/metrics (Prometheus),
                  http://127.0.0.1:%d/health
                Models: %s. Health: http://127.0.0.1:%d/health. Mails are written to this log. Stop with Ctrl-C.
                """.formatted(config.dataDir(), base, key, portal.port(), portal.port(), DEMO_EMAIL, password, portal.port(),
                operatorToken, portal.port(), operatorToken, portal.managementPort(), portal.managementPort(),
                String.join(", ", portal.catalog().models().stream().map(m -> m.alias()).toList()), portal.port()));
        Main.awaitShutdown(portal, a, b);
        return 0;
    }

    /** The demo user's portal password: kept in {@code <data dir>/demo-password} (mode 600) across runs. */
    private static String demoPassword(Portal portal, Path dataDir) {
        Path file = dataDir.resolve("demo-password");
        try {
            String password;
            if (Files.exists(file)) {
                password = Files.readString(file).trim();
            } else {
                password = "demo-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
                Files.writeString(file, password + "\n");
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            long userId = portal.accounts().ensureUser(DEMO_EMAIL, "Demo");
            var user = portal.accounts().find(userId).orElseThrow();
            if (!Passwords.matches(password, user.passwordHash())) {
                portal.accounts().setPassword(userId, Passwords.hash(password));
            }
            portal.accounts().markVerified(userId);
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the demo password in " + file, e);
        }
    }

    /**
     * An admin operator token for the console and CLI, kept in {@code <data dir>/demo-operator-token} (mode 600):
     * reused while it still works, else a new one (audited as the demo issuing it).
     */
    private static Path demoOperatorToken(Portal portal, Path dataDir) {
        Path file = dataDir.resolve("demo-operator-token");
        OperatorStore operators = new OperatorStore(portal.database().jdbi(), new SecureRandom());
        try {
            if (Files.exists(file) && operators.authenticate(Files.readString(file).trim()).isPresent()) {
                return file;
            }
            String token = operators.issue("ops@cortensor.local", Role.ADMIN, Actor.system("demo"),
                    "demo operator").token();
            Files.writeString(file, token + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the demo operator token in " + file, e);
        }
    }

    /** The demo key from a previous run if it still works, else a new one saved (mode 600) for the next run. */
    private static String demoKey(Portal portal, Path dataDir) {
        Path file = dataDir.resolve("demo-api-key");
        ApiKeys keys = portal.keys();
        try {
            if (Files.exists(file)) {
                String saved = Files.readString(file).trim();
                if (keys.identify("Bearer " + saved) instanceof Authentication.Authenticated a
                        && portal.rules().key(a.key()).isEmpty()) {
                    return saved;
                }
            }
            long userId = portal.accounts().ensureUser(DEMO_EMAIL, "Demo");
            String token = keys.issue("demo", userId, null, null).token();
            Files.writeString(file, token + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the demo key in " + file, e);
        }
    }
}
