"""Only what pyproject.toml cannot say: ship the top-level `data/` as the package `domain.data`.

`data/` stays at the root for Rasa's project layout. The mapping needs the package list, and
pyproject.toml can either discover packages or list them, not discover and add one; discovery
stays, so a new subpackage (e.g. `domain.texts`) is packaged without editing this file. The
code finds the files through `domain.datafiles.data_file`, in a wheel and in a source tree.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["bot*", "domain*", "actions*"]), "domain.data"],
    package_dir={"domain.data": "data"},
)
