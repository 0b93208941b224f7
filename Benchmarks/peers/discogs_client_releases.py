"""Peer for the pacing benchmark: fetch releases FIRST..LAST with python3-discogs-client, the way its
README shows, pointed at the sandbox through the client's `_base_url` attribute. The client paces
nothing itself: on a 429 it sleeps a random 0..2^attempt s and tries again (up to 100 times).

    python discogs_client_releases.py BASE_URL FIRST LAST OUT.ndjson     (token in $BENCH_TOKEN)

Writes each release's data as one JSON line; prints "done N failed M" to standard error.
"""
import json
import os
import sys

import discogs_client
from discogs_client.exceptions import DiscogsAPIError, TooManyAttemptsError


def main() -> int:
    base_url, first, last, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    client = discogs_client.Client("bench/1.0", user_token=os.environ["BENCH_TOKEN"])
    client._base_url = base_url  # resource URLs are built from it when an object is created
    done = failed = 0
    with open(out, "w") as records:
        for release_id in range(first, last + 1):
            release = client.release(release_id)
            try:
                release.title  # first access loads GET /releases/{id}
            except (DiscogsAPIError, TooManyAttemptsError) as error:
                failed += 1
                print(f"release {release_id}: {error}", file=sys.stderr)
                continue
            records.write(json.dumps(release.data) + "\n")
            done += 1
    print(f"done {done} failed {failed}", file=sys.stderr)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
