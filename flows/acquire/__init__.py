"""Acquire stage: find report URLs (feeds, listings), fetch them politely (robots.txt, rate
limits, retries) and hand the bytes to the archive. Plain functions, no Prefect: the tasks in
`flows/tasks.py` call them."""
