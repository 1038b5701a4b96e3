"""Built-in estimators (installed as ``mibench_estimators``).

Every module here is imported by the registry; each registers its classes
with :func:`mibench.register_estimator`. Add a file to add an estimator.
"""
