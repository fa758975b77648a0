"""`python -m greenpark ...`: the same command line as `greenpark ...`."""
from .engine.cli import app

app(prog_name="greenpark")
