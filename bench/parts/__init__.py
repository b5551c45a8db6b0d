"""The parts of `python -m bench`, each a module with `run(args)`, named as `--only` names them."""
