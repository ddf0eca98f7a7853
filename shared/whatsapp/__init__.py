"""WhatsApp assessments through Twilio: the conversation (a pure state machine), its storage and use cases."""
