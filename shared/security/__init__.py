"""Key material at work: signed tokens (JWT) and sealed secrets (AES-GCM). Pure; no I/O, no settings."""
