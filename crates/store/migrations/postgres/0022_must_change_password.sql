-- 1 after an admin reset a password: the account must choose a new one at
-- its next sign-in before anything else works.
ALTER TABLE accounts ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
