-- Any change to the catalog — through the product or by hand in psql — tells every replica to reload it on the next
-- statement commit (NOTIFY is delivered at commit). The payload format is the change feed's: 'catalog:<table>'.
CREATE FUNCTION notify_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portal_changes', 'catalog:' || TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER router_pools_changed AFTER INSERT OR UPDATE OR DELETE ON router_pools
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER router_pool_targets_changed AFTER INSERT OR UPDATE OR DELETE ON router_pool_targets
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER router_pool_models_changed AFTER INSERT OR UPDATE OR DELETE ON router_pool_models
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
CREATE TRIGGER models_changed AFTER INSERT OR UPDATE OR DELETE ON models
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_change();
