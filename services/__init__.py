"""Domain logic: plain Python that takes a Session (and a Scope) and returns data."""
