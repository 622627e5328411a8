"""costbook: tested cloud cost models."""
__version__ = "0.1.0"
