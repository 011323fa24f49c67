"""Deterministic demo and benchmark data (see ``seed.demo``).

``python manage.py seed [--employees N] [--seed S] [--reset]`` is the entry point;
tests call ``seed.demo.seed_database`` directly with a fixed ``today``.
"""
