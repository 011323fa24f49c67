"""Streamlit-side helpers: the sign-in gate, cached data access, shared widgets."""
