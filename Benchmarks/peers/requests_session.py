"""Peer for the throughput benchmark: GET BASE_URL/releases/{id} for ids FIRST..LAST with `requests`,
WORKERS threads, each with its own Session (keep-alive) looping over its share of the ids, every
body written as received, one per line, to OUT.

    python requests_session.py BASE_URL FIRST LAST WORKERS OUT     (token in $BENCH_TOKEN)

Prints "done N failed M" to standard error; exits 1 when any answer was not 200.
"""
import os
import sys
import threading

import requests


def main() -> int:
    base_url, first, last, workers, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    headers = {
        "User-Agent": "requests-bench/1.0",
        "Authorization": f"Discogs token={os.environ['BENCH_TOKEN']}",
        "Accept": "application/vnd.discogs.v2.discogs+json",
    }
    lock = threading.Lock()
    counts = {"done": 0, "failed": 0}
    records = open(out, "wb")

    def worker(index: int) -> None:
        done = failed = 0
        with requests.Session() as session:
            session.headers.update(headers)
            for release_id in range(first + index, last + 1, workers):
                response = session.get(f"{base_url}/releases/{release_id}", timeout=30)
                if response.status_code != 200:
                    failed += 1
                    continue
                body = response.content
                with lock:
                    records.write(body + b"\n")
                done += 1
        with lock:
            counts["done"] += done
            counts["failed"] += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records.close()
    print(f"done {counts['done']} failed {counts['failed']}", file=sys.stderr)
    return 0 if counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
