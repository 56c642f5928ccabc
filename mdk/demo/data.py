"""Demo data: placeholder until built."""


def load_demo() -> list[str]:
    return []
