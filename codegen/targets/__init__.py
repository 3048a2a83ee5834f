"""Every codegen target, in the order they are reported. One module per output."""

from . import dart, dart_facade, go, python_facade, python_sdk, server_models, typescript

TARGETS = [
    server_models.TARGET,
    python_sdk.TARGET,
    python_facade.TARGET,
    typescript.TARGET,
    go.TARGET,
    dart.TARGET,
    dart_facade.TARGET,
]
