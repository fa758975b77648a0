"""greenpark's command line (`greenpark --help`); the commands live in `engine/cli/`.

Run as `greenpark ...` once installed, or `python cli.py ...` in a checkout.
"""
from engine.cli import app

if __name__ == "__main__":
    app()
