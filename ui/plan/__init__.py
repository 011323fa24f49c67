"""The Plan page's widgets (pages/plan.py): who and which gaps (``ranking``), the entry from the skill-gap
heatmap (``entry``) and the actions on a chosen recommendation (``actions``)."""
