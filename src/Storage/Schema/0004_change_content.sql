-- Lock: ACCESS EXCLUSIVE on listo_changes for an instant (a nullable column without a default: no rewrite).
-- A person's changes are computed from its previous profile, kept with its newest change rather than in grain
-- state: the append that records a change also records what the next change is computed from, in one row.
ALTER TABLE listo_changes ADD COLUMN content jsonb;
