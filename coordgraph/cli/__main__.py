"""``python -m coordgraph.cli`` = the ``coordgraph`` command."""
from coordgraph.cli import main

main()
