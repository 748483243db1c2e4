package ai.cortensor.portal.portal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.Portal;
import ai.cortensor.portal.PortalTestSupport;
import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.billing.Budget;
import ai.cortensor.portal.plans.AdmissionControl;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spend alerts end to end (issue 15 item 5) with two replicas on one PostgreSQL, both running the notifications
 * round and the webhook sender every 0.2 s: budgets at 50, 80 and 100 % and credits below the account's threshold
 * are mailed through real SMTP (GreenMail) and POSTed to a real local HTTP receiver that checks each signature —
 * each alert once. A receiver that answers 500 gets the event again, and the portal's delivery log shows both
 * attempts. Every request costs exactly $0.40: qwen at $0.10 per output token, max_tokens 4, prompts free.
 */
class SpendAlertsIT {
    static final Actor OPERATOR = new Actor("ops@example.com", "admin", null, "192.0.2.1");
    static final String REQUEST = "{\"model\":\"qwen\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
            new ch.qos.logback.core.read.ListAppender<>();
    static MailCatcher mail;
    static WebhookReceiver hooks;
    static PortalTestSupport.Running portal;
    static Portal replicaB;

    @BeforeAll
    static void start() {
        logs.start();
        root().addAppender(logs);
        mail = new MailCatcher();
        hooks = new WebhookReceiver();
        Map<String, String> config = new HashMap<>(mail.config());
        config.put("mail.notify-interval", "PT0.2S");
        config.put("webhooks.allow-local-urls", "true"); // the receiver is on this machine, over http
        config.put("webhooks.retry-base", "PT0.3S");
        portal = PortalTestSupport.start(config);
        replicaB = portal.startReplica("b");
        portal.jdbi().useHandle(h -> {
            h.execute("UPDATE models SET prompt_price = 0, completion_price = 100000000000 WHERE alias = 'qwen'");
            h.execute("INSERT INTO plans (code, name, limits, prepaid) VALUES ('prepaid-it', 'Prepaid (tests)', "
                    + "'{\"rpm\": 100000, \"tpm\": 100000000, \"max_concurrent\": 1000}', TRUE)");
            h.execute("INSERT INTO model_access_policies (plan_id, model_alias) SELECT p.id, m.alias FROM plans p, "
                    + "models m WHERE p.code = 'prepaid-it'");
        });
        portal.portal().catalog().reload();
        replicaB.catalog().reload();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(replicaB, portal, hooks, mail);
        root().detachAppender(logs);
        logs.stop();
    }

