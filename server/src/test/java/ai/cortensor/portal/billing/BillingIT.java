package ai.cortensor.portal.billing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.cortensor.portal.audit.Actor;
import ai.cortensor.portal.config.ConfigLoader;
import ai.cortensor.portal.db.Database;
import ai.cortensor.portal.usage.RequestRecord;
import ai.cortensor.portal.usage.UsageStore;
import ai.cortensor.testkit.TestDatabase;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The money machinery on real PostgreSQL, as two replicas share it (two databases handles, two caches): holds never
 * exceed the credits or a budget however requests race, settlement charges once what was metered, and the ledger,
 * the balances and the usage events always agree.
 */
class BillingIT {
    private static final Actor OPERATOR = new Actor("ops@example.com", "admin", "req_test", "127.0.0.1");
    private static TestDatabase pg;
    private static Database replicaA;
    private static Database replicaB;
    private static Billing a;
    private static Billing b;
    private static UsageStore usage;
    private static final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    static void open() throws Exception {
        pg = TestDatabase.create();
        replicaA = Database.open(ConfigLoader.fromMap(Map.of("database.url", pg.url(),
                "data.dir", Files.createTempDirectory("billing-a").toString())));
        replicaB = Database.open(ConfigLoader.fromMap(Map.of("database.url", pg.url(),
                "data.dir", Files.createTempDirectory("billing-b").toString())));
        a = new Billing(replicaA.jdbi(), InstantSource.system());
        b = new Billing(replicaB.jdbi(), InstantSource.system());
        usage = new UsageStore(replicaA.jdbi());
    }

    @AfterAll
    static void close() {
        replicaA.close();
        replicaB.close();
        pg.close();
    }

