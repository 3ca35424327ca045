"""Executes every notebook in notebooks/ (CI runs this, so they never rot) and writes the
executed copies to target/notebooks/.

    GAPMAP_BIN=target/debug/gapmap python notebooks/run.py
"""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "target" / "notebooks"
OUT.mkdir(parents=True, exist_ok=True)
failed = 0
for path in sorted(HERE.glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        print(f"ok {path.name}")
    except Exception as error:  # noqa: BLE001 - report every notebook, then fail
        failed += 1
        print(f"FAILED {path.name}: {error}", file=sys.stderr)
    nbformat.write(nb, OUT / path.name)
sys.exit(1 if failed else 0)
