-- Organizations (issue 14 item 9): an owner can cancel an invitation; an address has at most one pending
-- invitation per organization. "Pending" = neither accepted nor cancelled; an expired one is cancelled (by nobody)
-- when the address is invited again, so it never blocks a new invitation.
ALTER TABLE organization_invites ADD COLUMN cancelled_at TIMESTAMPTZ;
ALTER TABLE organization_invites ADD COLUMN cancelled_by BIGINT REFERENCES users (id);

-- Duplicates from before: keep each address's newest pending invitation, cancel the older ones.
UPDATE organization_invites i SET cancelled_at = now()
 WHERE i.accepted_at IS NULL
   AND EXISTS (SELECT 1 FROM organization_invites n
                WHERE n.organization_id = i.organization_id AND lower(n.email) = lower(i.email)
                  AND n.accepted_at IS NULL AND n.id > i.id);

-- Invitations to addresses that are members already can only be accepted as a no-op: not pending any more.
UPDATE organization_invites i SET cancelled_at = now()
 WHERE i.accepted_at IS NULL AND i.cancelled_at IS NULL
   AND EXISTS (SELECT 1 FROM organization_members m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = i.organization_id AND lower(u.email) = lower(i.email));

CREATE UNIQUE INDEX organization_invites_one_pending ON organization_invites (organization_id, lower(email))
    WHERE accepted_at IS NULL AND cancelled_at IS NULL;
