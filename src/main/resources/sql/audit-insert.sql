INSERT INTO audit_log (id, event_type, user_id, ip, user_agent, payload, created_at)
VALUES (:#id, :#event_type, :#user_id, :#ip, :#user_agent, CAST(:#payload AS jsonb), :#created_at)
ON CONFLICT (id) DO NOTHING
