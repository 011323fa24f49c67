"""Planning development from a skill gap: whose gaps (``gaps``), which credentials close them (``ranking``),
and the PDP goals and seats that act on a choice (``goals``, with services/seats.py)."""
