-- Security and admin events from the caravan.audit topic, one row per event id.
CREATE TABLE audit_log (
    id          uuid        PRIMARY KEY,
    event_type  text        NOT NULL,
    user_id     text,
    ip          text,
    user_agent  text,
    payload     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL
);

-- the questions operators ask: one user's events, one kind of event, over a time range
CREATE INDEX audit_log_user_time ON audit_log (user_id, created_at);
CREATE INDEX audit_log_type_time ON audit_log (event_type, created_at);
