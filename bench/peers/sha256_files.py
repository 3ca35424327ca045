"""A raw limit for the provenance: the SHA-256 of every CSV, two files at a time (hashlib is
OpenSSL's, with the CPU's SHA instructions, and releases the GIL), the digests thrown away.
gapmap hashes each input it reads for `sources`/`datapackage.json`; this is what that costs
alone.

    python bench/peers/sha256_files.py <dir with bdc CSVs> [threads]
"""
import concurrent.futures
import hashlib
import pathlib
import sys


def digest(path: pathlib.Path) -> int:
    h = hashlib.sha256()
    total = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
            total += len(chunk)
    h.hexdigest()
    return total


folder = pathlib.Path(sys.argv[1])
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
with concurrent.futures.ThreadPoolExecutor(threads) as pool:
    print(sum(pool.map(digest, sorted(folder.glob("*.csv")))))
