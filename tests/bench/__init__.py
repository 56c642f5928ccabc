"""Benchmarks: `make bench` (python -m tests.bench). Not part of CI; each prints ratios
measured in one run, so the numbers compare like with like on whatever machine runs them."""

from pathlib import Path


def sqlite_bench_app(folder: str):
    """The app on a throwaway SQLite file in `folder`, migrated (the benchmarks' setup)."""
    import flask_migrate

    from mdk import create_app

    app = create_app({"env": "test",
                      "database_url": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                      "instance_dir": folder, "base_url": "http://localhost",
                      "secret_key": "bench-secret", "log_level": "WARNING"})
    with app.app_context():
        flask_migrate.upgrade()
    return app
