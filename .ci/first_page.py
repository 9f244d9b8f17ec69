"""Wait for the app on 127.0.0.1:PORT while process PID runs; print what its first page shows.

Used by .ci/fresh-clone: ``python3 .ci/first_page.py PORT PID TIMEOUT`` prints the status, the
address the page ends at and whether it offers to create the first administrator, or nothing
if the app never answered.
"""

import sys
import time
import urllib.request
from pathlib import Path


def running(pid: str) -> bool:
    """Whether process ``pid`` still runs (a zombie has ended)."""
    try:
        return ") Z" not in Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False


def first_page(port: str, pid: str, timeout: float) -> str:
    """``status url offers-first-admin`` of http://127.0.0.1:PORT/; empty if it never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running(pid):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                offers = "Criar o primeiro administrador" in page.read().decode()
                return f"{page.status} {page.url} {offers}"
        except OSError:
            time.sleep(1)
    return ""


if __name__ == "__main__":
    print(first_page(sys.argv[1], sys.argv[2], float(sys.argv[3])))