    @Test
    void two_hundred_concurrent_holds_on_two_replicas_admit_exactly_what_the_credits_cover() throws Exception {
        String account = "u" + 1001;
        a.grant(account, 37 * 1_000L, "prepaid top-up", OPERATOR, null);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Callable<Hold>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Billing replica = i % 2 == 0 ? a : b;
            String id = "req_race_" + i;
            calls.add(() -> replica.hold(id, account, 1, true, 1_000));
        }
        int held = 0;
        int refused = 0;
        for (Future<Hold> f : pool.invokeAll(calls)) {
            switch (f.get()) {
                case Hold.Held h -> held++;
                case Hold.Refused r -> {
                    assertThat(r.code()).isEqualTo("insufficient_credits");
                    refused++;
                }
                case Hold.None n -> throw new AssertionError("a prepaid account always holds");
            }
        }
        pool.shutdown();
        assertThat(held).isEqualTo(37);
        assertThat(refused).isEqualTo(163);
        Balance balance = b.balance(account);
        assertThat(balance.reservedMicros()).isEqualTo(37_000);
        assertThat(balance.availableMicros()).isZero();
        assertThat(a.reconcile()).isEmpty();
    }

    @Test
    void settling_charges_what_was_metered_once_and_releases_the_rest_of_the_hold() {
        String account = "u" + 1002;
        a.grant(account, 5_000_000, "top-up", OPERATOR, null);
        assertThat(a.hold("req_settle", account, 2, true, 900)).isInstanceOf(Hold.Held.class);
        RequestRecord served = served("req_settle", 1002L, 2L, 321, true);
        usage.write(List.of(served));
        usage.write(List.of(served)); // a replay after a crash between commit and journal deletion

        Balance balance = a.balance(account);
        assertThat(balance.balanceMicros()).isEqualTo(5_000_000 - 321);
        assertThat(balance.reservedMicros()).isZero();
        List<LedgerEntry> ledger = a.ledger(account, 10, null);
        assertThat(ledger).extracting(LedgerEntry::type).containsExactly("usage", "credit");
        assertThat(ledger.getFirst().amountMicros()).isEqualTo(-321);
        assertThat(ledger.getFirst().requestId()).isEqualTo("req_settle");
        assertThat(a.reconcile()).isEmpty();
    }

    @Test
    void a_request_that_ended_before_it_was_served_releases_its_hold_and_costs_nothing() {
        String account = "u" + 1003;
        a.grant(account, 2_000, "top-up", OPERATOR, null);
        assertThat(a.hold("req_unserved", account, 3, true, 2_000)).isInstanceOf(Hold.Held.class);
        assertThat(b.hold("req_unserved_2", account, 3, true, 1)).isInstanceOf(Hold.Refused.class);
        RequestRecord failed = new RequestRecord("req_unserved", Instant.now(), "/v1/chat/completions", false, "qwen",
                3L, 1003L, null, "failed", 503, "no_capacity", null, "default", null, null, null, 12, null, null,
                false, List.of(), new RequestRecord.Money(0, 60_000, 240_000, true));
        usage.write(List.of(failed));

        assertThat(a.balance(account).balanceMicros()).isEqualTo(2_000);
        assertThat(a.balance(account).reservedMicros()).isZero();
        assertThat(a.ledger(account, 10, null)).extracting(LedgerEntry::type).containsExactly("credit");
        assertThat(b.hold("req_unserved_3", account, 3, true, 2_000)).isInstanceOf(Hold.Held.class);
        assertThat(b.release("req_unserved_3")).isTrue();
        assertThat(b.release("req_unserved_3")).as("released once").isFalse();
    }

    @Test
    void a_daily_budget_on_a_key_refuses_on_either_replica_once_spend_and_holds_reach_it_and_says_when_it_resets() {
        String account = "u" + 1004;
        a.setBudget(Budget.Scope.KEY, "44", Budget.Period.DAY, 1_000L, OPERATOR);
        assertThat(b.hold("req_budget_1", account, 44, false, 600)).isInstanceOf(Hold.Held.class);
        Hold second = b.hold("req_budget_2", account, 44, false, 600);
        assertThat(second).isInstanceOf(Hold.Refused.class);
        Hold.Refused refused = (Hold.Refused) second;
        assertThat(refused.code()).isEqualTo("budget_exceeded");
        assertThat(refused.availableMicros()).isEqualTo(400);
        assertThat(refused.resetsAt()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofDays(1)));
        assertThat(refused.message()).contains("$0.001 per day on this key");

        usage.write(List.of(served("req_budget_1", 1004L, 44L, 250, true)));
        assertThat(a.budgets(account, 44L)).singleElement().satisfies(s -> {
            assertThat(s.spentMicros()).isEqualTo(250);
            assertThat(s.reservedMicros()).isZero();
            assertThat(s.remainingMicros()).isEqualTo(750);
        });
        assertThat(b.hold("req_budget_3", account, 44, false, 750)).isInstanceOf(Hold.Held.class);
        assertThat(b.hold("req_budget_4", account, 44, false, 1)).isInstanceOf(Hold.Refused.class);
    }

    @Test
    void an_account_with_credits_but_no_low_credit_threshold_reads_back_with_none_not_zero() {
        String account = "u" + 1020;
        a.grant(account, 4_000_000, "trial", OPERATOR, null);
        assertThat(b.balance(account).lowBalanceMicros()).isNull();
        a.setLowBalanceAlert(account, 2_500_000L, OPERATOR);
        assertThat(b.balance(account).lowBalanceMicros()).isEqualTo(2_500_000);
        a.setLowBalanceAlert(account, null, OPERATOR);
        assertThat(b.balance(account).lowBalanceMicros()).as("removed").isNull();
        assertThat(b.balances(1000, null)).filteredOn(x -> x.account().equals(account)).singleElement()
                .satisfies(x -> assertThat(x.lowBalanceMicros()).isNull());
    }

    @Test
    void a_hold_says_what_its_tightest_budget_has_left_from_the_same_round_trip() {
        String account = "u" + 1010;
        a.setBudget(Budget.Scope.ACCOUNT, account, Budget.Period.MONTH, 5_000L, OPERATOR);
        a.setBudget(Budget.Scope.KEY, "55", Budget.Period.DAY, 2_000L, OPERATOR);
        Hold first = b.hold("req_tight_1", account, 55, false, 300);
        assertThat(first).isInstanceOfSatisfying(Hold.Held.class, h -> {
            assertThat(h.tightest().scope()).isEqualTo(Budget.Scope.KEY);
            assertThat(h.tightest().period()).isEqualTo(Budget.Period.DAY);
            assertThat(h.remainingMicros()).as("2000 − this hold").isEqualTo(1_700);
            assertThat(h.resetsAt()).isEqualTo(h.tightest().periodEnd(Instant.now()));
        });
        usage.write(List.of(served("req_tight_1", 1010L, 55L, 100, true)));
        a.setBudget(Budget.Scope.KEY, "55", Budget.Period.DAY, 10_000L, OPERATOR);
        b.budgetChanged("key:55"); // what the change feed does on every replica
        assertThat(b.hold("req_tight_2", account, 55, false, 400)).isInstanceOfSatisfying(Hold.Held.class, h -> {
            assertThat(h.tightest().scope()).as("now the account's month is tighter").isEqualTo(Budget.Scope.ACCOUNT);
            assertThat(h.remainingMicros()).as("5000 − 100 spent − this hold").isEqualTo(4_500);
        });
        assertThat(a.hold("req_tight_3", "u" + 1011, 56, false, 400)).as("no budget: no round trip, nothing told")
                .isInstanceOf(Hold.None.class);
        b.release("req_tight_2");
        assertThat(a.reconcile()).isEmpty();
    }

    @Test
    void an_account_that_is_not_prepaid_and_has_no_budget_holds_nothing_but_is_still_charged_in_the_ledger() {
        String account = "u" + 1005;
        assertThat(a.hold("req_free_1", account, 5, false, 10_000)).isInstanceOf(Hold.None.class);
        usage.write(List.of(served("req_free_1", 1005L, 5L, 77, false)));
        assertThat(a.balance(account).balanceMicros()).isEqualTo(-77);
        assertThat(a.reconcile()).isEmpty();
    }

    @Test
    void a_retried_grant_with_the_same_idempotency_key_is_one_ledger_entry() {
        String account = "o" + 77;
        LedgerEntry first = a.grant(account, 10_000_000, "invoice 2026-12", OPERATOR, "payment:inv_123");
        LedgerEntry again = b.grant(account, 10_000_000, "invoice 2026-12", OPERATOR, "payment:inv_123");
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(a.balance(account).balanceMicros()).isEqualTo(10_000_000);
        assertThat(a.ledger(account, 10, null)).hasSize(1);
    }

    @Test
    void a_hold_whose_process_died_is_released_after_it_could_no_longer_be_running() {
        String account = "u" + 1006;
        a.grant(account, 1_000, "top-up", OPERATOR, null);
        assertThat(a.hold("req_orphan", account, 6, true, 1_000)).isInstanceOf(Hold.Held.class);
        assertThat(a.expireHolds(Duration.ofHours(1))).as("a fresh hold stays").isZero();
        assertThat(a.expireHolds(Duration.ZERO.minusSeconds(1))).isEqualTo(1);
        assertThat(a.balance(account).availableMicros()).isEqualTo(1_000);
        assertThat(a.reconcile()).isEmpty();
    }

    private static RequestRecord served(String id, long user, long key, long cost, boolean held) {
        Instant at = Instant.now();
        return new RequestRecord(id, at, "/v1/chat/completions", false, "qwen", key, user, null, "completed", 200,
                null, null, "default", "a", at, 20, 50, 10, 5, false, List.of(),
                new RequestRecord.Money(cost, 60_000, 240_000, held));
    }
}
