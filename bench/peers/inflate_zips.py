"""The raw limit for zipped inputs: inflate every CSV member of the FCC-style zips, two at a
time (zlib releases the GIL), and throw the bytes away.

    python bench/peers/inflate_zips.py <dir with bdc zips> [threads]
"""
import concurrent.futures
import pathlib
import sys
import zipfile


def inflate(path: pathlib.Path) -> int:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            with archive.open(member) as f:
                while chunk := f.read(1 << 22):
                    total += len(chunk)
    return total


folder = pathlib.Path(sys.argv[1])
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
with concurrent.futures.ThreadPoolExecutor(threads) as pool:
    print(sum(pool.map(inflate, sorted(folder.glob("*.zip")))))
