"""Built-in tasks and suites (installed as ``mibench_tasks``).

Every module here is imported by the registry; each registers its task
families with :func:`mibench.register_task` and its suites with
:func:`mibench.register_suite`.
"""
