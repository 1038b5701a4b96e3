"""The core layer: contracts, declared parameters, errors, validation, selectors, registry.

Nothing here imports another layer; plugins reach it through :mod:`mibench.plugin`.
"""
