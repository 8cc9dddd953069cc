-- The address a session signed in from, shown beside its browser in the
-- sessions lists (the admin's and the person's own).
ALTER TABLE sessions ADD COLUMN client_addr TEXT;
