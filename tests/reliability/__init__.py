"""Faults of the web, hostile documents, crashes and full disks (docs/reliability.md)."""
