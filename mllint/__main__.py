"""``python -m mllint``."""

from mllint.cli import run

if __name__ == "__main__":
    run()
