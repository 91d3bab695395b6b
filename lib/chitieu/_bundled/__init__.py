"""The sample project shipped inside the wheel: ``data/``, ``params/`` and ``notebooks/`` of the repository,
packaged as ``chitieu._bundled.data``, ``.params`` and ``.notebooks`` (see ``[tool.setuptools]`` in pyproject.toml).

In a checkout (an editable install) this folder holds only this file, and :func:`chitieu.config.bundled_dir` reads
the checkout's own folders instead. Nothing is ever written here.
"""
