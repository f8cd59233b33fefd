-- Stack databases live on the control plane's server, each owned by a role of its own
-- (adapters/postgres-databases.ts). PostgreSQL grants CONNECT on every database to PUBLIC by default,
-- so a stack's role could open a session on the control-plane database: take it away. The owner (the
-- role that runs these migrations) keeps it. A role that does not own the database cannot revoke:
-- then the deployer has to (docs/orchestrators.md), and the migration says so instead of failing.
DO $$
BEGIN
  EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'thaw: could not revoke CONNECT on database % from PUBLIC: do it as its owner', current_database();
END
$$;
