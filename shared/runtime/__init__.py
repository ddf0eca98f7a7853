"""The runtime of an execution environment: database, keys and adapters, built once, injected everywhere."""

from shared.runtime.meter import Component, Meter, Usage
from shared.runtime.runtime import Runtime, current_runtime, install_runtime, runtime_with

__all__ = ["Component", "Meter", "Runtime", "Usage", "current_runtime", "install_runtime", "runtime_with"]
