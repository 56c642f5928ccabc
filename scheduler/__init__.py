"""The background process: `python -m scheduler`. Jobs are declared in scheduler.registry."""
