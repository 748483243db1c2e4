-- Requests in flight per pool as each gateway replica last reported them (every second while it runs), so an
-- operator draining a pool sees the total over all replicas. A replica's rows are deleted when it stops; rows not
-- refreshed for a few seconds (a replica that died) are ignored by readers.
CREATE TABLE pool_load (
    replica_id  TEXT NOT NULL,
    pool        TEXT NOT NULL,
    in_flight   INTEGER NOT NULL,
    reported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (replica_id, pool)
);
