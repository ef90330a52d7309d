"""Tests of `flows/`: the flows, their task runners, budgets and deployments."""
