-- WhatsApp conversations that ended without an assessment count in the dashboard's funnel from now on, once each,
-- in the transaction that ends them (the idle job closing them as abandoned, or the webhook leaving them to an
-- enumerator: shared/whatsapp/repository.py queue_dropoff). Those that ended before: the fold counts them now.
INSERT INTO dashboard_deltas (at, version_id, channel, reached, answered)
SELECT ended_at, version_id, 'whatsapp', array_agg(question_id),
       coalesce(array_agg(question_id) FILTER (WHERE answered), '{}')
FROM whatsapp_dropoff
WHERE version_id IS NOT NULL
GROUP BY conversation_id, version_id, ended_at;
