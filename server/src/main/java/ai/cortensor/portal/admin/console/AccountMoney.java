package ai.cortensor.portal.admin.console;

import ai.cortensor.portal.admin.Accounting;
import ai.cortensor.portal.billing.LedgerEntry;
import java.util.List;

/**
 * What the account page shows of an account's money: its balance, its latest ledger entries (more behind a link when
 * {@code moreEntries}), and the idempotency key of this rendering's grant form.
 */
public record AccountMoney(Accounting.AccountBalance balance, List<LedgerEntry> entries, boolean moreEntries,
                           String formKey) {}
