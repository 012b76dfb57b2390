"""Build of the optional C kernels (coordgraph/engines/_native.c); everything else about the
package is in pyproject.toml. ``optional=True``: without a C compiler the install still
succeeds and the engine uses its numpy kernels (same results, slower on dense data)."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("coordgraph.engines._native", ["coordgraph/engines/_native.c"],
                             extra_compile_args=["-O3", "-std=c11"], optional=True)])
