"""Persona experiments: variants of a persona run on the same items, judged, compared.

Plain Python, usable from the Persona Lab page, a notebook and the CLI.
"""
