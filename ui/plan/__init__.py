"""The Plan page's parts: the ranking of credentials for a gap, and the actions on a chosen one."""
