-- Refusals of unauthenticated callers that repeat (a flood of locked-out or malformed sign-ins,
-- setup after setup) are counted on the row that opened their burst instead of each adding a row:
-- otherwise anyone could grow this append-only table without bound.
ALTER TABLE `audit_events` ADD `repeat_count` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `audit_events` ADD `last_repeat_at` integer;
--> statement-breakpoint
-- The lookup of the row a repeat is counted on: one address, one action, within a window.
CREATE INDEX `audit_events_repeats` ON `audit_events` (`source_ip`, `action`, `at`);
--> statement-breakpoint
DROP TRIGGER `audit_events_no_update`;
--> statement-breakpoint
-- Still append-only for everything else: an update may only raise the two repeat columns, and only
-- on a refusal with no signed-in actor, the only rows that are ever counted on.
CREATE TRIGGER `audit_events_only_repeats` BEFORE UPDATE ON `audit_events`
WHEN NEW.`id` IS NOT OLD.`id`
  OR NEW.`at` IS NOT OLD.`at`
  OR NEW.`actor_id` IS NOT OLD.`actor_id`
  OR NEW.`actor_email` IS NOT OLD.`actor_email`
  OR NEW.`action` IS NOT OLD.`action`
  OR NEW.`target` IS NOT OLD.`target`
  OR NEW.`params` IS NOT OLD.`params`
  OR NEW.`source_ip` IS NOT OLD.`source_ip`
  OR NEW.`outcome` IS NOT OLD.`outcome`
  OR NEW.`message` IS NOT OLD.`message`
  OR OLD.`actor_id` IS NOT NULL
  OR OLD.`outcome` = 'success'
  OR NEW.`repeat_count` IS NULL
  OR NEW.`repeat_count` <= OLD.`repeat_count`
  OR NEW.`last_repeat_at` IS NULL
  OR NEW.`last_repeat_at` < coalesce(OLD.`last_repeat_at`, OLD.`at`)
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--> statement-breakpoint
-- A row starts its life with no repeats: a count can only come from the repeats themselves.
CREATE TRIGGER `audit_events_new_without_repeats` BEFORE INSERT ON `audit_events`
WHEN NEW.`repeat_count` IS NOT 0 OR NEW.`last_repeat_at` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'audit_events rows start without repeats');
END;
