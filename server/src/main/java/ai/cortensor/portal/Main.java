package ai.cortensor.portal;

import ai.cortensor.portal.admin.cli.AdminCommand;
import ai.cortensor.portal.admin.OperatorStore;
import ai.cortensor.portal.admin.Role;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.config.PortalConfig;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.keys.ApiKeys;
import ai.cortensor.portal.keys.KeyStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one launcher: {@code serve}, {@code demo}, {@code migrate}, {@code create-key}, {@code admin …}. */
@Command(name = "portal", mixinStandardHelpOptions = true, version = "Cortensor Portal " + Portal.VERSION,
        description = "Hosted OpenAI-compatible inference gateway in front of Cortensor router pools.",
        subcommands = {Main.Serve.class, Demo.class, Main.Migrate.class, Main.CreateKey.class, AdminCommand.class})
public final class Main implements Runnable {
    static final Logger log = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(args)); // also when a thread someone forgot to make a daemon still runs
    }

    /** The command tree with its error handling; {@code admin} commands exit with the codes AdminCommand documents. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("admin").addSubcommand(new CreateOperator());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr())) {
                c.usage(c.getErr());
            }
            return c.getCommandSpec().qualifiedName().startsWith("portal admin") ? 1
                    : c.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ConfigLoader.ConfigException) {
                        cmd.getErr().println("configuration error: " + e.getMessage());
                        return 2;
                    }
                    Integer adminExit = AdminCommand.exitCode(e);
                    if (adminExit != null) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return adminExit;
                    }
                    throw e;
                });
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by commands that read configuration. */
    static class ConfigOption {
        @Option(names = "--config", description = "Properties file (default: $PORTAL_CONFIG). Environment variables PORTAL_* override it.")
        Path config;

        PortalConfig load() {
            Path file = config;
            if (file == null && System.getenv("PORTAL_CONFIG") != null) {
                file = Path.of(System.getenv("PORTAL_CONFIG"));
            }
            PortalConfig c = ConfigLoader.load(file, System.getenv());
            log.info("{}", c.describe());
            return c;
        }
    }

    @Command(name = "serve", description = "Run the gateway (PostgreSQL from database.url, or embedded when unset).")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin ConfigOption options = new ConfigOption();

        @Override
        public Integer call() throws InterruptedException {
            Portal portal = Portal.start(options.load(), InstantSource.system());
            awaitShutdown(portal);
            return 0;
        }
    }

    @Command(name = "migrate", description = "Apply database migrations and exit.")
    static final class Migrate implements Callable<Integer> {
        @CommandLine.Mixin ConfigOption options = new ConfigOption();

        @Override
        public Integer call() {
            logsToStderr();
            try (Database db = Database.open(options.load())) {
                System.out.println("database is up to date");
            }
            return 0;
        }
    }

    @Command(name = "create-key", description = "Create an account (if new) and an API key for it; prints the key once.")
    static final class CreateKey implements Callable<Integer> {
        @CommandLine.Mixin ConfigOption options = new ConfigOption();
        @Option(names = "--email", required = true, description = "Account email.") String email;
        @Option(names = "--name", defaultValue = "default", description = "Key name (default: ${DEFAULT-VALUE}).") String name;
        @Option(names = "--expires", description = "Expiry instant, e.g. 2027-01-01T00:00:00Z.") Instant expires;
        @Option(names = "--plan", description = "Put the account on this plan (free, developer, pro, dedicated).") String plan;

        @Override
        public Integer call() {
            logsToStderr();
            try (Database db = Database.open(options.load())) {
                long userId = new ai.cortensor.portal.accounts.AccountStore(db.jdbi()).ensureUser(email, null);
                if (plan != null && !new ai.cortensor.portal.plans.PlanStore(db.jdbi()).changePlan(userId, null, plan)) {
                    System.err.println("no plan '" + plan + "'");
                    return 2;
                }
                if (plan != null) { // running gateways pick the new plan up at once
                    new ai.cortensor.portal.changes.ChangeFeed(db::openDedicated, db.jdbi())
                            .publish(ai.cortensor.portal.changes.ChangeFeed.PLAN, "u" + userId);
                }
                ApiKeys keys = new ApiKeys(new KeyStore(db.jdbi()), new SecureRandom(), InstantSource.system());
                ApiKeys.Issued issued = keys.issue(name, userId, null, expires);
                System.out.println("Created key '" + name + "' (" + issued.key().prefix() + ") for " + email + ".");
                System.out.println("This is the only time it is shown:");
                System.out.println(issued.token());
            }
            return 0;
        }
    }

    @Command(name = "create-operator", description = "Create an operator (bootstrap the first admin) directly in the "
            + "database; prints the operator token once. An existing operator gets a new token and the role.")
    static final class CreateOperator implements Callable<Integer> {
        @CommandLine.Mixin ConfigOption options = new ConfigOption();
        @Option(names = "--email", required = true, description = "Operator email.") String email;
        @Option(names = "--role", defaultValue = "admin", description = "admin or support (default: ${DEFAULT-VALUE}).") String role;
        @Option(names = "--reason", defaultValue = "bootstrap on the server host", description = "For the audit log.") String reason;

        @Override
        public Integer call() {
            logsToStderr();
            Role r = Role.of(role);
            if (r == null) {
                System.err.println("error: --role must be admin or support");
                return 1;
            }
            try (Database db = Database.open(options.load())) {
                String by = "cli:" + System.getProperty("user.name", "unknown");
                OperatorStore.Issued issued = new OperatorStore(db.jdbi(), new SecureRandom())
                        .issue(email, r, new Actor(by, "system", null, null), reason);
                System.out.println((issued.created() ? "Created operator " : "New token for operator ")
                        + issued.operator().email() + " (" + issued.operator().role().code() + ").");
                System.out.println("This is the only time the token is shown:");
                System.out.println(issued.token());
            }
            return 0;
        }
    }

    /**
     * One-shot commands print their answer (a key, a token) on stdout for scripts to capture; their log lines (the
     * database opening, migrations) go to stderr instead of mixing in.
     */
    static void logsToStderr() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context
                && context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OUT")
                        instanceof ch.qos.logback.core.ConsoleAppender<?> console) {
            console.stop();
            console.setTarget("System.err");
            console.start();
        }
    }

    /**
     * Blocks until SIGTERM or SIGINT, then closes the parts in order (the portal drains: see {@link Portal#close})
     * and returns, so the process exits 0 — a stop asked for is not a failure. The signals are taken with
     * {@code sun.misc.Signal} because a JVM shutdown hook runs only while the JVM is already exiting with 143.
     * A shutdown hook stays as the fallback for any other exit.
     */
    static void awaitShutdown(AutoCloseable... parts) throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signalled.countDown());
            } catch (IllegalArgumentException e) {
                log.debug("cannot take SIG{}: {}", name, e.toString());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signalled.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
        signalled.await();
        log.info("shutting down");
        for (AutoCloseable p : parts) {
            try {
                p.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", p.getClass().getSimpleName(), e.toString());
            }
        }
        log.info("stopped");
        stopped.countDown();
    }
}
