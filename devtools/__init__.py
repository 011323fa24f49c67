"""DEVELOPMENT ONLY tooling (local identity provider, local secrets).

Nothing in this package is imported by the app itself; production uses a real
OpenID Connect provider configured in the deployment's secrets.
"""
