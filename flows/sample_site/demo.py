"""`toll demo`: the sample publisher site on 127.0.0.1, a sources file pointing at it, and the
real nightly flow run against it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from flows.sample_site.server import DEFAULT_PORT

DEMO_SOURCE = "sample"
EXAMPLE_QUERY = """\
SELECT perpetrator,
       sum(count) FILTER (victim_group = 'civilians') AS civilians,
       sum(count) FILTER (victim_group = 'children')  AS children,
       sum(count) FILTER (victim_group = 'women')     AS women
FROM figures
WHERE parser = 'pdf_tables' AND metric = 'killed' AND place IS NULL
  AND perpetrator <> 'all_parties'
  AND period_start >= DATE '2024-01-01' AND period_end <= DATE '2024-12-31'
GROUP BY perpetrator
ORDER BY civilians DESC"""


def demo_config(base_url: str) -> str:
    """The sources file of the demo: one source, the local sample site (on this machine, so
    its private address is allowed, and only its own port)."""
    pattern = re.escape(base_url)
    host = urlsplit(base_url).netloc
    return f"""# Written by `toll demo`: the bundled sample site served on this machine.
[fetch]
user_agent = "toll-demo/0.1"
timeout_seconds = 10
max_attempts = 3
backoff_seconds = 0.2

[[sources]]
name = "{DEMO_SOURCE}"
publisher = "Example Monitor for Human Rights (synthetic sample data)"
homepage = "{base_url}/"
country = "SY"
allowed_hosts = ["{host}"]
allow_private_addresses = true
feeds = ["{base_url}/feed/"]
listings = [{{ url = "{base_url}/category/death-toll/", max_pages = 10 }}]
include = ['^{pattern}/blog/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+/$']
follow = ['^{pattern}/wp-content/uploads/\\d{{4}}/\\d{{2}}/[^/]+\\.pdf$']
rate_limit_per_second = 50
max_concurrency = 4
"""


def write_demo_config(home: Path, base_url: str) -> Path:
    """Write the demo's sources file into the data folder and return its path."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "demo-sources.toml"
    path.write_text(demo_config(base_url), encoding="utf-8")
    return path


__all__ = ["DEFAULT_PORT", "DEMO_SOURCE", "EXAMPLE_QUERY", "demo_config", "write_demo_config"]
