"""The local runtime: imitates API Gateway (HTTP now; WebSocket, async invoke and schedules hook in here)
and calls the very same Lambda handlers in-process. It never implements an endpoint itself."""
