"""``python -m planforge`` runs the command line."""

from planforge.cli import main

if __name__ == "__main__":
    main()
