"""The WebSocket API: tickets, connections and their topics, and what the relay posts to them."""
