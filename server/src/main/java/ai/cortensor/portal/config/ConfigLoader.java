package ai.cortensor.portal.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Builds {@link PortalConfig} from defaults, then an optional properties file, then environment variables
 * ({@code PORTAL_} + the key upper-cased with {@code .} and {@code -} as {@code _}, e.g. {@code PORTAL_DATABASE_URL}).
 * Unknown keys and bad values fail with a message naming the key; nothing is clamped silently.
 *
 * <p>Pools: {@code pool.<name>.targets = <protocol> <url> session=<id> key=<ref> name=<n> weight=<w> max=<n>, ...},
 * {@code pool.<name>.models = <alias>, ...} (served first by this pool), {@code pool.<name>.fallback-for = <alias>, ...}
 * (tried when the model's first pool cannot serve); router keys: {@code router.secret.<ref> = <key>} (env
 * {@code PORTAL_ROUTER_SECRET_<REF>}).
 */
public final class ConfigLoader {

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();
    static {
        DEFAULTS.put("http.host", "127.0.0.1");
        DEFAULTS.put("http.port", "8080");
        DEFAULTS.put("http.max-body-bytes", "1048576");
        DEFAULTS.put("http.public-url", "");
        DEFAULTS.put("http.max-in-flight", "8192");
        DEFAULTS.put("http.max-connections", "10000");
        DEFAULTS.put("http.trusted-proxies", "");
        DEFAULTS.put("http.header-timeout", "PT10S");
        DEFAULTS.put("http.body-timeout", "PT30S");
        DEFAULTS.put("http.idle-timeout", "PT75S");
        DEFAULTS.put("management.host", "127.0.0.1");
        DEFAULTS.put("management.port", "9090");
        DEFAULTS.put("data.dir", ".portal-data");
        DEFAULTS.put("database.url", "");
        DEFAULTS.put("database.user", "");
        DEFAULTS.put("database.password", "");
        DEFAULTS.put("database.pool-size", "8");
        DEFAULTS.put("database.embedded-port", "0");
        DEFAULTS.put("router.connect-timeout", "PT2S");
        DEFAULTS.put("router.read-timeout", "PT60S");
        DEFAULTS.put("router.request-timeout", "PT300S");
        DEFAULTS.put("router.stream-timeout", "PT1800S");
        DEFAULTS.put("router.max-attempts", "3");
        DEFAULTS.put("router.failover-budget", "PT10S");
        DEFAULTS.put("router.structured-output-attempts", "3");
        DEFAULTS.put("health.eject-after-failures", "5");
        DEFAULTS.put("health.eject-error-rate", "0.5");
        DEFAULTS.put("health.min-requests", "20");
        DEFAULTS.put("health.window", "PT30S");
        DEFAULTS.put("health.ejection", "PT5S");
        DEFAULTS.put("health.max-ejection", "PT60S");
        DEFAULTS.put("health.probe-interval", "PT5S");
        DEFAULTS.put("health.degraded-below", "0.5");
        DEFAULTS.put("usage.queue-capacity", "10000");
        DEFAULTS.put("usage.batch-size", "2000");
        DEFAULTS.put("usage.flush-interval", "PT0.05S");
        DEFAULTS.put("usage.retry-interval", "PT2S");
        DEFAULTS.put("usage.journal-fsync", "none");
        DEFAULTS.put("usage.journal-fsync-interval", "PT1S");
        DEFAULTS.put("shutdown.deadline", "PT30S");
        DEFAULTS.put("responses.storage", "true");
        DEFAULTS.put("responses.retention", "P30D");
        DEFAULTS.put("responses.sweep-interval", "PT1H");
        DEFAULTS.put("limits.redis-url", "");
        DEFAULTS.put("limits.redis-failure", "local");
        DEFAULTS.put("limits.redis-namespace", "portal");
        DEFAULTS.put("mail.smtp-host", "");
        DEFAULTS.put("mail.smtp-port", "587");
        DEFAULTS.put("mail.smtp-username", "");
        DEFAULTS.put("mail.smtp-password", "");
        DEFAULTS.put("mail.smtp-starttls", "true");
        DEFAULTS.put("mail.from", "Cortensor Portal <no-reply@localhost>");
        DEFAULTS.put("mail.log-text", "false");
        DEFAULTS.put("portal.support-email", "");
        DEFAULTS.put("mail.notify-interval", "PT30S");
        DEFAULTS.put("webhooks.timeout", "PT5S");
        DEFAULTS.put("webhooks.max-attempts", "10");
        DEFAULTS.put("webhooks.retry-base", "PT30S");
        DEFAULTS.put("webhooks.concurrency", "8");
        DEFAULTS.put("webhooks.allow-local-urls", "false");
        DEFAULTS.put("oidc.issuer", "");
        DEFAULTS.put("oidc.client-id", "");
        DEFAULTS.put("oidc.client-secret", "");
        DEFAULTS.put("oidc.name", "single sign-on");
    }
    private static final String POOL_PREFIX = "pool.";
    private static final List<String> POOL_FIELDS = List.of("targets", "models", "fallback-for");
    private static final String SECRET_PREFIX = "router.secret.";

