"""Tests of `warehouse/outputs/`: explain, export, verify and the HTML report."""