    static ch.qos.logback.classic.Logger root() {
        return (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** Everything both replicas logged so far. */
    static String logText() {
        synchronized (logs) {
            return logs.list.stream().map(e -> e.getFormattedMessage() + " " + e.getMDCPropertyMap())
                    .collect(java.util.stream.Collectors.joining("\n"));
        }
    }

    /** A signed-up customer with a webhook pointing at the receiver, whose secret the receiver now knows. */
    record Customer(PortalHttp http, String account, String key) {}

    static Customer customer(String email, String plan) {
        PortalHttp http = new PortalHttp(portal.baseUrl()).signUp(email, PortalTestSupport.PASSWORD);
        long user = portal.count("SELECT id FROM users WHERE email = '" + email + "'");
        if (plan != null) {
            portal.portal().admission().changePlan(new AdmissionControl.AccountRef(user, null), plan);
        }
        HttpResponse<String> created = http.api("PUT", "/portal/api/webhook", "{\"url\":\"" + hooks.url() + "\"}",
                http.csrf());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = PortalHttp.json(created).get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        hooks.secrets.put("u" + user, secret);
        return new Customer(http, "u" + user, http.createKey("alerts").get("key").asText());
    }

    /** One $0.40 request, to replica a or b. */
    static HttpResponse<String> spend(Customer c, int replica) throws Exception {
        int port = replica % 2 == 0 ? portal.portal().port() : replicaB.port();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + c.key())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code requests} requests of $0.40 each, alternating replicas, then waits until each is charged. */
    static void spendOk(Customer c, int requests) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = spend(c, i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            ids.add(r.headers().firstValue("x-request-id").orElseThrow());
        }
        String in = String.join("','", ids);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (portal.count("SELECT count(*) FROM billing_ledger WHERE request_id IN ('" + in + "')") < requests) {
            assertThat(System.nanoTime()).as("requests of %s charged", c.account()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static long mails(String to, String subject) {
        return mail.all().stream().filter(m -> m.to().equalsIgnoreCase(to) && m.subject().contains(subject)).count();
    }

    /** Lets several rounds run on both replicas, so that a second alert, were there one, would have been sent. */
    static void severalRounds() throws InterruptedException {
        Thread.sleep(1_500);
    }

    @Test
    void budget_alerts_at_50_80_and_100_percent_are_mailed_and_posted_once_each_with_two_replicas_running()
            throws Exception {
        String email = "budget@alerts.example";
        Customer c = customer(email, null);
        portal.portal().billing().setBudget(Budget.Scope.ACCOUNT, c.account(), Budget.Period.DAY, 2_000_000L,
                new Actor(email, "customer", null, null));

        spendOk(c, 2); // $0.80 of $2.00: 40 %, no alert
        spendOk(c, 1); // $1.20: 60 %
        MailCatcher.Received half = mail.waitFor(email, "You have spent 50 % of your daily budget");
        assertThat(half.text()).contains("has spent $1.20 today (UTC): 60 % of its daily budget of $2.00")
                .contains("402 budget_exceeded").contains("/portal/alerts"); // either replica may have written it
        hooks.awaitDelivered(d -> d.json().at("/data/threshold_percent").asInt() == 50);

        spendOk(c, 1); // $1.60: 80 %
        MailCatcher.Received eighty = mail.waitFor(email, "You have spent 80 % of your daily budget ($1.60 of $2.00)");
        assertThat(eighty.text()).contains("80 % of its daily budget of $2.00");
        hooks.awaitDelivered(d -> d.json().at("/data/threshold_percent").asInt() == 80);

        spendOk(c, 1); // $2.00: the cap
        MailCatcher.Received reached = mail.waitFor(email, "Daily budget of $2.00 reached");
        assertThat(reached.text()).contains("has reached its daily budget of $2.00: $2.00 of $2.00 spent today")
                .contains("refused with 402 budget_exceeded");
        HttpResponse<String> refused = spend(c, 1);
        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(refused.body()).contains("budget_exceeded");

        severalRounds();
        assertThat(mails(email, "50 % of your daily budget")).isEqualTo(1);
        assertThat(mails(email, "80 % of your daily budget")).isEqualTo(1);
        assertThat(mails(email, "budget of $2.00 reached")).isEqualTo(1);
        List<WebhookReceiver.Delivery> posted = hooks.of("budget.threshold").stream()
                .filter(d -> d.json().path("account").asText().equals(c.account())).toList();
        assertThat(posted).as("each threshold posted once, each signed").hasSize(3)
                .allSatisfy(d -> assertThat(d.signed()).isTrue()).allSatisfy(d -> assertThat(d.answered()).isEqualTo(200));
        assertThat(posted.stream().map(d -> d.json().at("/data/threshold_percent").asInt())).containsExactly(50, 80, 100);
        assertThat(posted.stream().map(WebhookReceiver.Delivery::eventId).distinct()).hasSize(3);
        JsonNode last = posted.getLast().json();
        assertThat(last.path("id").asText()).isEqualTo(posted.getLast().eventId());
        assertThat(last.at("/data/budget/scope").asText()).isEqualTo("account");
        assertThat(last.at("/data/budget/period").asText()).isEqualTo("day");
        assertThat(last.at("/data/budget/cap_micros").asLong()).isEqualTo(2_000_000L);
        assertThat(last.at("/data/spent_micros").asLong()).isEqualTo(2_000_000L);
        assertThat(portal.count("SELECT count(*) FROM spend_alerts WHERE account = '" + c.account() + "'")).isEqualTo(3);
    }

    @Test
    void thresholds_crossed_together_send_only_the_highest_alert_and_never_the_lower_one_later() throws Exception {
        String email = "jump@alerts.example";
        Customer c = customer(email, null);
        spendOk(c, 4); // $1.60 this month, before there is a budget
        // a budget set mid-period counts what was already spent: 80 % at once
        portal.portal().billing().setBudget(Budget.Scope.ACCOUNT, c.account(), Budget.Period.MONTH, 2_000_000L,
                new Actor(email, "customer", null, null));
        mail.waitFor(email, "You have spent 80 % of your monthly budget");
        severalRounds();
        assertThat(mails(email, "80 % of your monthly budget")).isEqualTo(1);
        assertThat(mails(email, "50 % of your monthly budget")).as("the 80 % mail says it all").isZero();
        assertThat(portal.count("SELECT count(*) FROM spend_alerts WHERE account = '" + c.account()
                + "' AND kind = 'budget_50' AND skipped")).isEqualTo(1);
        assertThat(hooks.of("budget.threshold").stream().filter(d -> d.json().path("account").asText()
                .equals(c.account())).map(d -> d.json().at("/data/threshold_percent").asInt())).containsExactly(80);
    }

    @Test
    void credits_below_the_chosen_threshold_alert_once_until_a_grant_lifts_them_above_it() throws Exception {
        String email = "credits@alerts.example";
        Customer c = customer(email, "prepaid-it");
        portal.portal().billing().grant(c.account(), 2_000_000L, "welcome credits", OPERATOR, null);
        HttpResponse<String> set = c.http().api("PUT", "/portal/api/alerts/low-balance",
                "{\"threshold_micros\": 1000000}", c.http().csrf());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(PortalHttp.json(set).get("prepaid").asBoolean()).isTrue();
        assertThat(PortalHttp.json(set).get("threshold_micros").asLong()).isEqualTo(1_000_000L);

        spendOk(c, 2); // $1.20 left: above $1.00
        spendOk(c, 1); // $0.80 left
        MailCatcher.Received low = mail.waitFor(email, "Your prepaid credits are below $1.00");
        assertThat(low.text()).contains("has $0.80 of prepaid credits left").contains("402 insufficient_credits");
        hooks.awaitDelivered(d -> d.type().equals("credits.low") && d.json().path("account").asText().equals(c.account()));
        spendOk(c, 1); // $0.40: still below, no new alert
        severalRounds();
        assertThat(mails(email, "credits are below")).isEqualTo(1);

        portal.portal().billing().grant(c.account(), 2_000_000L, "top-up", OPERATOR, null); // $2.40: above again
        severalRounds();
        spendOk(c, 4); // $0.80: below again
        mail.waitFor(email, "Your prepaid credits are below $1.00");
        severalRounds();
        assertThat(mails(email, "credits are below")).as("once per fall below the threshold").isEqualTo(2);
        List<WebhookReceiver.Delivery> posted = hooks.of("credits.low").stream()
                .filter(d -> d.json().path("account").asText().equals(c.account())).toList();
        assertThat(posted).hasSize(2).allSatisfy(d -> assertThat(d.signed()).isTrue());
        assertThat(posted.getFirst().json().at("/data/balance_micros").asLong()).isEqualTo(800_000L);
        assertThat(posted.getFirst().json().at("/data/threshold_micros").asLong()).isEqualTo(1_000_000L);
        assertThat(posted.get(0).eventId()).isNotEqualTo(posted.get(1).eventId());
    }

    @Test
    void a_webhook_answered_500_is_retried_signed_again_and_the_delivery_log_shows_both_attempts() throws Exception {
        Customer c = customer("retry@alerts.example", null);
        Map<String, Integer> tries = new ConcurrentHashMap<>();
        hooks.answer = d -> d.type().equals("webhook.test") && tries.merge(d.eventId(), 1, Integer::sum) == 1 ? 500 : 200;
        try {
            HttpResponse<String> queued = c.http().api("POST", "/portal/api/webhook/test", null, c.http().csrf());
            assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
            String eventId = PortalHttp.json(queued).get("event_id").asText();
            hooks.awaitDelivered(d -> d.eventId().equals(eventId));
            List<WebhookReceiver.Delivery> attempts = hooks.seen.stream().filter(d -> d.eventId().equals(eventId)).toList();
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).answered()).isEqualTo(500);
            assertThat(attempts.get(0).attempt()).isEqualTo("1");
            assertThat(attempts.get(1).answered()).isEqualTo(200);
            assertThat(attempts.get(1).attempt()).isEqualTo("2");
            assertThat(attempts).allSatisfy(d -> assertThat(d.signed()).as("signed on every attempt").isTrue());
            assertThat(attempts.get(1).body()).as("the same bytes, the same id").isEqualTo(attempts.get(0).body());
            assertThat(attempts.get(0).json().path("id").asText()).isEqualTo(eventId);

            // the receiver has answered; the sender writes the attempt to the log right after
            List<JsonNode> rows = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50)).until(() -> StreamSupport.stream(PortalHttp.json(c.http()
                                    .api("GET", "/portal/api/webhook/deliveries", null, null)).get("data").spliterator(), false)
                            .filter(r -> r.get("event_id").asText().equals(eventId)).toList(),
                    r -> r.size() == 2 && r.getFirst().get("delivery_state").asText().equals("delivered"));
            assertThat(rows.get(0).get("attempt").asInt()).isEqualTo(2);
            assertThat(rows.get(0).get("status_code").asInt()).isEqualTo(200);
            assertThat(rows.get(0).get("next_retry_at").isNull()).isTrue();
            assertThat(rows.get(0).get("delivery_state").asText()).isEqualTo("delivered");
            assertThat(rows.get(1).get("attempt").asInt()).isEqualTo(1);
            assertThat(rows.get(1).get("status_code").asInt()).isEqualTo(500);
            assertThat(rows.get(1).get("next_retry_at").asText()).isNotEmpty();
            assertThat(rows.get(1).get("event").asText()).isEqualTo("webhook.test");

            String secret = hooks.secrets.get(c.account());
            String page = c.http().get("/portal/alerts").body();
            assertThat(page).contains("id=\"deliveries-table\"").contains(eventId).contains(">500<").contains(">200<")
                    .doesNotContain(secret);
            assertThat(c.http().api("GET", "/portal/api/webhook", null, null).body()).doesNotContain(secret)
                    .doesNotContain("\"secret\"");
            assertThat(c.http().api("GET", "/portal/api/alerts", null, null).body()).doesNotContain(secret);
            assertThat(logText()).as("the failed attempt is logged").contains("webhook " + eventId)
                    .contains("attempt 1 of 10 failed (HTTP 500)");
            assertThat(hooks.secrets.values()).allSatisfy(s -> assertThat(logText()).doesNotContain(s));
            assertThat(logText()).as("nor the URL, which may itself be a credential").doesNotContain("/hooks/cortensor");
        } finally {
            hooks.answer = d -> 200;
        }
    }

    @Test
    void alert_settings_refuse_unknown_fields_bad_values_calls_without_the_csrf_header_and_test_floods() {
        PortalHttp http = new PortalHttp(portal.baseUrl()).signUp("settings@alerts.example", PortalTestSupport.PASSWORD);
        HttpResponse<String> unknown = http.api("PUT", "/portal/api/alerts/low-balance",
                "{\"threshold_micros\": 5, \"colour\": \"red\"}", http.csrf());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown_field").contains("colour");
        HttpResponse<String> dollars = http.api("PUT", "/portal/api/alerts/low-balance", "{\"threshold_micros\": 5.5}",
                http.csrf());
        assertThat(dollars.statusCode()).isEqualTo(400);
        assertThat(dollars.body()).contains("threshold_micros");
        HttpResponse<String> ftp = http.api("PUT", "/portal/api/webhook", "{\"url\": \"ftp://example.com/x\"}", http.csrf());
        assertThat(ftp.statusCode()).isEqualTo(400);
        assertThat(ftp.body()).contains("url: The URL must start with https://");
        assertThat(http.api("PUT", "/portal/api/webhook", "{\"url\": \"" + hooks.url() + "\"}", null).statusCode())
                .isEqualTo(403);
        assertThat(http.api("POST", "/portal/api/webhook/test", null, http.csrf()).statusCode()).as("no webhook yet")
                .isEqualTo(404);
        assertThat(http.api("PUT", "/portal/api/webhook", "{\"url\": \"" + hooks.url() + "\"}", http.csrf()).statusCode())
                .isEqualTo(201);
        long user = portal.count("SELECT id FROM users WHERE email = 'settings@alerts.example'");
        portal.jdbi().useHandle(h -> h.execute("INSERT INTO webhook_deliveries (account, event_id, event_type, summary, "
                + "body, state) SELECT 'u" + user + "', 'evt_test_' || n, 'webhook.test', 'Test event', '{}', 'delivered' "
                + "FROM generate_series(1, 20) n"));
        HttpResponse<String> tooMany = http.api("POST", "/portal/api/webhook/test", null, http.csrf());
        assertThat(tooMany.statusCode()).as("the portal is not a load generator").isEqualTo(429);
        assertThat(tooMany.body()).contains("too_many_tests");
        assertThat(new PortalHttp(portal.baseUrl()).api("GET", "/portal/api/alerts", null, null).statusCode())
                .isEqualTo(401);
    }
}