    private ConfigLoader() {}

    /** Loads {@code file} (may be null) and the process environment. */
    public static PortalConfig load(Path file, Map<String, String> env) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        if (file != null) {
            values.putAll(readFile(file));
        }
        values.putAll(fromEnv(env));
        return build(values);
    }

    /** Builds from explicit key/values over the defaults (tests and the demo use this). */
    public static PortalConfig fromMap(Map<String, String> overrides) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        values.putAll(overrides);
        return build(values);
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k.trim(), p.getProperty(k).trim()));
        return out;
    }

    private static Map<String, String> fromEnv(Map<String, String> env) {
        Map<String, String> out = new HashMap<>();
        env.forEach((name, value) -> {
            if (!name.startsWith("PORTAL_")) {
                return;
            }
            String rest = name.substring("PORTAL_".length());
            String key = DEFAULTS.keySet().stream().filter(k -> envName(k).equals(rest)).findFirst().orElse(null);
            if (key != null) {
                out.put(key, value);
            } else if (rest.startsWith("ROUTER_SECRET_")) {
                out.put(SECRET_PREFIX + rest.substring("ROUTER_SECRET_".length()).toLowerCase(Locale.ROOT), value);
            } else if (rest.startsWith("POOL_")) {
                for (String field : POOL_FIELDS) {
                    String suffix = "_" + envName(field);
                    if (rest.endsWith(suffix) && rest.length() > 5 + suffix.length()) {
                        String pool = rest.substring(5, rest.length() - suffix.length()).toLowerCase(Locale.ROOT);
                        out.put(POOL_PREFIX + pool + "." + field, value);
                        break;
                    }
                }
            }
            // other PORTAL_* variables belong to the launcher (e.g. PORTAL_CONFIG) and are not configuration keys
        });
        return out;
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static PortalConfig build(Map<String, String> v) {
        Map<String, PortalConfig.PoolSpec> pools = new LinkedHashMap<>();
        Map<String, String> secrets = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : v.entrySet()) {
            String key = e.getKey();
            if (DEFAULTS.containsKey(key)) {
                continue;
            }
            if (key.startsWith(SECRET_PREFIX) && key.length() > SECRET_PREFIX.length()) {
                secrets.put(key.substring(SECRET_PREFIX.length()).toLowerCase(Locale.ROOT), e.getValue());
            } else if (key.startsWith(POOL_PREFIX) && key.endsWith(".targets")) {
                String pool = key.substring(POOL_PREFIX.length(), key.length() - ".targets".length());
                pools.put(pool, new PortalConfig.PoolSpec(pool, parseTargets(key, pool, e.getValue()),
                        names(v.get(POOL_PREFIX + pool + ".models")), names(v.get(POOL_PREFIX + pool + ".fallback-for"))));
            } else if (key.startsWith(POOL_PREFIX) && (key.endsWith(".models") || key.endsWith(".fallback-for"))) {
                String pool = key.substring(POOL_PREFIX.length(), key.lastIndexOf('.'));
                if (!v.containsKey(POOL_PREFIX + pool + ".targets")) {
                    throw new ConfigException("'" + key + "' names a pool without " + POOL_PREFIX + pool + ".targets");
                }
            } else {
                throw new ConfigException("unknown configuration key '" + key + "'");
            }
        }
        for (PortalConfig.PoolSpec pool : pools.values()) {
            for (PortalConfig.TargetSpec t : pool.targets()) {
                if (t.keyRef() != null && !secrets.containsKey(t.keyRef())) {
                    throw new ConfigException("pool." + pool.name() + ".targets: key=" + t.keyRef()
                            + " has no router.secret." + t.keyRef());
                }
            }
        }
        String dbUrl = v.get("database.url");
        var database = new PortalConfig.Database(dbUrl.isBlank() ? null : dbUrl, blankToNull(v.get("database.user")),
                blankToNull(v.get("database.password")), intIn(v, "database.pool-size", 1, 200),
                intIn(v, "database.embedded-port", 0, 65535));
        String publicUrl = blankToNull(v.get("http.public-url"));
        if (publicUrl != null && !publicUrl.matches("https?://[^\\s/]+(/[^\\s]*)?")) {
            throw new ConfigException("http.public-url must be an http(s) URL like https://portal.example.com, got '" + publicUrl + "'");
        }
        var http = new PortalConfig.Http(v.get("http.host"), intIn(v, "http.port", 0, 65535),
                longIn(v, "http.max-body-bytes", 1024, 64L << 20), publicUrl == null ? null : publicUrl.replaceAll("/+$", ""),
                intIn(v, "http.max-in-flight", 1, 1_000_000), intIn(v, "http.max-connections", 1, 1_000_000),
                duration(v, "http.header-timeout"), duration(v, "http.body-timeout"), duration(v, "http.idle-timeout"),
                trustedProxies(v.get("http.trusted-proxies")));
        var management = new PortalConfig.Management(v.get("management.host"), intIn(v, "management.port", 0, 65535));
        if (management.port() != 0 && management.port() == http.port()) {
            throw new ConfigException("management.port must differ from http.port (both are " + http.port()
                    + "): /metrics is served only on the management listener, never on the customers' port");
        }
        String redisFailure = v.get("limits.redis-failure");
        if (!List.of("local", "open", "closed").contains(redisFailure)) {
            throw new ConfigException("limits.redis-failure must be local, open or closed, got '" + redisFailure + "'");
        }
        String redisUrl = blankToNull(v.get("limits.redis-url"));
        if (redisUrl != null && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            throw new ConfigException("limits.redis-url must start with redis:// or rediss://, got '" + redisUrl + "'");
        }
        String namespace = v.get("limits.redis-namespace");
        if (!namespace.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new ConfigException("limits.redis-namespace must be 1-64 letters, digits, '.', '_' or '-', got '" + namespace + "'");
        }
        var limits = new PortalConfig.Limits(redisUrl, redisFailure, namespace);
        var mail = new PortalConfig.Mail(blankToNull(v.get("mail.smtp-host")), intIn(v, "mail.smtp-port", 1, 65535),
                blankToNull(v.get("mail.smtp-username")), blankToNull(v.get("mail.smtp-password")), v.get("mail.from"),
                bool(v, "mail.smtp-starttls"), bool(v, "mail.log-text"), duration(v, "mail.notify-interval"));
        var webhooks = new PortalConfig.Webhooks(duration(v, "webhooks.timeout"), intIn(v, "webhooks.max-attempts", 1, 20),
                duration(v, "webhooks.retry-base"), intIn(v, "webhooks.concurrency", 1, 256),
                bool(v, "webhooks.allow-local-urls"));
        if (webhooks.timeout().compareTo(Duration.ofSeconds(30)) > 0) {
            throw new ConfigException("webhooks.timeout must be at most PT30S (a slow receiver holds a sender), got "
                    + webhooks.timeout());
        }
        var oidc = new PortalConfig.Oidc(blankToNull(v.get("oidc.issuer")), blankToNull(v.get("oidc.client-id")),
                blankToNull(v.get("oidc.client-secret")), v.get("oidc.name"));
        if (oidc.enabled() && (oidc.clientId() == null || oidc.clientSecret() == null)) {
            throw new ConfigException("oidc.issuer is set, so oidc.client-id and oidc.client-secret are required");
        }
        var router = new PortalConfig.Router(duration(v, "router.connect-timeout"), duration(v, "router.read-timeout"),
                duration(v, "router.request-timeout"), duration(v, "router.stream-timeout"),
                intIn(v, "router.max-attempts", 1, 10),
                duration(v, "router.failover-budget"), intIn(v, "router.structured-output-attempts", 1, 5));
        var health = new PortalConfig.Health(intIn(v, "health.eject-after-failures", 1, 1000),
                fraction(v, "health.eject-error-rate"), intIn(v, "health.min-requests", 1, 1_000_000),
                duration(v, "health.window"), duration(v, "health.ejection"), duration(v, "health.max-ejection"),
                duration(v, "health.probe-interval"), fraction(v, "health.degraded-below"));
        String fsync = v.get("usage.journal-fsync");
        if (!List.of("none", "interval", "always").contains(fsync)) {
            throw new ConfigException("usage.journal-fsync must be none, interval or always, got '" + fsync + "'");
        }
        var usage = new PortalConfig.Usage(intIn(v, "usage.queue-capacity", 16, 10_000_000),
                intIn(v, "usage.batch-size", 1, 10_000), duration(v, "usage.flush-interval"),
                duration(v, "usage.retry-interval"), fsync, duration(v, "usage.journal-fsync-interval"));
        var responses = new PortalConfig.Responses(bool(v, "responses.storage"), duration(v, "responses.retention"),
                duration(v, "responses.sweep-interval"));
        String dataDir = v.get("data.dir");
        if (dataDir.isBlank()) {
            throw new ConfigException("data.dir must not be empty");
        }
        String supportEmail = blankToNull(v.get("portal.support-email"));
        if (supportEmail != null && !supportEmail.matches("[^\\s@<>\"]+@[^\\s@<>\"]+")) {
            throw new ConfigException("portal.support-email must be an email address like support@example.com, got '"
                    + supportEmail + "'");
        }
        return new PortalConfig(http, database, router, health, usage, limits, mail, oidc, Path.of(dataDir).toAbsolutePath(), pools, secrets,
                responses, management, duration(v, "shutdown.deadline"), new PortalConfig.Support(supportEmail),
                webhooks);
    }

    /** {@code cortensor-v3 http://host:5010 session=12 key=main, openai http://host:8000} */
    private static List<PortalConfig.TargetSpec> parseTargets(String key, String pool, String value) {
        List<PortalConfig.TargetSpec> out = new ArrayList<>();
        int n = 0;
        for (String item : value.split(",")) {
            String[] parts = item.trim().split("\\s+");
            if (parts.length < 2) {
                throw new ConfigException(key + ": expected '<protocol> <url> [session=<id>] [key=<ref>] [name=<n>] [weight=<w>] [max=<n>]', got '" + item.trim() + "'");
            }
            String protocol = parts[0];
            if (!List.of("cortensor-v1", "cortensor-v3", "openai").contains(protocol)) {
                throw new ConfigException(key + ": unknown protocol '" + protocol + "' (cortensor-v1, cortensor-v3, openai)");
            }
            String url = parts[1];
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new ConfigException(key + ": target url must start with http:// or https://, got '" + url + "'");
            }
            Long session = null;
            String ref = null;
            int weight = 1;
            int max = 256;
            String name = pool + "-" + (++n);
            for (int i = 2; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length != 2) {
                    throw new ConfigException(key + ": bad option '" + parts[i] + "'");
                }
                switch (kv[0]) {
                    case "session" -> session = parseLong(key, kv[1]);
                    case "key" -> ref = kv[1].toLowerCase(Locale.ROOT);
                    case "name" -> name = kv[1];
                    case "weight" -> weight = (int) inRange(key, "weight", parseLong(key, kv[1]), 1, 10_000);
                    case "max" -> max = (int) inRange(key, "max", parseLong(key, kv[1]), 1, 1_000_000);
                    default -> throw new ConfigException(key + ": unknown option '" + kv[0] + "'");
                }
            }
            if (protocol.startsWith("cortensor") && session == null) {
                throw new ConfigException(key + ": a " + protocol + " target needs session=<id>");
            }
            out.add(new PortalConfig.TargetSpec(name, protocol, url.replaceAll("/+$", ""), session, ref, weight, max));
        }
        return out;
    }

    private static long inRange(String key, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(key + ": " + option + " must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    /** A comma-separated list of names; empty when absent. */
    private static List<String> names(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static double fraction(Map<String, String> v, String key) {
        try {
            double d = Double.parseDouble(v.get(key).trim());
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key + " must be a number from 0 to 1, got '" + v.get(key) + "'");
    }

    private static long parseLong(String key, String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + s + "' is not a whole number");
        }
    }

    private static int intIn(Map<String, String> v, String key, int min, int max) {
        return (int) longIn(v, key, min, max);
    }

    private static long longIn(Map<String, String> v, String key, long min, long max) {
        long n = parseLong(key, v.get(key));
        if (n < min || n > max) {
            throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    private static Duration duration(Map<String, String> v, String key) {
        String s = v.get(key).trim();
        try {
            Duration d = Duration.parse(s.toUpperCase(Locale.ROOT).startsWith("P") ? s : "PT" + s);
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(key + " must be positive, got " + s);
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(key + ": '" + s + "' is not a duration (e.g. 2s, 150ms as PT0.15S, PT5M)");
        }
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.get(key).trim();
        if (!s.equals("true") && !s.equals("false")) {
            throw new ConfigException(key + " must be true or false, got '" + s + "'");
        }
        return Boolean.parseBoolean(s);
    }

    private static final String IPV4 = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}";

    /** {@code http.trusted-proxies}: comma-separated IP addresses or CIDR ranges (never host names). */
    private static List<String> trustedProxies(String value) {
        List<String> out = new ArrayList<>();
        for (String p : value.split(",")) {
            String s = p.strip();
            if (s.isEmpty()) {
                continue;
            }
            int slash = s.indexOf('/');
            String ip = slash < 0 ? s : s.substring(0, slash);
            // a dotted quad or an IPv6 literal: getByName parses these without any name lookup
            boolean ok = ip.matches(IPV4) || ip.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
            int max = ip.contains(":") ? 128 : 32;
            try {
                java.net.InetAddress.getByName(ip);
                ok = ok && (slash < 0 || Integer.parseInt(s.substring(slash + 1)) <= max);
            } catch (java.net.UnknownHostException | IllegalArgumentException e) { // NumberFormatException included
                ok = false;
            }
            if (!ok || s.endsWith("/") || s.contains("/-")) {
                throw new ConfigException("http.trusted-proxies takes IP addresses or CIDR ranges like 10.0.0.0/8, "
                        + "separated by commas; '" + s + "' is neither");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A configuration error; its message names the offending key. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) { super(message); }
    }
}
