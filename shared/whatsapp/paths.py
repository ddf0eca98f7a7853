"""Where Twilio posts: the two webhook paths, the manifest's routes and the callback URLs the platform gives
Twilio. A module of its own so the manifest (imported by every function) does not import the webhook models."""

INBOUND_PATH = "/api/v1/webhooks/twilio/whatsapp"
STATUS_PATH = "/api/v1/webhooks/twilio/status"
