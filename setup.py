"""Package discovery for the wheel: the checkout's top-level folders become one `greenpark` package.

pyproject.toml holds the metadata; only the mapping lives here, because the package list is found
at build time (a new engine subpackage needs no edit here):

    engine/    -> greenpark.engine       (code)
    rules/     -> greenpark.rules        (rule packs and their tests, YAML)
    knowledge/ -> greenpark.knowledge    (benchmarks, factors, sources, YAML)
    examples/  -> greenpark.examples     (the example parks; the service's OpenAPI examples)
"""
from setuptools import find_namespace_packages, setup

_DATA_ROOTS = ("rules", "knowledge", "examples")

packages = ["greenpark", "greenpark.engine"]
packages += [f"greenpark.{p}" for p in find_namespace_packages(".", include=["engine.*"])
             if "__pycache__" not in p]
for root in _DATA_ROOTS:
    packages += [f"greenpark.{root}"] + [f"greenpark.{p}" for p in find_namespace_packages(".", include=[f"{root}.*"])
                                          if "__pycache__" not in p]

setup(
    packages=packages,
    package_dir={"greenpark": "greenpark", "greenpark.engine": "engine",
                 **{f"greenpark.{root}": root for root in _DATA_ROOTS}},
    package_data={"greenpark.engine": ["*.yaml"], "greenpark.engine.render.dossier": ["templates/*"],
                  **{p: ["*.yaml"] for p in packages if p.split(".")[1:2] and p.split(".")[1] in _DATA_ROOTS}},
)
